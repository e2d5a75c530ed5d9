"""A case folder as the reader toolkit sees it: CSV files as records of text cells, TOML files
as settings with the line of each key.

The toolkit (`model.case.tables`) asks a source for the records of a table file and the raw
settings of a TOML file; `FolderSource` reads them from files, `WorkbookSource`
(`model.case.workbook`) from the sheets of one workbook. Everything else (schemas, keys,
references, lists, the words of a problem) is the toolkit's, written once for both.

- CSV: UTF-8 with or without a byte-order mark, every cell read as text (so "007" stays a name
  and "1e3" is parsed by the schema, not guessed by a sniffer), line numbers as an editor
  counts them (a quoted cell may span lines);
- TOML: the same encoding rules, and the line where each key is written.
"""
from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

from model.case.problems import Problems
from model.errors import Problem

Records = list[tuple[int, list[str]]]        # (line or row, cells as text); the header first
KeyLines = dict[tuple[str, ...], int]        # a dotted key -> the line it is written on


class FolderSource:
    """The files of a case folder. Nothing is ever written to it."""

    def __init__(self, path: Path):
        self.path = path

    def opening_problems(self) -> list[Problem]:
        return []

    def has(self, file: str) -> bool:
        return (self.path / file).is_file()

    def records(self, file: str, problems: Problems) -> Records | None:
        """The CSV records of a file, each with the line it starts on as an editor counts lines
        (a quoted cell may span lines: a note with a line break), trailing blank lines dropped;
        None (problems added) when the file cannot be read as CSV.
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
            problems.add(file, f"is not UTF-8 text (byte {exc.start}): save it as UTF-8 CSV")
            return None
        except csv.Error as exc:
            problems.add(file, f"is not readable as CSV: {exc}")
            return None
        while records and not any(cell.strip() for cell in records[-1][1]):
            records.pop()
        if not records:
            problems.add(file, "file is empty: it needs a header row")
            return None
        return records

    def raw_settings(self, file: str, problems: Problems) -> tuple[dict, KeyLines] | None:
        """The TOML file as a dict, and the line of each key; None (problems added) when it is
        not UTF-8 or not valid TOML."""
        try:
            text = (self.path / file).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.add(file, f"is not UTF-8 text (byte {exc.start})")
            return None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # tomllib gives the position only inside its message: "... (at line 3, column 5)"
            at = re.search(r"at line (\d+)", str(exc))
            problems.add(file, f"not valid TOML: {exc}", int(at.group(1)) if at else None)
            return None
        return raw, key_lines(text)

    def width_rule(self, cells: int, header: int) -> str:
        """The rule a row breaks when its cell count differs from the header's."""
        return f"has {cells} cells; the header has {header}"

    def locate(self, problem: Problem) -> Problem:
        """A problem as the user sees it: in a folder, as the toolkit wrote it."""
        return problem


# --- where a TOML key is written ----------------------------------------------------------------

_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_TABLE_LINE = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=")


def _path(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_BARE_OR_QUOTED, dotted)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def key_lines(text: str) -> KeyLines:
    """The line where each key and [table] of a TOML text is first written: ("tap", "cap") for
    `cap = ...` under `[tap]`, or for `tap.cap = ...`. Lines inside multi-line strings are
    skipped, so a description cannot be mistaken for keys."""
    lines: KeyLines = {}
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
