"""A catalogue of bad inputs, each run through the command line with the same guarantees: the
documented exit code, a message naming the file, the line and the column or key (where the
problem has one), no traceback, the inputs byte-identical afterwards, and no output at all.

Each entry starts from a bundled case, changes one thing, and says where the problem is:
(file, line, column or key). A missing or unreadable file has no line; an option has no file.
"""
from __future__ import annotations

import csv
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from model.bundled import bundled_case
from model.cli import main

STEADY, DROUGHT, HISTORY = "ntip-2019-phase2", "kaohsiung-2023-drought", "ntip-history-2015-2021"


@dataclass(frozen=True)
class Bad:
    name: str
    base: str
    change: Callable[[Path], None]
    file: str | None             # the file the message must name
    line: int | None = None      # "line N"
    column: str | None = None    # "column 'x'" or "key 'x'"
    words: tuple[str, ...] = ()  # the rule, in the message's words
    options: tuple[str, ...] = ()
    exit_code: int = 2
    kind: str = "column"
    extra: dict = field(default_factory=dict)


def text(file: str, new: Callable[[str], str]) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        path = folder / file
        path.write_text(new(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")
    return change


def raw(file: str, data: bytes | None) -> Callable[[Path], None]:
    """Replace a file's bytes; None deletes it."""
    def change(folder: Path) -> None:
        (folder / file).unlink(missing_ok=True)
        if data is not None:
            (folder / file).write_bytes(data)
    return change


def folder_instead(file: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (folder / file).unlink()
        (folder / file).mkdir()
    return change


def header_only(file: str) -> Callable[[Path], None]:
    return text(file, lambda t: t.splitlines()[0] + "\n")


def cell(file: str, line: int, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell (line as an editor counts, header = 1) of a CSV file without quotes."""
    def new(t: str) -> str:
        rows = t.splitlines()
        header = rows[0].split(",")
        parsed = next(csv.reader([rows[line - 1]]))
        parsed[header.index(column)] = value
        rows[line - 1] = ",".join(f'"{c}"' if "," in c else c for c in parsed)
        return "\n".join(rows) + "\n"
    return text(file, new)


def header(file: str, old: str, new: str) -> Callable[[Path], None]:
    return text(file, lambda t: t.replace(old, new, 1))


def append(file: str, line: str) -> Callable[[Path], None]:
    return text(file, lambda t: t.rstrip("\n") + "\n" + line + "\n")


def appended(base: str, file: str) -> int:
    """The line a row appended to the bundled file lands on."""
    return len((bundled_case(base) / file).read_text(encoding="utf-8").splitlines()) + 1


def repeat_line(file: str, line: int) -> Callable[[Path], None]:
    return text(file, lambda t: t.rstrip("\n") + "\n" + t.splitlines()[line - 1] + "\n")


def toml(file: str, body: str) -> Callable[[Path], None]:
    return raw(file, body.encode())


def nothing(folder: Path) -> None:
    pass


CORE = ("case.toml", "plants.csv", "uses.csv", "treatment.csv")
CATALOGUE = [
    # each core file missing, empty, or a folder; each CSV header-only
    *[Bad(f"{f} missing", STEADY, raw(f, None), f, words=("file is missing",)) for f in CORE],
    *[Bad(f"{f} empty", STEADY, raw(f, b""), f,
          words=("is required",) if f == "case.toml" else ("file is empty",),
          column="name" if f == "case.toml" else None, kind="key") for f in CORE],
    *[Bad(f"{f} a folder", STEADY, folder_instead(f), f, words=("is a folder, not a file",))
      for f in CORE],
    Bad("plants.csv header only", STEADY, header_only("plants.csv"), "plants.csv",
        words=("empty case: no plants",)),
    Bad("uses.csv header only", STEADY, header_only("uses.csv"), "uses.csv",
        words=("empty case: no uses",)),
    Bad("tanks.csv a folder", DROUGHT, folder_instead("tanks.csv"), "tanks.csv",
        words=("is a folder",)),
    Bad("periods.csv empty", DROUGHT, raw("periods.csv", b""), "periods.csv",
        words=("file is empty",)),
    Bad("use_quality.csv missing", STEADY, raw("use_quality.csv", None), "use_quality.csv",
        words=("file is missing",)),
    # headers
    Bad("uses.csv misspelled column", STEADY, header("uses.csv", "demand_m3_per_day", "demand"),
        "uses.csv", 1, "demand", ("unknown column", "demand_m3_per_day")),
    Bad("plants.csv column missing", STEADY, header("plants.csv", "zone", "notes2"),
        "plants.csv", 1, "zone", ("missing column",)),
    Bad("treatment.csv column twice", STEADY, header("treatment.csv", "recovery", "zones"),
        "treatment.csv", 1, "zones", ("more than once",)),
    Bad("uses.csv blank column name", STEADY, header("uses.csv", "notes", ""),
        "uses.csv", 1, "(blank)", ("unknown column",)),
    Bad("tanks.csv misspelled column", DROUGHT, header("tanks.csv", "capacity_m3", "size_m3"),
        "tanks.csv", 1, "size_m3", ("unknown column",)),
    # cells
    Bad("demand not a number", STEADY, cell("uses.csv", 3, "demand_m3_per_day", "lots"),
        "uses.csv", 3, "demand_m3_per_day", ("must be a number",)),
    Bad("demand negative", STEADY, cell("uses.csv", 4, "demand_m3_per_day", "-5"),
        "uses.csv", 4, "demand_m3_per_day", ("must be in [0",)),
    Bad("demand nan", STEADY, cell("uses.csv", 2, "demand_m3_per_day", "nan"),
        "uses.csv", 2, "demand_m3_per_day"),
    Bad("demand inf", STEADY, cell("uses.csv", 2, "demand_m3_per_day", "inf"),
        "uses.csv", 2, "demand_m3_per_day"),
    Bad("demand 2_508", STEADY, cell("uses.csv", 2, "demand_m3_per_day", "2_508"),
        "uses.csv", 2, "demand_m3_per_day", ("must be a number",)),
    Bad("return fraction above 1", STEADY, cell("uses.csv", 5, "return_fraction", "1.5"),
        "uses.csv", 5, "return_fraction", ("[0, 1]",)),
    Bad("recovery 0", STEADY, cell("treatment.csv", 2, "recovery", "0"),
        "treatment.csv", 2, "recovery", ("(0, 1]",)),
    Bad("recovery above 1", STEADY, cell("treatment.csv", 2, "recovery", "1.2"),
        "treatment.csv", 2, "recovery", ("(0, 1]",)),
    Bad("capacity negative", STEADY, cell("treatment.csv", 2, "capacity_m3_per_day", "-1"),
        "treatment.csv", 2, "capacity_m3_per_day"),
    Bad("use reuse limit not whole", STEADY, cell("uses.csv", 3, "max_recycles", "1.5"),
        "uses.csv", 3, "max_recycles", ("whole number",)),
    Bad("zone blank", STEADY, cell("plants.csv", 3, "zone", ""), "plants.csv", 3, "zone"),
    Bad("row with an extra cell", STEADY, text("plants.csv", lambda t: t.replace(
        "Z1-B,1,", "Z1-B,1,x,", 1)), "plants.csv", 3, None, ("has 4 cells",)),
    Bad("row with a missing cell", STEADY, append("plants.csv", "Z3-A"), "plants.csv",
        appended(STEADY, "plants.csv"), None,
        ("has 1 cells",)),
    Bad("days not a number", DROUGHT, cell("periods.csv", 2, "days", "seven"),
        "periods.csv", 2, "days", ("must be a number",)),
    Bad("tank initial above capacity", DROUGHT, cell("tanks.csv", 2, "initial_m3", "999999"),
        "tanks.csv", 2, "initial_m3"),
    Bad("priority 0", DROUGHT, cell("curtailment.csv", 2, "priority", "0"),
        "curtailment.csv", 2, "priority"),
    Bad("boost recovery above 1", DROUGHT, cell("boosts.csv", 2, "recovery", "1.5"),
        "boosts.csv", 2, "recovery"),
    Bad("stage cut 1", DROUGHT, cell("stages.csv", 2, "cut", "1"), "stages.csv", 2, "cut",
        ("[0, 1)",)),
    Bad("tap ppm negative", STEADY, cell("contaminants.csv", 2, "tap_ppm", "-3"),
        "contaminants.csv", 2, "tap_ppm"),
    Bad("operation outlet not above inlet", "wang-smith-1994",
        cell("use_quality.csv", 2, "outlet_ppm", "0"), "use_quality.csv", 2, "outlet_ppm",
        ("above max_inlet_ppm",)),
    # encodings and separators
    Bad("uses.csv in UTF-16", STEADY, lambda f: (f / "uses.csv").write_bytes(
        (f / "uses.csv").read_text(encoding="utf-8").encode("utf-16")), "uses.csv",
        words=("not UTF-8",)),
    Bad("plants.csv in Latin-1", STEADY, lambda f: (f / "plants.csv").write_bytes(
        (f / "plants.csv").read_text(encoding="utf-8").replace("Z1-C", "Zé").encode("latin-1")),
        "plants.csv", words=("not UTF-8",)),
    Bad("binary garbage", STEADY, raw("treatment.csv", bytes(range(256))), "treatment.csv"),
    Bad("semicolons", STEADY, text("plants.csv", lambda t: t.replace(",", ";")), "plants.csv", 1,
        "plant", ("missing column",)),
    Bad("tabs", STEADY, text("treatment.csv", lambda t: t.replace(",", "\t")), "treatment.csv",
        1, "train", ("missing column",)),
    Bad("case.toml in UTF-16", STEADY, lambda f: (f / "case.toml").write_bytes(
        (f / "case.toml").read_text(encoding="utf-8").encode("utf-16")), "case.toml",
        words=("not UTF-8",)),
    # a train or tank named as the results name other sources: its water would be counted as
    # tap, trucked, direct or outside water
    Bad("tank named tap", DROUGHT, cell("tanks.csv", 2, "tank", "tap"), "tanks.csv", 2, "tank",
        ("may not be tap, tanker, direct or supply",)),
    Bad("tank named supply:x", DROUGHT, cell("tanks.csv", 2, "tank", "supply:x"), "tanks.csv", 2,
        "tank", ("alone or before a colon",)),
    Bad("tank option named tanker", "ntip-2028-phase3", cell("options.csv", 7, "option",
                                                             "tanker"),
        "options.csv", 7, "option", ("a tank option's name may not be tap",)),
    # unknown references
    Bad("use at an unknown plant", STEADY, cell("uses.csv", 4, "plant", "Z9-Z"), "uses.csv", 4,
        "plant", ("plant is not in plants.csv",)),
    Bad("train serving an unknown zone", STEADY, cell("treatment.csv", 2, "zones", "1;9"),
        "treatment.csv", 2, "zones", ("zone",)),
    Bad("quality of an unknown contaminant", STEADY,
        cell("use_quality.csv", 2, "contaminant", "arsenic"), "use_quality.csv", 2,
        "contaminant"),
    Bad("train quality of an unknown train", STEADY, cell("train_quality.csv", 2, "train", "K99"),
        "train_quality.csv", 2, "train", ("train is not in treatment.csv",)),
    Bad("period at an unknown stage", DROUGHT, cell("periods.csv", 3, "stage", "purple"),
        "periods.csv", 3, "stage", ("stage is not in the stage table",)),
    Bad("tank in an unknown zone", DROUGHT, cell("tanks.csv", 2, "zone", "9"), "tanks.csv", 2,
        "zone"),
    Bad("boost of an unknown train", DROUGHT, cell("boosts.csv", 2, "train", "K99"),
        "boosts.csv", 2, "train"),
    Bad("curtailment of an unknown use", DROUGHT, cell("curtailment.csv", 3, "use", "laundry"),
        "curtailment.csv", 3, "use"),
    Bad("demand in an unknown period", HISTORY, cell("demand.csv", 2, "period", "1999-01"),
        "demand.csv", 2, "period"),
    Bad("outage of an unknown train", HISTORY, cell("trains_by_period.csv", 2, "train", "K99"),
        "trains_by_period.csv", 2, "train"),
    # duplicates
    Bad("plant twice", STEADY, repeat_line("plants.csv", 2), "plants.csv",
        appended(STEADY, "plants.csv"), "plant",
        ("duplicate plant", "line 2")),
    Bad("use twice", STEADY, repeat_line("uses.csv", 3), "uses.csv",
        appended(STEADY, "uses.csv"), "use",
        ("duplicate use", "line 3")),
    Bad("train twice", STEADY, repeat_line("treatment.csv", 2), "treatment.csv", 3, "train",
        ("duplicate train",)),
    Bad("period twice", DROUGHT, repeat_line("periods.csv", 2), "periods.csv",
        appended(DROUGHT, "periods.csv"), "period", ("duplicate period", "line 2")),
    Bad("tank twice", DROUGHT, repeat_line("tanks.csv", 2), "tanks.csv", 3, "tank",
        ("duplicate",)),
    Bad("stage twice", DROUGHT, repeat_line("stages.csv", 2), "stages.csv",
        appended(DROUGHT, "stages.csv"), "stage",
        ("duplicate",)),
    Bad("contaminant twice", STEADY, repeat_line("contaminants.csv", 2), "contaminants.csv",
        appended(STEADY, "contaminants.csv"),
        "contaminant", ("duplicate",)),
    # out of range and huge
    Bad("demand 1e15", STEADY, cell("uses.csv", 2, "demand_m3_per_day", "1e15"), "uses.csv", 2,
        "demand_m3_per_day", ("[0, 1e+09]",)),
    Bad("capacity 1e12", STEADY, cell("treatment.csv", 2, "capacity_m3_per_day", "1e12"),
        "treatment.csv", 2, "capacity_m3_per_day", ("[0, 1e+09]",)),
    Bad("max_recycles a million", STEADY, header("case.toml", "max_recycles = 6",
                                                 "max_recycles = 1000000"),
        "case.toml", 3, "max_recycles", ("[0, 100]",), kind="key"),
    Bad("tank capacity 1e13", DROUGHT, cell("tanks.csv", 2, "capacity_m3", "1e13"), "tanks.csv",
        2, "capacity_m3", ("1e+11",)),
    Bad("tanker price 1e9", DROUGHT, cell("tankers.csv", 2, "price_per_m3", "1e9"),
        "tankers.csv", 2, "price_per_m3", ("1e+06",)),
    Bad("a period of no days", DROUGHT, cell("periods.csv", 2, "days", "0"), "periods.csv", 2,
        "days"),
    Bad("a period of a million days", DROUGHT, cell("periods.csv", 2, "days", "1e6"),
        "periods.csv", 2, "days", ("36600",)),
    Bad("demand factor 1e5", HISTORY, cell("demand.csv", 2, "factor", "1e5"), "demand.csv", 2,
        "factor", ("1000",)),
    # TOML, in both files
    Bad("case.toml syntax", STEADY, toml("case.toml", 'name = "x"\nmax_recycles = = 2\n'),
        "case.toml", 2, None, ("not valid TOML",)),
    Bad("case.toml unknown key", STEADY, toml("case.toml", 'name = "x"\nmax_recycles = 2\n'
                                                          'max_recycle = 3\n'),
        "case.toml", 3, "max_recycle", ("unknown key",), kind="key"),
    Bad("case.toml text for a number", STEADY, toml("case.toml", 'name = "x"\n'
                                                                 'max_recycles = "six"\n'),
        "case.toml", 2, "max_recycles", kind="key"),
    Bad("case.toml tap cap negative", STEADY, toml("case.toml", 'name = "x"\nmax_recycles = 2\n'
                                                               '[tap]\ncap_m3_per_day = -1\n'),
        "case.toml", 4, "tap.cap_m3_per_day", kind="key"),
    Bad("rationing.toml syntax", DROUGHT, toml("rationing.toml", "fair_share = \n"),
        "rationing.toml", 1, None, ("not valid TOML",)),
    Bad("rationing.toml unknown key", DROUGHT, toml("rationing.toml", "fairshare = true\n"),
        "rationing.toml", 1, "fairshare", ("unknown key",), kind="key"),
    Bad("rationing.toml cut 2", DROUGHT, toml("rationing.toml", "cut = 2\n"), "rationing.toml",
        1, "cut", ("[0, 1)",), kind="key"),
    # options
    Bad("--cut 1.5", STEADY, nothing, None, words=("--cut", "[0, 1)"), options=("--cut", "1.5")),
    Bad("--cut -0.1", STEADY, nothing, None, words=("--cut",), options=("--cut", "-0.1")),
    Bad("--stage purple", STEADY, nothing, None, words=("--stage", "purple"),
        options=("--stage", "purple")),
    Bad("--time-limit nan", STEADY, nothing, None, words=("--time-limit",),
        options=("--time-limit", "nan")),
    Bad("--cut and --stage", STEADY, nothing, None, words=("not allowed with",),
        options=("--cut", "0.1", "--stage", "orange")),
]

# output paths that are, hold or lie inside the case folder ({case} is the case folder), with
# the whole of the problem's line after the path
INPUTS = "plants.csv, uses.csv"   # the inputs of STEADY's folder that --out would overwrite
OUTPUTS = [
    ("--out the case folder", ("--out", "{case}"),
     "is the case folder {case}: it would overwrite the inputs " + INPUTS),
    ("--out inside the case", ("--out", "{case}/results"),
     "lies inside the case folder {case}; inputs are never written"),
    ("--out holding the case", ("--out", "{case}/.."),
     "holds the case folder {case}; replacing it would delete the inputs"),
    ("--out through ..", ("--out", "{case}/../case"),
     "is the case folder {case}: it would overwrite the inputs " + INPUTS),
    ("--out through a symlink", ("--out", "{link}"),
     "is the case folder {case}: it would overwrite the inputs " + INPUTS),
    ("--json over an input", ("--json", "{case}/uses.csv"),
     "lies inside the case folder {case}: it would overwrite the input uses.csv"),
    ("--json over an input via a symlink", ("--json", "{link}/plants.csv"),
     "lies inside the case folder {case}: it would overwrite the input plants.csv"),
    ("--json the case folder", ("--json", "{case}"),
     "is the case folder {case}; inputs are never written"),
    ("--json inside the case", ("--json", "{case}/s.json"),
     "lies inside the case folder {case}; inputs are never written"),
]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every path under the folder -> its bytes' digest ('dir' for a folder)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), folder)] = "dir"
        for f in files:
            path = os.path.join(root, f)
            out[os.path.relpath(path, folder)] = hashlib.sha256(
                Path(path).read_bytes()).hexdigest()
    return out


def where(bad: Bad) -> list[str]:
    parts = [] if bad.file is None else [bad.file]
    if bad.line is not None:
        parts.append(f"line {bad.line}")
    if bad.column is not None:
        parts.append(f"{bad.kind} '{bad.column}'")
    return [", ".join(parts)] if parts else []


def run_guarded(argv: list[str], case: Path, tmp: Path, capsys) -> tuple[int, str]:
    """Run the CLI; assert no traceback, no stdout, inputs untouched and no output written."""
    before = fingerprint(case)
    out, js = tmp / "out", tmp / "summary.json"
    code = main(argv + ["--out", str(out), "--json", str(js)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert fingerprint(case) == before, "an input was changed"
    assert not out.exists() and not js.exists()
    return code, captured.err


def test_the_catalogue_is_large():
    assert len(CATALOGUE) + len(OUTPUTS) >= 60


@pytest.mark.parametrize("bad", CATALOGUE, ids=[b.name for b in CATALOGUE])
def test_bad_input(bad: Bad, tmp_path, capsys):
    case = tmp_path / "case"
    shutil.copytree(bundled_case(bad.base), case)
    bad.change(case)
    before = fingerprint(case)
    code, err = run_guarded(["solve", str(case), *bad.options], case, tmp_path, capsys)
    assert code == bad.exit_code, err
    assert fingerprint(case) == before
    for text in where(bad) + list(bad.words):
        assert text in err, f"{text!r} not in:\n{err}"


@pytest.mark.parametrize("name, option, tail", OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_output_path_on_an_input(name, option, tail, tmp_path, capsys):
    case = tmp_path / "case"
    shutil.copytree(bundled_case(STEADY), case)
    (tmp_path / "link").symlink_to(case)
    before_parent = sorted(p.name for p in tmp_path.iterdir())
    flag, path = option
    target = path.format(case=case, link=tmp_path / "link")
    before = fingerprint(case)
    code = main(["solve", str(case), flag, target])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and "Traceback" not in captured.err
    assert f"  - {flag} {target!r} {tail.format(case=case.resolve())}" in \
        captured.err.splitlines(), captured.err
    assert fingerprint(case) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == before_parent
