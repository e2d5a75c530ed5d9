"""Small case folders for the quality tests, written into a temporary folder."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from model.bundled import cases_root

WANG_SMITH = cases_root() / "wang-smith-1994"


def write_case(folder: Path, files: dict[str, str]) -> Path:
    """Write {file name: text} (dedented, stripped lines) as a case folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        lines = [line.strip() for line in text.strip().splitlines()]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def copy_case(src: Path, dst: Path, **toml_replacements: str) -> Path:
    """Copy a case folder; replace `key = ...` lines of case.toml (values given as TOML)."""
    shutil.copytree(src, dst)
    toml = dst / "case.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    done = set()
    for i, line in enumerate(lines):
        key = line.split("=")[0].strip()
        if key in toml_replacements:
            lines[i] = f"{key} = {toml_replacements[key]}"
            done.add(key)
    # new top-level keys must precede any [table]
    head = [f"{k} = {v}" for k, v in toml_replacements.items() if k not in done]
    toml.write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    return dst


def with_limit(case, use: tuple[str, str], contaminant: str, limit: float | None):
    """The case with one use's max_inlet_ppm changed."""
    q = case.quality
    uses = dict(q.uses)
    key = (*use, contaminant)
    uses[key] = dataclasses.replace(uses[key], max_inlet_ppm=limit)
    return dataclasses.replace(case, quality=dataclasses.replace(q, uses=uses))


def with_feed_limit(case, train: str, contaminant: str, limit: float):
    q = case.quality
    limits = dict(q.max_feed_ppm)
    limits[train, contaminant] = limit
    return dataclasses.replace(case, quality=dataclasses.replace(q, max_feed_ppm=limits))


def source_ppm(case, source: str, contaminant: str) -> float:
    """Concentration of an allocation row's source, from the case data (not the model)."""
    q = case.quality
    if source == "tap":
        return q.tap_ppm[contaminant]
    if source.startswith("direct:"):
        plant, use = source[len("direct:"):].split("/", 1)
        return q.outlet((plant, use), contaminant)
    return q.product_ppm[source, contaminant]
