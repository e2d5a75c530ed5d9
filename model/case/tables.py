"""The reader toolkit: every file of a case folder is read, checked and cross-checked here.

Each rule is written once and driven by what a row class declares (`model.case.rows`):
- CSV files: UTF-8 with or without a byte-order mark, every cell read as text (so "007" stays a
  name and "1e3" is parsed by the schema, not guessed by a sniffer), header checked against the
  schema, blank lines skipped, cell count checked, line numbers as an editor counts them;
- TOML files: the same encoding rules, and each problem on the line where its key is written;
- unique KEY columns: a repeated key is reported with the line of its first row, which is kept;
- `;`-LISTS: items stripped, blanks dropped, repeats dropped, order kept;
- REFERENCES into the names other files define (`Namespace`).

One root cause gives one message. A row that breaks a rule is rejected, and a name it gives is
not reported again where another file refers to it; references into a file that could not be
read (missing, bad header) are not checked at all.
"""
from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Iterable, TypeVar

from pydantic import ValidationError

from model.case.problems import Problems, explain
from model.case.rows import Row, Settings

R = TypeVar("R", bound=Row)
S = TypeVar("S", bound=Settings)
Key = tuple[str, ...]  # a name as a key: ("P1",), or ("P1", "rinse") for a use


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
    """A case folder being read: its files, the problems found so far, and the names each file
    has defined for the files read after it."""

    def __init__(self, path: Path):
        self.path = path
        self.problems = Problems()
        self.names: dict[str, Namespace] = {}

    def has(self, file: str) -> bool:
        return (self.path / file).is_file()

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
        records = self._records(row.FILE)
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
                self.problems.add(row.FILE, f"has {len(cells)} cells; the header has "
                                  f"{len(header)}", line)
                parsed = None
            else:
                parsed = self._row(row, header, cells, optional, line)
            if parsed is None or _repeated(row, parsed, line, first_line, self.problems):
                table.rejected.append((line, _cells(header, cells)))
                continue
            table.parsed.append((line, parsed))
            if not self._names_known(row, references, parsed, line):
                table.unknown_names.add(line)
                table.rejected.append((line, _cells(header, cells)))
        return table

    def settings(self, schema: type[S], required: bool = False) -> S | None:
        """Read the TOML file `schema.FILE`; None (problems added) if missing or invalid."""
        file = schema.FILE
        if self._folder_in_place(file):
            return None
        if not self.has(file):
            if required:
                self.problems.add(file, "file is missing")
            return None
        try:
            text = (self.path / file).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problems.add(file, f"is not UTF-8 text (byte {exc.start})")
            return None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # tomllib gives the position only inside its message: "... (at line 3, column 5)"
            at = re.search(r"at line (\d+)", str(exc))
            self.problems.add(file, f"not valid TOML: {exc}", int(at.group(1)) if at else None)
            return None
        try:
            return schema.model_validate(raw)
        except ValidationError as exc:
            lines = key_lines(text)
            for error in exc.errors():
                key, rule, value = explain(schema, error, "key")
                self.problems.add(file, rule, line_of_key(lines, error["loc"]), key, value,
                                  kind="key")
            return None

    def _records(self, file: str) -> list[tuple[int, list[str]]] | None:
        """The CSV records of a file, each with the line it starts on as an editor counts lines
        (a quoted cell may span lines: a note with a line break), trailing blank lines dropped.
        """
        records = []
        try:
            with (self.path / file).open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.reader(handle)
                start = 1
                for cells in reader:
                    records.append((start, cells))
                    start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            self.problems.add(file, f"is not UTF-8 text (byte {exc.start}): save it as "
                                    "UTF-8 CSV")
            return None
        except csv.Error as exc:
            self.problems.add(file, f"is not readable as CSV: {exc}")
            return None
        while records and not any(cell.strip() for cell in records[-1][1]):
            records.pop()
        if not records:
            self.problems.add(file, "file is empty: it needs a header row")
            return None
        return records

    def _row(self, row: type[R], header: list[str], cells: list[str], optional: set[str],
             line: int) -> R | None:
        """One data row validated by its schema; None (problems added) if it breaks a rule.

        Blank cells of `optional` columns mean "not given"; `;`-list cells become tuples.
        """
        raw: dict[str, object] = {}
        for name, cell in zip(header, cells):
            value = parse_list(cell) if name in row.LISTS else cell.strip()
            if not value and name in optional:
                continue
            raw[name] = value
        try:
            return row.model_validate(raw)
        except ValidationError as exc:
            text = _cells(header, cells)
            for error in exc.errors():
                column, rule, value = explain(row, error, "column")
                if error["type"] != "missing":
                    value = text.get(error["loc"][0], value)  # the cell as the user wrote it
                self.problems.add(row.FILE, rule, line, column, value)
            return None

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


def _names_given(parsed: Row, columns: tuple[str, ...]) -> list[Key]:
    """The names a row gives in `columns`: none if a cell is blank, one per item of a list."""
    values = tuple(getattr(parsed, c) for c in columns)
    if None in values:
        return []
    if len(values) == 1 and isinstance(values[0], tuple):
        return [(item,) for item in values[0]]
    return [values]


# --- where a TOML key is written ----------------------------------------------------------------

_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_TABLE_LINE = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=")


def _path(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_BARE_OR_QUOTED, dotted)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line where each key and [table] of a TOML text is first written: ("tap", "cap") for
    `cap = ...` under `[tap]`, or for `tap.cap = ...`. Lines inside multi-line strings are
    skipped, so a description cannot be mistaken for keys."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    open_quote = None
    for number, line in enumerate(text.splitlines(), start=1):
        if open_quote is not None:
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        if match := _TABLE_LINE.match(line):
            table = _path(match.group(1))
            lines.setdefault(table, number)
        elif match := _KEY_LINE.match(line):
            path = table + _path(match.group(1))
            for end in range(len(table) + 1, len(path) + 1):  # a dotted key opens its tables
                lines.setdefault(path[:end], number)
            rest = line[match.end():]
            open_quote = next((q for q in ('"""', "'''") if rest.count(q) % 2 == 1), None)
    return lines


def line_of_key(lines: dict[tuple[str, ...], int], loc: tuple) -> int | None:
    """The line of a key, else of the nearest table holding it (a missing key); None for a
    missing top-level key, which has no line to point at."""
    path = tuple(str(part) for part in loc)
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
