"""Convert a case between a folder and a workbook (model.case.workbook), both ways, cell by cell.

Folder -> workbook: every case file becomes a sheet named as the file (`plants.csv` -> plants),
in the order of model.case.rows; TOML files become `setting | value` sheets with dotted keys;
every `*.md` file becomes a sheet of text lines. Columns, row order and notes are kept. A cell of
a numeric column is written as a number when the number survives the workbook exactly (Excel
keeps 16 significant digits), otherwise as the text it was; names, lists and dates stay text
(so zone "1" stays the name "1").

Workbook -> folder: each sheet is written back as the file it stands for, with the cell texts
the reader sees (model.case.workbook.cell_text), so both give the same case and the same plan.

Both functions take a case that loads without problems (the caller checks) and return the
content of the files to write; nothing here writes to disk.
"""
from __future__ import annotations

import csv
import io
import json
import re
import tomllib
import typing
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from model.case.folder import FolderSource
from model.case.problems import Problems
from model.case.rows import Row
from model.case.workbook import (DOCUMENT_SUFFIX, SETTINGS_COLUMNS, WorkbookSource, case_files,
                                 is_settings, sheet_of)

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_WHOLE = re.compile(r"^[+-]?\d+$")
MAX_WIDTH = 60  # characters: wider columns are cut on screen, not in the cell


def _row_class(file: str) -> type[Row] | None:
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)
    return next((c for c in walk(Row) if c.__dict__.get("FILE") == file), None)


def _numeric(annotation) -> bool:
    """True when a schema type is a number (float or int, inside Optional/Annotated)."""
    if annotation in (float, int):
        return True
    return any(_numeric(arg) for arg in typing.get_args(annotation))


def numeric_columns(file: str) -> set[str]:
    row = _row_class(file)
    if row is None:
        return set()
    return {name for name, f in row.model_fields.items() if _numeric(f.annotation)}


def _number(text: str):
    """The number a numeric cell's text stands for, when a workbook keeps it exactly."""
    text = text.strip()
    if not _PLAIN_NUMBER.match(text):
        return None
    if _WHOLE.match(text) and abs(int(text)) < 2 ** 53:
        return int(text)
    value = float(text)
    return value if value == float(f"{value:.16g}") else None


def _write_row(sheet, values: list) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # a note starting with "=" is text, not a formula


def _finish(sheet, header: bool = True) -> None:
    """Bold, frozen header row; columns wide enough to read."""
    if header and sheet.max_row >= 1:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(column[0].column)].width = min(
            MAX_WIDTH, width + 2)


def _flatten(raw: dict, prefix: tuple[str, ...] = ()) -> list[tuple[str, object]]:
    out = []
    for key, value in raw.items():
        if isinstance(value, dict):
            out += _flatten(value, prefix + (key,))
        else:
            out.append((".".join(prefix + (key,)), value))
    return out


def workbook_bytes(folder: Path) -> bytes:
    """The case folder as a workbook (.xlsx content)."""
    source = FolderSource(folder)
    book = Workbook()
    book.remove(book.active)
    settings = [f for f in case_files() if is_settings(f)]
    order = settings[:1] + [f for f in case_files() if not is_settings(f)] + settings[1:]
    for file in [f for f in order if source.has(f)]:
        sheet = book.create_sheet(sheet_of(file))
        if is_settings(file):
            raw = tomllib.loads((folder / file).read_text(encoding="utf-8-sig"))
            _write_row(sheet, list(SETTINGS_COLUMNS))
            for key, value in _flatten(raw):
                _write_row(sheet, [key, value])
        else:
            numbers = numeric_columns(file)
            records = source.records(file, Problems()) or []
            header = [h.strip() for h in records[0][1]] if records else []
            for i, (_, cells) in enumerate(records):
                _write_row(sheet, [cell if i == 0 or name not in numbers or _number(cell) is None
                                   else _number(cell) for name, cell in zip(header, cells)])
        _finish(sheet)
    for doc in sorted(folder.glob(f"*{DOCUMENT_SUFFIX}")):
        sheet = book.create_sheet(doc.name[:31])
        for line in doc.read_text(encoding="utf-8").splitlines():
            _write_row(sheet, [line])
        _finish(sheet, header=False)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def toml_text(raw: dict) -> str:
    """Settings as TOML: plain keys first, then one [table] per nested dict."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in raw.items() if not isinstance(v, dict)]
    for table, values in raw.items():
        if isinstance(values, dict):
            lines += ["", f"[{table}]"] + [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def folder_files(workbook: Path) -> dict[str, str]:
    """The case workbook as the files of a case folder: file name -> text."""
    source = WorkbookSource(workbook)
    files: dict[str, str] = {}
    for file in [f for f in case_files() if source.has(f)]:
        if is_settings(file):
            raw, _ = source.raw_settings(file, Problems())
            files[file] = toml_text(raw)
            continue
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for _, cells in source.records(file, Problems()):
            writer.writerow(cells)
        files[file] = out.getvalue()
    for title, lines in source.documents().items():
        files[title] = "\n".join(lines) + "\n"
    return files
