"""Results as one workbook (`--xlsx FILE`): a summary sheet first, then every `--out` table as
a sheet named as its file (`allocation.csv` -> allocation), units in the headers, the header
row frozen and bold. The figures are the tables' own, unrounded.

`tables_workbook(summary, tables)` is the generic writer: any command with a summary and
tables (a plan, and later option studies and sweeps) writes its workbook through it.
"""
from __future__ import annotations

import io
import math
from pathlib import Path

from typing import TYPE_CHECKING

import pandas as pd

from model.results.collect import Results
from model.results.output import TABLE_FILES
from model.results.units import unit_of, with_unit

if TYPE_CHECKING:
    from openpyxl import Workbook

SUMMARY_SHEET = "summary"
MAX_WIDTH = 40


def summary_rows(summary: dict, prefix: str = "") -> list[tuple[str, object, str | None]]:
    """(key, value, unit) for every scalar of a summary dict, nested keys dotted; lists of
    plain values joined with ", "; lists of records are left to the tables."""
    rows = []
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += summary_rows(value, f"{name}.")
        elif isinstance(value, (list, tuple)):
            if all(not isinstance(v, (dict, list, tuple)) for v in value):
                rows.append((name, ", ".join(map(str, value)), None))
        else:
            rows.append((name, value, unit_of(name)))
    return rows


def _cell(value):
    """A value a workbook can hold: NaN and infinity are left blank, like JSON's null."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _sheet(book: Workbook, title: str, header: list[str], rows) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, len(name) + 2)


def tables_workbook(summary: dict, tables: dict[str, pd.DataFrame]) -> bytes:
    """The workbook's content: `summary` (a JSON-like dict) first, then each table. (openpyxl is
    loaded here, on first use: most runs write no workbook, and loading it takes a tenth of
    the start-up of every command.)"""
    from openpyxl import Workbook
    book = Workbook()
    book.remove(book.active)
    _sheet(book, SUMMARY_SHEET, ["key", "value", "unit"], summary_rows(summary))
    for title, df in tables.items():
        _sheet(book, title, [with_unit(c) for c in df.columns],
               df.astype(object).where(df.notna(), None).itertuples(index=False))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_tables(results: Results) -> dict[str, pd.DataFrame]:
    """The `--out` tables of a plan, by sheet name (the file name without `.csv`)."""
    return {Path(file).stem: getattr(results, attr) for file, attr in TABLE_FILES.items()
            if getattr(results, attr) is not None}


def plan_workbook(results: Results) -> bytes:
    return tables_workbook(results.summary.to_dict(), plan_tables(results))
