"""The reader toolkit: every file of a case is read, checked and cross-checked here.

A case comes from a source: a folder of CSV and TOML files (`model.case.folder`) or one workbook
with a sheet per file (`model.case.workbook`). The source gives records of text cells and raw
settings; each rule is written once, here, and driven by what a row class declares
(`model.case.rows`):
- tables: header checked against the schema, blank rows skipped, cell count checked;
- settings: each problem on the line (row) where its key is written;
- unique KEY columns: a repeated key is reported with the line of its first row, which is kept;
- `;`-LISTS: items stripped, blanks dropped, repeats dropped, order kept;
- REFERENCES into the names other files define (`Namespace`).

One root cause gives one message. A row that breaks a rule is rejected, and a name it gives is
not reported again where another file refers to it; references into a file that could not be
read (missing, bad header) are not checked at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Generic, Iterable, Protocol, TypeVar

from pydantic import ValidationError

from model.case.folder import FolderSource, KeyLines, Records
from model.case.problems import Problems, explain
from model.case.rows import Row, Settings
from model.errors import Problem

R = TypeVar("R", bound=Row)
S = TypeVar("S", bound=Settings)
Key = tuple[str, ...]  # a name as a key: ("P1",), or ("P1", "rinse") for a use


class Source(Protocol):
    """Where a case's files come from (model.case.folder, model.case.workbook)."""

    path: Path

    def opening_problems(self) -> list[Problem]: ...
    def has(self, file: str) -> bool: ...
    def records(self, file: str, problems: Problems) -> Records | None: ...
    def raw_settings(self, file: str, problems: Problems) -> tuple[dict, KeyLines] | None: ...
    def width_rule(self, cells: int, header: int) -> str: ...
    def locate(self, problem: Problem) -> Problem: ...


def parse_list(text: str) -> tuple[str, ...]:
    """A `;`-separated cell as its items: stripped, blanks and repeats dropped, order kept."""
    return tuple(dict.fromkeys(item.strip() for item in text.split(";") if item.strip()))


@dataclass
class Table(Generic[R]):
    """The rows of one CSV file, as (line, row) pairs, after every check the toolkit makes.

    `parsed` rows passed their schema and are the first of their key, whether or not the names
    they give are known: the rules a row breaks on its own are checked on them. `rows` are the
    accepted ones: parsed, and every name they give known. `rejected` keeps the cells of every
    row not accepted, so that the names it gives are not reported again elsewhere.
    """

    file: str
    present: bool = False   # the file exists
    usable: bool = False    # its header was read, so its rows were checked
    parsed: list[tuple[int, R]] = field(default_factory=list)
    rejected: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    data_lines: list[int] = field(default_factory=list)   # every data row, in file order
    unknown_names: set[int] = field(default_factory=set)  # lines of parsed rows naming unknowns

    @property
    def rows(self) -> list[tuple[int, R]]:
        """The accepted rows: valid, first of their key, every name they give known."""
        return [(line, r) for line, r in self.parsed if line not in self.unknown_names]

    def accepted(self, line: int) -> bool:
        """True when the parsed row on `line` gives only known names."""
        return line not in self.unknown_names

    @property
    def empty(self) -> bool:
        """The file has a good header and no data row at all (not even a rejected one)."""
        return self.usable and not self.data_lines

    def rejected_names(self, columns: tuple[str, ...]) -> set[Key]:
        """The names given in `columns` by rejected rows: already reported, not again."""
        return {tuple(cells.get(c, "") for c in columns) for _, cells in self.rejected}

    def adjacent(self, line_before: int, line: int) -> bool:
        """True when no other data row (accepted or not) lies between the two lines."""
        i = self.data_lines.index(line_before)
        return i + 1 < len(self.data_lines) and self.data_lines[i + 1] == line


@dataclass
class Namespace:
    """Names one file defines (plants, zones, uses, ...), for the files that refer to them."""

    rule: str                                          # e.g. "plant is not in plants.csv"
    known: set[Key] = field(default_factory=set)
    reported: set[Key] = field(default_factory=set)   # given in rejected rows
    checked: bool = True                               # False: the file was unusable

    @classmethod
    def of(cls, table: Table, columns: tuple[str, ...], rule: str) -> Namespace:
        """The names the accepted rows of `table` give in `columns`."""
        known = {tuple(getattr(row, c) for c in columns) for _, row in table.rows}
        # an empty file is reported once ("empty case"); the names it lacks are not reported again
        return cls(rule, known, table.rejected_names(columns) - known,
                   table.usable and not table.empty)

    @classmethod
    def fixed(cls, names: Iterable[str], rule: str) -> Namespace:
        """Names that do not come from a file (the steady period, the default stages)."""
        return cls(rule, {(n,) for n in names})


class CaseFolder:
    """A case being read (a folder or a workbook: its `source`): the problems found so far, and
    the names each file has defined for the files read after it."""

    def __init__(self, source: Source | Path):
        self.source = FolderSource(source) if isinstance(source, Path) else source
        self.path = self.source.path
        self.problems = Problems(self.source.opening_problems())
        self.names: dict[str, Namespace] = {}

    def has(self, file: str) -> bool:
        return self.source.has(file)

    def _folder_in_place(self, file: str) -> bool:
        """True (and reported) when the file's name is taken by a folder."""
        if (self.path / file).is_dir():
            self.problems.add(file, "is a folder, not a file")
            return True
        return False

    def table(self, row: type[R], required: bool = False) -> Table[R]:
        """Read `row.FILE`, check every row against `row`'s schema, key and references."""
        table: Table[R] = Table(row.FILE, present=self.has(row.FILE))
        if self._folder_in_place(row.FILE):
            return table
        if not table.present:
            if required:
                self.problems.add(row.FILE, "file is missing")
            return table
        records = self.source.records(row.FILE, self.problems)
        header = _header(row, records, self.problems) if records is not None else None
        if header is None:
            return table
        table.usable = True
        optional = {name for name, f in row.model_fields.items() if not f.is_required()}
        references = [((c,) if isinstance(c, str) else c, self.names[namespace])
                      for c, namespace in row.REFERENCES.items()]
        first_line: dict[tuple, int] = {}
        for line, cells in records[1:]:
            if not "".join(cells).strip():
                continue  # blank lines are not rows
            table.data_lines.append(line)
            if len(cells) != len(header):
                self.problems.add(row.FILE, self.source.width_rule(len(cells), len(header)),
                                  line)
                parsed = None
            else:
                parsed = self._row(row, header, cells, optional, line)
                if isinstance(parsed, set):  # rejected: still check the names it gives right
                    self._names_known(row, references,
                                      _given(_raw(row, header, cells, optional), parsed), line)
                    parsed = None
            if parsed is None or _repeated(row, parsed, line, first_line, self.problems):
                table.rejected.append((line, _cells(header, cells)))
                continue
            table.parsed.append((line, parsed))
            if not self._names_known(row, references, parsed, line):
                table.unknown_names.add(line)
                table.rejected.append((line, _cells(header, cells)))
        return table

    def settings(self, schema: type[S], required: bool = False) -> S | None:
        """Read the settings file `schema.FILE`; None (problems added) if missing or invalid."""
        file = schema.FILE
        if self._folder_in_place(file):
            return None
        if not self.has(file):
            if required:
                self.problems.add(file, "file is missing")
            return None
        read = self.source.raw_settings(file, self.problems)
        if read is None:
            return None
        raw, lines = read
        try:
            return schema.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                key, rule, value = explain(schema, error, "key")
                self.problems.add(file, rule, line_of_key(lines, error["loc"]), key, value,
                                  kind="key")
            return None

    def _row(self, row: type[R], header: list[str], cells: list[str], optional: set[str],
             line: int) -> R | set[str]:
        """One data row validated by its schema; if it breaks a rule, the problems are added
        and the columns that broke one are returned instead."""
        try:
            return row.model_validate(_raw(row, header, cells, optional))
        except ValidationError as exc:
            text = _cells(header, cells)
            failed: set[str] = set()
            for error in exc.errors():
                column, rule, value = explain(row, error, "column")
                if error["type"] != "missing":
                    value = text.get(error["loc"][0], value)  # the cell as the user wrote it
                failed.add(str(error["loc"][0]) if error["loc"] else "")
                self.problems.add(row.FILE, rule, line, column, value)
            return failed

    def _names_known(self, row: type[Row], references: list[tuple[tuple[str, ...], Namespace]],
                     parsed: Row, line: int) -> bool:
        """Check every name the row refers to; True when all are known.

        An unknown name is reported unless its namespace could not be read or the name was
        given in a rejected row. A compound reference is skipped when one of its columns
        already failed (an unknown plant makes its use unknown too: one cause, one message).
        """
        known = True
        failed: set[str] = set()
        for columns, names in references:
            if failed and failed.intersection(columns):
                continue
            for name in _names_given(parsed, columns):
                if name in names.known:
                    continue
                known = False
                failed.update(columns)
                if names.checked and name not in names.reported:
                    self.problems.add(row.FILE, names.rule, line, columns[-1], "/".join(name))
        return known


def _header(row: type[Row], records, problems: Problems) -> list[str] | None:
    """The column names, or None (problems added) when the header does not fit the schema."""
    line, cells = records[0]
    header = [h.strip() for h in cells]
    fields = row.model_fields
    required = [name for name, f in fields.items() if f.is_required()]
    optional = [name for name, f in fields.items() if not f.is_required()]
    expected = (f"expected columns {', '.join(required)}"
                + (f" (optional: {', '.join(optional)})" if optional else ""))
    ok = True
    for name in header:
        if name not in fields:
            problems.add(row.FILE, f"unknown column; {expected}", line, name or "(blank)")
            ok = False
    for name in required:
        if name not in header:
            problems.add(row.FILE, f"missing column; {expected}", line, name)
            ok = False
    for name in sorted({h for h in header if header.count(h) > 1}):
        problems.add(row.FILE, "column appears more than once in the header", line, name)
        ok = False
    return header if ok else None


def _cells(header: list[str], cells: list[str]) -> dict[str, str]:
    """A row as column -> stripped cell text (as many as both have)."""
    return {name: cell.strip() for name, cell in zip(header, cells)}


def _repeated(row: type[Row], parsed: Row, line: int, first_line: dict[tuple, int],
              problems: Problems) -> bool:
    """True (and reported) when the row's KEY was given on an earlier line."""
    key = tuple(getattr(parsed, c) for c in row.KEY)
    if key not in first_line:
        first_line[key] = line
        return False
    problems.add(row.FILE, f"duplicate {row.KEY_NAME}; first given on line {first_line[key]}",
                 line, row.KEY_NAME, "/".join(str(k) for k in key if k is not None))
    return True


def _raw(row: type[Row], header: list[str], cells: list[str], optional: set[str]) -> dict:
    """A data row's cells by column, as its schema reads them: blank cells of `optional`
    columns left out ("not given"), `;`-list cells as tuples."""
    raw: dict[str, object] = {}
    for name, cell in zip(header, cells):
        value = parse_list(cell) if name in row.LISTS else cell.strip()
        if not value and name in optional:
            continue
        raw[name] = value
    return raw


def _given(raw: dict, failed: set[str]) -> SimpleNamespace:
    """A rejected row's cells as `_names_given` reads a parsed row: a cell that broke its own
    rule (or was not given) is None, so that a name is checked only where it was written right
    (a row with a bad recovery still has its zones checked, in the same run)."""
    return SimpleNamespace(**{k: None if k in failed else v for k, v in raw.items()})


def _names_given(parsed: Row, columns: tuple[str, ...]) -> list[Key]:
    """The names a row gives in `columns`: none if a cell is blank, one per item of a list."""
    values = tuple(getattr(parsed, c, None) for c in columns)
    if None in values:
        return []
    if len(values) == 1 and isinstance(values[0], tuple):
        return [(item,) for item in values[0]]
    return [values]


# --- where a settings key is written ---------------------------------------------------------

def line_of_key(lines: KeyLines, loc: tuple) -> int | None:
    """The line of a key, else of the nearest table holding it (a missing key); None for a
    missing top-level key, which has no line to point at."""
    path = tuple(str(part) for part in loc)
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
