"""The case folders that ship with the package (the repository's `data/` folder).

A wheel installs `data/` as the folder `model/cases` (see pyproject.toml); a source checkout or an
editable install reads `data/` beside the package.
"""
from __future__ import annotations

from pathlib import Path

DEFAULT_CASE = "ntip-2019-phase2"
_PACKAGE = Path(__file__).resolve().parent


def cases_root() -> Path:
    installed = _PACKAGE / "cases"
    return installed if installed.is_dir() else _PACKAGE.parent / "data"


def bundled_case(name: str = DEFAULT_CASE) -> Path:
    return cases_root() / name


def bundled_case_names() -> list[str]:
    return sorted(p.name for p in cases_root().iterdir() if (p / "case.toml").is_file())
