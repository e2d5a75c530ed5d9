"""Results on disk: which table goes to which file (the one place file names are written), and
atomic writes, so that a reader never sees a half-written file.

Each file is written to a temporary name in the target folder and moved into place with
`os.replace` only after every file of the set has been written.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

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
}
SUMMARY_FILE = "summary.json"


def _clean(value):
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def summary_json(results: Results) -> str:
    return json.dumps(_clean(results.summary.to_dict()), indent=2) + "\n"


def write_files_atomically(files: dict[Path, str | bytes]) -> None:
    """Write every {path: text or bytes}; nothing is moved into place unless all were
    written."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            if isinstance(text, bytes):
                with os.fdopen(fd, "wb") as handle:
                    handle.write(text)
                continue
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def output_files(results: Results, out_dir: Path) -> dict[Path, str]:
    """The `--out` set: every table the plan has, as CSV, and summary.json."""
    files = {out_dir / name: getattr(results, attr).to_csv(index=False)
             for name, attr in TABLE_FILES.items() if getattr(results, attr) is not None}
    files[out_dir / SUMMARY_FILE] = summary_json(results)
    return files
