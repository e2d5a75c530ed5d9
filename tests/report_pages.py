"""Helpers for the report tests: the figures a report page draws, read back from its HTML, and
the check that a workbook's sheets hold the same figures as the CSV files written beside it."""
from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.results.units import with_unit


def _decoded(value):
    """plotly writes numeric arrays as {"dtype", "bdata"[, "shape"]}: back to lists."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
            return array.tolist()
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def plotted(page: str) -> list[list[dict]]:
    """The traces of every plot of a page, in page order, as written into its HTML."""
    decoder = json.JSONDecoder()
    return [_decoded(decoder.raw_decode(page, m.end())[0])
            for m in re.finditer(r'Plotly\.newPlot\(\s*"[^"]*",\s*', page)]


def trace(traces: list[dict], name: str) -> dict:
    (found,) = [t for t in traces if t.get("name") == name]
    return found


def same_figures(got: list, want: list) -> bool:
    """The same numbers (relative 1e-12) in the same places, and None (no figure) where `want`
    has None."""
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if w is None:
            assert g is None
        else:
            assert g == pytest.approx(w, rel=1e-12)
    return True


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.summary, self.cell, self.where = [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "summary":
            self.where, self.summary = "summary", ""
        elif tag == "table":
            self.tables.append((self.summary, []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "summary":
            self.where = None
        elif tag in ("th", "td") and self.cell is not None:
            self.tables[-1][1][-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.where == "summary":
            self.summary += data
        elif self.cell is not None:
            self.cell += data


def page_tables(page: str) -> list[tuple[str | None, list[list[str]]]]:
    """Every HTML table of a page, in page order: the text of the <summary> before it (None if
    none) and its rows of cell texts, the header row first."""
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def assert_self_contained(page: str) -> None:
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and not any("src=" in tag for tag in scripts)
    assert not re.search(r"<(link|img|iframe)[^>]+(href|src)=\"?https?:", page)


def assert_sheets_are_the_csvs(book, folder: Path, sheets: list[str] | None = None) -> None:
    """Each CSV file of `folder` (or those named in `sheets`) is a sheet of `book` with the same
    header (units added), the same rows and the same figures; the header row frozen and bold."""
    csvs = sorted(p for p in folder.iterdir() if p.suffix == ".csv")
    assert book.sheetnames[0] == "summary"
    assert sorted(book.sheetnames[1:]) == sorted(sheets or [p.stem for p in csvs])
    for path in csvs:
        table = pd.read_csv(path, keep_default_na=False)
        sheet = book[path.stem]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == [with_unit(c) for c in table.columns]
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
        assert len(rows) - 1 == len(table), path.name
        for row, (_, expected) in zip(rows[1:], table.iterrows()):
            for got, want in zip(row, expected):
                if isinstance(got, (int, float)) and not isinstance(got, bool) \
                        or isinstance(want, float):
                    # a workbook keeps 16 significant digits; a CSV writes 17; a whole number
                    # reads back as an int, and a column with blanks reads from the CSV as text
                    assert got == pytest.approx(float(want), rel=1e-15, abs=1e-300), path.name
                else:
                    assert ("" if got is None else str(got)) == str(want), path.name


class _Stray(HTMLParser):
    HOLDERS = {"title", "style", "script", "h1", "h2", "h3", "p", "li", "summary", "th", "td"}
    FIGURE_PARTS = {"value", "label"}   # a headline figure: <div class="value"> and "label"
    VOID = {"meta", "br", "img", "hr", "input", "link"}

    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.stray: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs).get("class")))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not data.strip():
            return
        tag, cls = self.open[-1] if self.open else (None, None)
        if not (tag in self.HOLDERS or (tag == "div" and cls in self.FIGURE_PARTS)):
            self.stray.append(data.strip())


def stray_text(page: str) -> list[str]:
    """Text a page shows outside the elements meant to hold it (title, headings, paragraphs,
    list items, table cells, a table's summary line, a headline figure's value and label):
    words or marks between the page's blocks."""
    parser = _Stray()
    parser.feed(page)
    return parser.stray
