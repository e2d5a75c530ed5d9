"""Write small case folders for tests: case.toml and the three CSV tables, from plain dicts.

Tests start from `valid_tables()`, change one thing (a cell, a column, a key, a whole file) and
write the folder with `write_case`. A table given as None is not written, so the file is missing.
Cells are written exactly as given (str()), so a test can put text such as "nan" or "" in a cell.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import math
from pathlib import Path

FILES = ("case.toml", "plants.csv", "uses.csv", "treatment.csv")


def valid_tables() -> dict:
    """A tiny valid case: two plants in two zones, three uses, one train serving both zones.

    Line numbers as an editor shows them (header = line 1): plants P1 line 2, P2 line 3;
    uses P1/rinse line 2, P1/scrubber line 3, P2/cooling line 4; train T1 line 2.
    """
    return copy.deepcopy({
        "case.toml": {"name": "tiny", "max_recycles": 2},
        "plants.csv": [
            {"plant": "P1", "zone": "Z1"},
            {"plant": "P2", "zone": "Z2"},
        ],
        "uses.csv": [
            {"plant": "P1", "use": "rinse", "demand_m3_per_day": 100,
             "return_fraction": 0.9, "max_recycles": ""},
            {"plant": "P1", "use": "scrubber", "demand_m3_per_day": 50,
             "return_fraction": 0.8, "max_recycles": 1},
            {"plant": "P2", "use": "cooling", "demand_m3_per_day": 30,
             "return_fraction": 0.3, "max_recycles": ""},
        ],
        "treatment.csv": [
            {"train": "T1", "capacity_m3_per_day": 1000, "recovery": 0.7, "zones": "Z1;Z2"},
        ],
    })


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value)  # a JSON string without control characters is a TOML basic string


def toml_text(settings: dict) -> str:
    """`settings` as TOML: plain keys first, then one [table] per dict value."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in settings.items() if not isinstance(v, dict)]
    for table, values in settings.items():
        if isinstance(values, dict):
            lines.append(f"\n[{table}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def csv_text(rows: list[dict], columns: list[str] | None = None) -> str:
    """Rows as CSV; the header is `columns`, or every key in order of first appearance."""
    if columns is None:
        columns = list(dict.fromkeys(k for row in rows for k in row))
    lines = [columns] + [[str(row.get(c, "")) for c in columns] for row in rows]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(lines)
    return out.getvalue()


def write_case(folder: Path, tables: dict) -> Path:
    """Write the case folder. Values: dict (case.toml), list of row dicts (CSV), str (written
    verbatim, for text no dict can express), or None (file left out)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        content = tables.get(name)
        if content is None:
            continue
        if isinstance(content, str):
            text = content
        elif name == "case.toml":
            text = toml_text(content)
        else:
            text = csv_text(content)
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder
