"""Fuzzing the bundled cases (hypothesis): change a cell, a header or a whole file, run the
command line, and hold the catalogue's guarantees whatever the change: a documented exit code
(never 1, an internal error), no traceback, the inputs byte-identical, and output written only
by a run that succeeded. Derandomized under CI (tests/conftest.py)."""
from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.bundled import bundled_case
from model.cli import main
from tests.test_bad_inputs import fingerprint

CASES = ("wang-smith-1994", "ntip-2015-phase1", "kaohsiung-2021-drought")
FILES = {name: sorted(p.name for p in bundled_case(name).iterdir()
                      if p.suffix in (".csv", ".toml")) for name in CASES}
CELLS = st.one_of(
    st.sampled_from(["", "-1", "0", "1e15", "1e-300", "nan", "inf", "2_508", "x", "1,5", '"',
                     "é", "0x10", "true", "99999999999999999999", " ", ";", "Z1-A", "K14"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=8))


@st.composite
def changes(draw):
    name = draw(st.sampled_from(CASES))
    file = draw(st.sampled_from(FILES[name]))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "header", "file"]))
    if kind == "file":
        content = draw(st.one_of(st.none(), st.binary(max_size=40),
                                 st.text(max_size=40).map(str.encode)))
        return name, file, kind, content
    return name, file, kind, (draw(st.integers(0, 40)), draw(st.integers(0, 8)), draw(CELLS))


def apply(folder: Path, file: str, kind: str, what) -> None:
    path = folder / file
    if kind == "file":
        path.unlink()
        if what is not None:
            path.write_bytes(what)
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    row, column, value = what
    row = 0 if kind == "header" else row % len(lines)
    cells = lines[row].split(",") if file.endswith(".csv") else lines[row].split("=")
    cells[column % len(cells)] = value
    lines[row] = ("," if file.endswith(".csv") else "=").join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes())
def test_any_change_keeps_the_guarantees(change):
    name, file, kind, what = change
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        case = tmp / "case"
        shutil.copytree(bundled_case(name), case)
        apply(case, file, kind, what)
        before = fingerprint(case)
        out, js = tmp / "out", tmp / "s.json"
        err, printed = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(printed):
            code = main(["solve", str(case), "--no-largest-cut", "--time-limit", "60",
                         "--out", str(out), "--json", str(js)])
        assert code in (0, 2, 3, 4), err.getvalue()
        assert "Traceback" not in err.getvalue()
        assert fingerprint(case) == before
        if code == 0:
            assert (out / "summary.json").is_file() and js.is_file()
        else:
            assert not out.exists() and not js.exists() and printed.getvalue() == ""
            assert err.getvalue().startswith("wateralloc: ")
