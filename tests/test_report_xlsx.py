"""`solve --xlsx`: the summary sheet first, then every `--out` table as a sheet with the same
figures as its CSV file, units in the headers, the header row frozen."""
from __future__ import annotations

import json
from io import BytesIO

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from model.bundled import bundled_case
from model.case import load_case
from model.cli import main
from model.results.excel import plan_tables, summary_rows, tables_workbook
from model.results.units import unit_of, with_unit
from model.studies import plan
from tests.report_pages import assert_sheets_are_the_csvs


@pytest.mark.parametrize("case", ["ntip-2019-phase2", "kaohsiung-2023-drought"])
def test_every_out_table_is_a_sheet_with_the_same_figures(tmp_path, case, capsys):
    out, book = tmp_path / "out", tmp_path / "plan.xlsx"
    assert main(["solve", case, "--no-largest-cut", "--out", str(out), "--xlsx", str(book)]) == 0
    wb = load_workbook(book)
    assert_sheets_are_the_csvs(wb, out)
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


@pytest.mark.parametrize("name, unit", [
    ("tap_m3_per_day", "m3/day"),                         # a suffix
    ("summary.trains.recovery_value", "m3/day of tap per percentage point"),  # dotted key
    ("recovery_value:K14", "m3/day of tap per percentage point"),  # a sweep's per-train column
    ("capacity:K14", "m3/day"), ("demand:Z1-A/process rinse", "m3/day"),  # sweep parameters
    ("a.b:c.d_ppm", "ppm"),                               # the last dotted part, then before ':'
    ("x.demand_factor:K14:2", "factor"),                  # only the first ':' splits
    ("m3_per_day", "m3/day"),                             # allocation.csv's flow: no prefix
    ("cost_per_day", "money/day"), ("tanker_trucks_per_day", "trucks/day"),
    ("effective_recovery", "fraction"), ("boost_recovery", "fraction"),
    # a breakdown has the unit of the figure it breaks down, whatever its parts are called
    ("discharge_breakdown_m3_per_day.treatment_reject", "m3/day"),
    ("solve_seconds.total_tap_m3", "s"), ("solve_seconds.load", "s"),
    ("plant", None)])                                     # a name has no unit
def test_the_unit_of_a_column_or_key(name, unit):
    assert unit_of(name) == unit
    assert with_unit(name) == (name if unit is None else f"{name} [{unit}]")


@pytest.mark.parametrize("case", ["ntip-2019-phase2", "kaohsiung-2023-drought",
                                  "wang-smith-1994"])
def test_every_figure_of_a_plan_has_a_unit(case):
    """Every number column of the --out tables and every number of the summary has a unit in
    the headers, and a flow in m3/day is never shown per day, nor a time in m3."""
    r = plan(load_case(bundled_case(case)), largest_cut=True)
    names = [c for df in plan_tables(r).values() for c in df.columns
             if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    names += [k for k, v, _ in summary_rows(r.summary.to_dict())
              if isinstance(v, (int, float)) and not isinstance(v, bool)]
    assert names and [n for n in names if unit_of(n) is None] == []
    assert {unit_of(n) for n in names if n.endswith("m3_per_day")} == {"m3/day"}
    assert {unit_of(n) for n in names if n.startswith("solve_seconds.")} == {"s"}


def _book(summary: dict, tables: dict):
    return load_workbook(BytesIO(tables_workbook(summary, tables)))


def test_numpy_numbers_are_written_as_numbers_and_nan_or_infinity_as_blank():
    table = pd.DataFrame({"count": np.array([1, 2], dtype=np.int64),
                          "m3_per_day": [np.nan, np.inf], "use": ["rinse", None],
                          "share": np.array([np.nan, 0.5], dtype=np.float32)})
    book = _book({"plants": np.int64(3), "tap_m3_per_day": np.float64(2.5),
                  "cost_per_day": np.float32(np.nan)}, {"t": table})
    rows = list(book["summary"].iter_rows(values_only=True))
    assert rows == [("key", "value", "unit"), ("plants", 3, None),
                    ("tap_m3_per_day", 2.5, "m3/day"), ("cost_per_day", None, unit_of("cost_per_day"))]
    assert list(book["t"].iter_rows(min_row=2, values_only=True)) == [(1, None, "rinse", None),
                                                                      (2, None, None, 0.5)]


def test_a_sheet_name_is_cut_to_excel_s_31_characters():
    book = _book({}, {"x" * 40: pd.DataFrame({"a": [1]})})
    assert book.sheetnames == ["summary", "x" * 31]
