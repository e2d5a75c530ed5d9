"""Write small case folders for tests: a dict of file name -> text, with a default steady core."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

# One plant, one use that returns all its water (a = 1), one train at 50% recovery that can
# treat once (K = 1), ample capacity: the least tap is D / (1 + r) = D / 1.5.
ONE_USE = {
    "case.toml": 'name = "one-use"\nmax_recycles = 1\n',
    "plants.csv": "plant,zone\nP,1\n",
    "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,100,1.0,\n",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1000,0.5,1,0\n",
}


def write_case(folder: Path, files: dict[str, str], base: dict[str, str] = ONE_USE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**base, **files}.items():
        if text is not None:
            (folder / name).write_text(dedent(text).lstrip(), encoding="utf-8")
    return folder
