"""`solve --xlsx`: the summary sheet first, then every `--out` table as a sheet with the same
figures as its CSV file, units in the headers, the header row frozen."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from model.cli import main
from model.results.units import with_unit


@pytest.mark.parametrize("case", ["ntip-2019-phase2", "kaohsiung-2023-drought"])
def test_every_out_table_is_a_sheet_with_the_same_figures(tmp_path, case, capsys):
    out, book = tmp_path / "out", tmp_path / "plan.xlsx"
    assert main(["solve", case, "--no-largest-cut", "--out", str(out), "--xlsx", str(book)]) == 0
    wb = load_workbook(book)
    csvs = sorted(p for p in out.iterdir() if p.suffix == ".csv")
    assert wb.sheetnames[0] == "summary"
    assert sorted(wb.sheetnames[1:]) == sorted(p.stem for p in csvs)
    for path in csvs:
        table = pd.read_csv(path, keep_default_na=False)
        sheet = wb[path.stem]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == [with_unit(c) for c in table.columns]
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
        assert len(rows) - 1 == len(table), path.name
        for row, (_, expected) in zip(rows[1:], table.iterrows()):
            for got, want in zip(row, expected):
                if isinstance(got, float) or isinstance(want, float):
                    # a workbook keeps 16 significant digits; a CSV writes 17
                    assert got == pytest.approx(float(want), rel=1e-15, abs=1e-300), path.name
                else:
                    assert ("" if got is None else str(got)) == str(want), path.name
    summary = json.loads((out / "summary.json").read_text())
    keys = {r[0]: r[1:] for r in wb["summary"].iter_rows(min_row=2, values_only=True)}
    assert keys["tap_m3_per_day"] == (pytest.approx(summary["tap_m3_per_day"], rel=1e-15),
                                      "m3/day")
    assert keys["discharge_breakdown_m3_per_day.treatment_reject"][0] == pytest.approx(
        summary["discharge_breakdown_m3_per_day"]["treatment_reject"], rel=1e-15)
    assert keys["case"] == (case, None)


def test_units_in_headers():
    assert with_unit("tap_m3_per_day") == "tap_m3_per_day [m3/day]"
    assert with_unit("end_level_m3") == "end_level_m3 [m3]"
    assert with_unit("recovery_value") == "recovery_value [m3/day of tap per percentage point]"
    assert with_unit("plant") == "plant"
