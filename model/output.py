"""Write results to disk atomically: a reader never sees a half-written file.

Each file is written to a temporary name in the target folder and moved into place with
`os.replace` only after every file of the set has been written.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from model.results import Results


def _clean(value):
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def summary_json(summary: dict) -> str:
    return json.dumps(_clean(summary), indent=2) + "\n"


def write_files_atomically(files: dict[Path, str]) -> None:
    """Write every {path: text}; nothing is moved into place unless all were written."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def output_files(results: Results, out_dir: Path) -> dict[Path, str]:
    """The `--out` set: allocation.csv, feeds.csv, trains.csv, plants.csv, uses.csv,
    summary.json, and quality.csv for a case with a quality layer."""
    tables = {
        "allocation.csv": results.allocation,
        "feeds.csv": results.feeds,
        "trains.csv": results.trains,
        "plants.csv": results.plants,
        "uses.csv": results.uses,
    }
    if results.quality is not None:
        tables["quality.csv"] = results.quality  # cases with a quality layer only
    tables.update(results.extra)
    files = {out_dir / name: df.to_csv(index=False) for name, df in tables.items()}
    files[out_dir / "summary.json"] = summary_json(results.summary)
    return files
