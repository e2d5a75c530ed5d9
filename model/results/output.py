"""Results on disk: which table goes to which file (the one place file names are written), and
the one way every command writes its output: all or nothing, never over an input.

- `check_outputs(out_dir, singles, protected)` refuses (exit 2, every problem at once) an
  output path that is, holds or lies inside an input (a case folder, an input file): resolved
  paths are compared, so symlinks and `..` do not get around it. `singles` maps each
  single-file option (`--json`, `--html`, `--xlsx`, ...) to its path. It also makes and
  removes an empty probe folder where each output goes, so that a folder nothing can be
  written in is found too. Commands call it before any solve, so a run whose output cannot be
  written costs nothing and writes nothing.
- `write_outputs(out_dir, files, singles, protected)` writes the folder and the single files
  (text, or bytes for a workbook) as one set: everything is written to temporary siblings
  first, then put in place with SIGINT and SIGTERM held off (model.results.atomic). The folder
  is swapped in whole, so a file of an earlier run never sits beside new ones, and an
  interruption at any moment leaves the complete old output or the complete new one. Files get
  the user's umask.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from model import interrupts
from model.errors import EXIT_INVALID, WaterallocError
from model.results import atomic
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (annotations only: the results are made with pandas)
    from model.results.collect import Results

# --out file -> Results attribute; tables that are None for a case are not written
TABLE_FILES = {
    "allocation.csv": "allocation",
    "feeds.csv": "feeds",
    "trains.csv": "trains",
    "plants.csv": "plants",
    "uses.csv": "uses",
    "quality.csv": "quality",
    "periods.csv": "periods",
    "tank_levels.csv": "tank_levels",
    "shortages.csv": "shortages",
    "tank_charges.csv": "tank_charges",
}
SUMMARY_FILE = "summary.json"
# Every name an output folder of this tool may hold (other commands add theirs here); a folder
# holding anything else is not replaced.
OUTPUT_NAMES = set(TABLE_FILES) | {SUMMARY_FILE} | {
    "options.csv", "options.json", "portfolio.csv", "front.csv",  # wateralloc options
    "sweep.csv", "sweep.parquet"}                                 # wateralloc sweep
# Test hook: seconds to pause after each file written, so that a test can interrupt a write.
WRITE_PAUSE_ENV = "WATERALLOC_TEST_WRITE_PAUSE_S"


class OutputError(WaterallocError):
    """Output paths that cannot be used; exit 2. Lists every problem."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[str]):
        self.problems = problems
        n = len(problems)
        super().__init__(f"invalid output: {n} problem{'s' if n != 1 else ''}\n"
                         + "\n".join(f"  - {p}" for p in problems))


def json_safe(value):
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return json_safe(value.item())
    return value


def summary_json(results: Results) -> str:
    return json.dumps(json_safe(results.summary.to_dict()), indent=2) + "\n"


def output_files(results: Results) -> dict[str, str]:
    """The `--out` set, file name -> text: every table the plan has, as CSV, and summary.json."""
    files = {name: getattr(results, attr).to_csv(index=False)
             for name, attr in TABLE_FILES.items() if getattr(results, attr) is not None}
    files[SUMMARY_FILE] = summary_json(results)
    return files


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path != folder and path.is_relative_to(folder)


def _input_problems(option: str, path: Path, protected: Iterable[Path]) -> list[str]:
    """An output path must not be an input, lie inside one, or hold one."""
    out, problems = _resolved(path), []
    for given in protected:
        p = _resolved(given)
        what = "the case folder" if p.is_dir() else "the input file"
        if out == p:
            hit = sorted(OUTPUT_NAMES & {c.name for c in p.iterdir()}) \
                if p.is_dir() and option == "--out" else []
            problems.append(f"{option} {str(path)!r} is {what} {p}"
                            + (f": it would overwrite the inputs {', '.join(hit)}" if hit
                               else "; inputs are never written"))
        elif _inside(out, p):
            problems.append(f"{option} {str(path)!r} lies inside {what} {p}"
                            + (f": it would overwrite the input {out.name}" if out.exists()
                               and not out.is_dir() else "; inputs are never written"))
        elif _inside(p, out):
            problems.append(f"{option} {str(path)!r} holds {what} {p}; replacing it would "
                            "delete the inputs")
    return problems


def _folder_problems(out_dir: Path) -> list[str]:
    where = f"--out {str(out_dir)!r}"
    if out_dir.exists() and not out_dir.is_dir():
        return [f"{where} is a file, not a folder"]
    parent = next((p for p in out_dir.absolute().parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        return [f"{where}: {parent} is a file, not a folder"]
    if out_dir.is_dir():
        foreign = sorted({c.name for c in out_dir.iterdir()} - OUTPUT_NAMES)
        if foreign:
            return [f"{where} holds files this tool did not write ({', '.join(foreign[:5])}"
                    f"{' ...' if len(foreign) > 5 else ''}); the output folder is replaced "
                    "whole, so give a new folder, or one holding only earlier output"]
    return []


def _file_problems(option: str, path: Path, out_dir: Path | None) -> list[str]:
    where = f"{option} {str(path)!r}"
    if path.is_dir():
        return [f"{where} is a folder; give a file name"]
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        return [f"{where}: {parent} is a file, not a folder"]
    if out_dir is not None and _resolved(path).is_relative_to(_resolved(out_dir)):
        return [f"{where} lies inside --out {str(out_dir)!r}, which is replaced whole; give a "
                "file outside it"]
    return []


def _writable_problems(option: str, path: Path) -> list[str]:
    """The output is written into its nearest existing folder (`path`'s own, or the first of
    its parents that exists, under which the rest is made): a folder this run cannot create
    entries in (read-only, another user's, a pseudo file system) is found by making and
    removing an empty probe folder there, before any solve, instead of after it."""
    folder = next(p for p in path.absolute().parents if p.exists())  # the root, at least
    try:
        os.rmdir(tempfile.mkdtemp(dir=folder, prefix=".wateralloc-probe-"))
    except OSError as exc:
        return [f"{option} {str(path)!r} cannot be written: nothing can be created in "
                f"{folder} ({exc.strerror or exc})"]
    return []


def _same_file_problems(singles: Mapping[str, Path]) -> list[str]:
    seen: dict[Path, str] = {}
    problems = []
    for option, path in singles.items():
        p = _resolved(path)
        if p in seen:
            problems.append(f"{option} {str(path)!r} is the same file as {seen[p]}")
        seen.setdefault(p, option)
    return problems


def check_outputs(out_dir: Path | None, singles: Mapping[str, Path | None] | None = None,
                  protected: Iterable[Path] = ()) -> None:
    """Raise `OutputError` (exit 2) listing every problem with the output paths: an input
    overwritten or inside one, a folder holding files this tool did not write, a file where a
    folder is needed or the other way round, a folder nothing can be written in, two options
    naming one file. `singles` maps a single-file option to its path (None: not asked for).
    Nothing is written (the probe folders are removed at once)."""
    protected = list(protected)
    singles = {o: p for o, p in (singles or {}).items() if p is not None}
    problems = []
    if out_dir is not None:
        problems += _input_problems("--out", out_dir, protected) or _folder_problems(out_dir) \
            or _writable_problems("--out", out_dir)
    for option, path in singles.items():
        problems += _input_problems(option, path, protected) \
            or _file_problems(option, path, out_dir) or _writable_problems(option, path)
    problems += _same_file_problems(singles)
    if problems:
        raise OutputError(problems)


def _write_new(path: Path, content: str | bytes) -> None:
    """Create `path` (0o666 less the umask) holding text (UTF-8) or bytes."""
    with open(path, "xb") as handle:
        handle.write(content.encode("utf-8") if isinstance(content, str) else content)


@dataclass
class _Staged:
    """Temporary siblings written and waiting to be put in place: (temporary, target)."""

    items: list[tuple[Path, Path]] = field(default_factory=list)

    def folder(self, target: Path, files: Mapping[str, str | bytes]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.wateralloc-"))
        self.items.append((tmp, target))
        os.chmod(tmp, 0o777 & ~atomic.umask())  # mkdtemp makes it private; use the umask
        pause = float(os.environ.get(WRITE_PAUSE_ENV, 0) or 0)
        for name, content in files.items():
            _write_new(tmp / name, content)
            time.sleep(pause)

    def file(self, target: Path, content: str | bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.wateralloc-{os.getpid()}-{time.time_ns()}")
        self.items.append((tmp, target))
        _write_new(tmp, content)

    def commit(self) -> None:
        """Put every item in place, or none: with signals held, and undone if one arrived."""
        done: list[tuple[Path, Path, bool]] = []
        with atomic.signals_held():
            try:
                for tmp, target in self.items:
                    if atomic.signal_pending():
                        raise _Undo
                    done.append((tmp, target, atomic.swap(tmp, target)))
                if atomic.signal_pending():
                    raise _Undo
            except BaseException as exc:
                for tmp, target, existed in reversed(done):
                    atomic.unswap(tmp, target, existed)
                if not isinstance(exc, _Undo):
                    raise
                # _Undo: the pending signal is delivered when the block ends, and stops the run
        # the temporary paths now hold the old output (or nothing): removed by clean()

    def clean(self) -> None:
        # (not the swap's aside name, `tmp.old`: a swap that fails undoes its renames, so that
        # name is left only when undoing failed too, and then it holds the only copy of the old
        # output)
        for tmp, _ in self.items:
            atomic.remove(tmp)


class _Undo(Exception):
    """A signal arrived during the commit: put everything back."""


def write_outputs(out_dir: Path | None, files: Mapping[str, str | bytes],
                  singles: Mapping[str, tuple[Path, str | bytes]] | None = None,
                  protected: Iterable[Path] = ()) -> None:
    """Write `files` (name -> text or bytes) as the folder `out_dir`, and each single file
    (`singles`: option -> (path, content), e.g. {"--json": (path, text)}), all or nothing.

    `protected` are the inputs of the run (case folders, input files): no output may be, hold
    or lie inside one (`check_outputs`, run again here). `out_dir` may be None. On any failure
    or interruption nothing is changed and the temporary files are removed.
    """
    singles = dict(singles or {})
    check_outputs(out_dir, {o: p for o, (p, _) in singles.items()}, protected)
    staged = _Staged()
    with interrupts.stage("the writing of the output"):
        try:
            if out_dir is not None:
                staged.folder(out_dir, files)
            for path, content in singles.values():
                staged.file(path, content)
            staged.commit()
        finally:
            staged.clean()
