"""The workbook counterpart of a bad-input test: the same case typed into a workbook must give
the same problems, in the words of a workbook (sheet, row and column as Excel shows them).

`as_workbook(folder)` writes the folder's files into a workbook as a person would type them:
a CSV cell that is a plain finite number becomes a number cell, anything else a text cell; a
TOML value keeps its type in a `setting | value` row (a dotted key for a table). It is written
here with openpyxl directly, not with the package's converter, so that a bug there cannot hide
one in the reader.

`check_workbook_counterpart(folder, problems)` loads that workbook and checks every problem
against the folder's, one for one: the sheet, the row (the CSV line mapped to its Excel row),
the column and its letter, the value, and the rule in a workbook's words.

A folder whose files are not UTF-8, not valid CSV or not valid TOML has no workbook form: those
are problems of text files, and the check then asserts that every problem of the folder is one
of them, so no rule goes unchecked.
"""
from __future__ import annotations

import csv
import math
import re
import tomllib
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from model.case import load_case
from model.errors import CaseError, Problem

NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
TEXT_FILE_RULES = ("UTF-8", "TOML", "readable as CSV")


class NoWorkbookForm(Exception):
    """The folder holds a file that is not valid text of its kind."""


def typed(cell: str):
    """A CSV cell as a person types it into a spreadsheet."""
    if NUMBER.match(cell.strip()):
        value = float(cell)
        if math.isfinite(value):
            return int(value) if re.match(r"^[+-]?\d+$", cell.strip()) else value
    return cell


def _setting(value):
    # A spreadsheet has no float with a whole value (2.0 is the number 2); keep the TOML text so
    # the counterpart still meets the rule that a count is not a decimal.
    if isinstance(value, float) and (not math.isfinite(value) or value.is_integer()):
        return repr(value)
    return value


def _flatten(raw: dict, prefix=()) -> list[tuple[str, object]]:
    out = []
    for key, value in raw.items():
        out += (_flatten(value, prefix + (key,)) if isinstance(value, dict)
                else [(".".join(prefix + (key,)), value)])
    return out


def as_workbook(folder: Path, path: Path) -> tuple[Path, dict]:
    """Write the folder as a workbook; return it and, per file, the Excel row of each CSV line
    (or of each TOML key) and each column's letter."""
    book = Workbook()
    book.remove(book.active)
    where: dict[str, dict] = {}
    for file in sorted(folder.iterdir()):
        sheet = book.create_sheet(file.stem)
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise NoWorkbookForm(file.name) from None
        if file.suffix == ".toml":
            try:
                raw = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                raise NoWorkbookForm(file.name) from None
            sheet.append(["setting", "value"])
            rows = {}
            for key, value in _flatten(raw):
                sheet.append([key, _setting(value)])
                rows[key] = sheet.max_row
            where[file.name] = {"keys": rows}
            continue
        lines, letters = {}, {}
        try:
            reader = csv.reader(text.splitlines(keepends=True))
            start = 1
            for row, cells in enumerate(reader, start=1):
                if row == 1:
                    letters = {c.strip(): get_column_letter(i)
                               for i, c in reversed(list(enumerate(cells, start=1)))}
                sheet.append([typed(c) for c in cells])
                for cell in sheet[sheet.max_row]:
                    cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type
                lines[start] = row
                start = reader.line_num + 1
        except csv.Error:
            raise NoWorkbookForm(file.name) from None
        where[file.name] = {"lines": lines, "letters": letters}
    book.save(path)
    return path, where


def _row(p: Problem, where: dict) -> int | None:
    if p.row is None:
        return None
    info = where.get(p.file, {})
    if "keys" in info:
        parts = (p.column or "").split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in info["keys"]:
                return info["keys"][".".join(parts[:end])]
        prefixed = [r for k, r in info["keys"].items() if k.startswith(f"{parts[0]}.")]
        return min(prefixed) if prefixed else None
    return info.get("lines", {}).get(p.row, p.row)


def in_workbook_words(p: Problem, where: dict) -> str:
    """The rule of a folder problem as a workbook states it (written out here, not taken from
    the package)."""
    rule = p.rule
    lines = where.get(p.file, {}).get("lines", {})
    rule = re.sub(r"\bline (\d+)", lambda m: f"row {lines.get(int(m.group(1)), m.group(1))}",
                  rule)
    rule = re.sub(r"\b([a-z_]+)\.(csv|toml)\b", lambda m: f"sheet '{m.group(1)}'", rule)
    rule = re.sub(r"^file is", "sheet is", rule)
    cells = re.match(r"^has (\d+) cells; the header has (\d+)$", rule)
    if cells:
        rule = (f"has a value in column {get_column_letter(int(cells.group(1)))}, beyond the "
                f"header's last column {get_column_letter(int(cells.group(2)))}")
    return rule


def same_value(a, b) -> bool:
    if a == b:
        return True
    try:
        return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))
    except (TypeError, ValueError):
        return str(a) == str(b)


def check_workbook_counterpart(folder: Path, problems: list[Problem]) -> None:
    """The folder's problems, one for one, from the same case as a workbook."""
    try:
        book, where = as_workbook(folder, folder.parent / f"{folder.name}.xlsx")
    except NoWorkbookForm:
        assert all(any(w in p.rule for w in TEXT_FILE_RULES) for p in problems), \
            "a folder without a workbook form may only have text-file problems"
        return
    with pytest.raises(CaseError) as info:
        load_case(book)
    got = info.value.problems
    assert len(got) == len(problems), "\n".join(map(str, problems + ["--- workbook:"] + got))
    for p, q in zip(problems, got):
        sheet = Path(p.file).stem
        row = _row(p, where)
        assert (q.file, q.sheet, q.row, q.column) == (book.name, sheet, row, p.column), str(q)
        assert same_value(p.value, q.value), (p.value, q.value)
        assert q.rule == in_workbook_words(p, where), (str(p), str(q))
        text = str(q)
        assert f"sheet '{sheet}'" in text and (row is None or re.search(rf"row {row}\b", text))
        letter = where.get(p.file, {}).get("letters", {}).get(p.column)
        if p.kind == "column" and letter and p.row is not None:
            assert f"column {letter} '{p.column}'" in text, text
        if p.kind == "key" and p.row is not None:
            assert re.search(r"column [AB], key '", text), text
