"""A case as one Excel workbook: a sheet per case file, read by the same toolkit as a folder.

    case.xlsx
      case          setting | value [| notes]   case.toml: one row per key; a key inside a
                                                 table is dotted (`tap.price_per_m3`)
      plants, uses, treatment, ...              one sheet per CSV file, named as the file
                                                 without `.csv`; header in the first non-blank
                                                 row, one data row per Excel row
      rationing     setting | value [| notes]   rationing.toml, when present
      README.md, ...                            a sheet named `*.md` holds a text document,
                                                 one line per row in column A; the reader
                                                 ignores it (`wateralloc convert` writes it back)

What a workbook may hold, and what it means:
- a number cell is the number (a whole number is written without ".0", so "2" is a count);
  a text cell is the text; a date cell is its ISO date; TRUE/FALSE are booleans in settings;
- a formula is its value as the spreadsheet program last saved it; a formula without a saved
  value (a workbook written by a program that does not calculate) is an error, as is a cell
  holding a spreadsheet error such as #DIV/0!;
- merged cells are an error (a merged header would hide a column's name);
- a sheet with any other name is an error that lists the expected names (a misspelt sheet
  would otherwise be silently left out of the plan).

Problems name the sheet, the row as Excel shows it and the column's letter and name: the
toolkit's "uses.csv, line 4, column 'demand_m3_per_day'" becomes "case.xlsx, sheet 'uses', row
4, column C 'demand_m3_per_day'", and its rules speak of sheets and rows.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path


from model.case.folder import KeyLines, Records
from model.case.problems import Problems
from model.case.rows import Row, Settings
from model.errors import CaseError, Problem


def get_column_letter(number: int) -> str:
    """Excel's letter for a 1-based column number (openpyxl's), openpyxl loaded on first use:
    a case folder never needs it, and it takes a tenth of the start-up of every command."""
    from openpyxl.utils import get_column_letter as letter
    return letter(number)

SUFFIX = ".xlsx"
DOCUMENT_SUFFIX = ".md"
SETTINGS_COLUMNS = ("setting", "value")
SETTINGS_OPTIONAL = ("notes",)


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub] + _subclasses(sub)
    return out


def case_files() -> list[str]:
    """Every file a case may have, settings first, in the order the schemas are declared: a
    new row class in model.case.rows is a new sheet with nothing else to change."""
    files = [c.FILE for c in _subclasses(Settings) + _subclasses(Row) if "FILE" in c.__dict__]
    return list(dict.fromkeys(files))


def sheet_of(file: str) -> str:
    """The sheet a case file is kept in: its name without the extension."""
    return Path(file).stem


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() == SUFFIX


def is_settings(file: str) -> bool:
    return file.endswith(".toml")


def cell_text(value: object) -> str:
    """A cell as the text a CSV file would hold: a whole number without ".0", a date as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def setting_value(value: object) -> object:
    """A settings cell as TOML would type it: a whole number is an integer (a spreadsheet has no
    other kind), a midnight date-time a date."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    if isinstance(value, datetime) and value.time() == time():
        return value.date()
    return value


class WorkbookSource:
    """The sheets of a case workbook. Nothing is ever written to it."""

    def __init__(self, path: Path):
        """Open the workbook; raises `CaseError` when it is not one."""
        self.path = path
        self.name = path.name
        self.headers: dict[str, dict[str, str]] = {}   # file -> column name -> letter
        self._opening: list[Problem] = []
        self._sheets: dict[str, object] = {}
        self._values: dict[str, object] = {}           # the same sheets, formulas as saved values
        self._documents: dict[str, object] = {}        # *.md sheets
        from openpyxl import load_workbook  # loaded on first use (get_column_letter)
        try:
            formulas = load_workbook(path, data_only=False)
            values = load_workbook(path, data_only=True)
        except Exception as exc:  # a file openpyxl cannot read, whatever the reason
            raise CaseError([Problem(self.name, f"is not a readable Excel workbook (.xlsx): "
                                                f"{type(exc).__name__}: {exc}")]) from None
        files = {sheet_of(f): f for f in case_files()}
        for sheet in formulas.worksheets:
            title = sheet.title
            if title in files:
                self._sheets[files[title]] = sheet
                self._values[files[title]] = values[title]
            elif title.lower().endswith(DOCUMENT_SUFFIX):
                self._documents[title] = sheet
            else:
                self._opening.append(Problem(
                    self.name, "unknown sheet; expected sheets " + ", ".join(files)
                    + f" (a sheet named *{DOCUMENT_SUFFIX} holds notes and is not read)",
                    sheet=title))

    def opening_problems(self) -> list[Problem]:
        return list(self._opening)

    def has(self, file: str) -> bool:
        return file in self._sheets

    def documents(self) -> dict[str, list[str]]:
        """The text of each `*.md` sheet, one line per row (column A)."""
        return {title: [cell_text(row[0].value) if row else "" for row in sheet.iter_rows()]
                for title, sheet in self._documents.items()}

    def _cells(self, file: str, problems: Problems) -> list[tuple[int, list[object]]] | None:
        """The non-blank rows of a sheet (row number, cell values), formulas as their saved
        values; None (problems added) when a cell or a merge makes the sheet unreadable."""
        sheet, values = self._sheets[file], self._values[file]
        rows, bad = [], []
        for row in sheet.iter_rows():
            cells = []
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    saved = values.cell(cell.row, cell.column)
                    value = saved.value
                    if value is None:
                        bad.append((cell, "the formula has no saved value: open and save the "
                                          "workbook in a spreadsheet program, or type the value"))
                    elif saved.data_type == "e":
                        bad.append((cell, f"the formula's value is the spreadsheet error {value}"))
                elif cell.data_type == "e":
                    bad.append((cell, "the cell holds a spreadsheet error"))
                cells.append(value)
            while cells and cells[-1] is None:
                cells.pop()
            if any(cell_text(c).strip() for c in cells):
                rows.append((row[0].row, cells))
        if rows:  # the header names the columns of every later problem
            self.headers[file] = {name: get_column_letter(i) for i, name in reversed(list(
                enumerate((cell_text(c).strip() for c in rows[0][1]), start=1))) if name}
        for merged in sheet.merged_cells.ranges:
            problems.add(file, f"cells {merged.coord} are merged: unmerge them and give each "
                         "cell its own value", merged.min_row)
        for cell, rule in bad:
            problems.add(file, rule, cell.row, self._column(file, cell.column), str(cell.value))
        if not rows:
            problems.add(file, "file is empty: it needs a header row")
            return None
        return None if bad or sheet.merged_cells.ranges else rows

    def _column(self, file: str, number: int) -> str:
        """The name of a sheet's column by number, for a problem (its letter until the header
        is known)."""
        names = {letter: name for name, letter in self.headers.get(file, {}).items()}
        return names.get(get_column_letter(number), get_column_letter(number))

    def records(self, file: str, problems: Problems) -> Records | None:
        """The sheet as CSV-like records: the header row first, every row padded to the
        header's width (a row is wider only if it has a value beyond the header)."""
        rows = self._cells(file, problems)
        if rows is None:
            return None
        width = len(rows[0][1])
        return [(n, [cell_text(c) for c in cells] + [""] * (width - len(cells)))
                for n, cells in rows]

    def raw_settings(self, file: str, problems: Problems) -> tuple[dict, KeyLines] | None:
        """A settings sheet (setting | value) as the dict its TOML file would give, and the row
        of each key."""
        rows = self._cells(file, problems)
        if rows is None:
            return None
        (head_row, head), body = rows[0], rows[1:]
        header = [cell_text(c).strip() for c in head]
        if header[:2] != list(SETTINGS_COLUMNS) or any(
                h not in SETTINGS_OPTIONAL for h in header[2:]):
            problems.add(file, "the header must be: setting, value (optional: notes)", head_row,
                         None, ", ".join(header))
            return None
        raw: dict = {}
        lines: KeyLines = {}
        for row, cells in body:
            key, value = (cells + [None, None])[:2]
            path = tuple(part.strip() for part in cell_text(key).split("."))
            if value is None or not "".join(path):
                continue  # a blank value is a setting not given
            if path in lines:
                problems.add(file, f"setting given twice; first given on row {lines[path]}",
                             row, ".".join(path), None, kind="key")
                continue
            for end in range(1, len(path) + 1):
                lines.setdefault(path[:end], row)
            _put(raw, path, setting_value(value))
        return raw, lines

    def width_rule(self, cells: int, header: int) -> str:
        return (f"has a value in column {get_column_letter(cells)}, beyond the header's last "
                f"column {get_column_letter(header)}")

    def locate(self, problem: Problem) -> Problem:
        """A toolkit problem in the words of the workbook: its sheet, row and column letter."""
        if problem.sheet is not None:
            return problem  # already about the workbook (an unknown sheet)
        letter = None
        if problem.kind == "key" and problem.row is not None:
            letter = "A" if problem.rule.startswith(("unknown key", "setting given")) else "B"
        elif problem.column is not None:
            letter = self.headers.get(problem.file, {}).get(problem.column)
        return Problem(self.name, sheet_words(problem.rule), problem.row, problem.column,
                       problem.value, problem.kind, sheet=sheet_of(problem.file), letter=letter)


def _put(raw: dict, path: tuple[str, ...], value: object) -> None:
    """Set a dotted key in nested dicts; a key under a non-table is left to the schema."""
    for part in path[:-1]:
        inner = raw.setdefault(part, {})
        if not isinstance(inner, dict):
            return
        raw = inner
    raw[path[-1]] = value


_FILE_WORD = re.compile(r"\b([a-z_]+)\.(csv|toml)\b")
_LINE_WORD = re.compile(r"\bline (\d+)")


def sheet_words(rule: str) -> str:
    """A rule written for files in the words of a workbook: "plants.csv" -> "sheet 'plants'",
    "line 3" -> "row 3", "file is missing" -> "sheet is missing"."""
    rule = _FILE_WORD.sub(lambda m: f"sheet '{m.group(1)}'", rule)
    rule = _LINE_WORD.sub(lambda m: f"row {m.group(1)}", rule)
    return re.sub(r"^file is", "sheet is", rule)
