"""The case folders that ship with the package (the repository's `data/` folder).

An installed wheel carries them as the `model.cases` package; a source checkout reads `data/`.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_CASE = "ntip-2019-phase2"


def cases_root() -> Path:
    try:
        root = Path(str(resources.files("model.cases")))
        if root.is_dir():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "data"


def bundled_case(name: str = DEFAULT_CASE) -> Path:
    return cases_root() / name


def bundled_case_names() -> list[str]:
    return sorted(p.name for p in cases_root().iterdir() if (p / "case.toml").is_file())
