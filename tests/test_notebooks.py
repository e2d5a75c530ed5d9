"""Execute every notebook in notebooks/ from top to bottom; a notebook that raises fails.

Every notebook carries `assert` cells for the figures it shows (01: demand met per plant, tap
shares, marginal values, the closed form by generation; 02: the published Wang & Smith targets,
the pinch curve and its marginal value, the NTIP pinch; 03: caps kept and no shortage under the
shipped schedules, the deep-cut bars, the cut curve, the published cumulative savings), so
running them checks both that they still work against the package and that what they show is
right. `test_every_notebook_asserts` keeps it that way.

The notebooks are stored with their outputs (charts as PNG), written by `notebooks/execute.py`,
so that they read without being run. The test executes a copy cleared of them, so that nothing
stored is taken as a result; `test_stored_outputs_are_one_clean_run` checks that what is stored
comes from one top-to-bottom run without an error, and that the files stay small.

The kernel is always the interpreter running the tests (`sys.executable`), so the notebooks
import the `model` under test even if some other "python3" kernelspec is installed on the
machine. Everything the kernel writes (connection file, IPython profile, matplotlib cache) and
its working directory are kept in pytest's temporary directory.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 300


def test_notebooks_are_found() -> None:
    # guards against the glob silently matching nothing (the parametrized test would then vanish)
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_asserts(path: Path) -> None:
    # a notebook that only has to execute checks nothing it shows
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sum("assert " in source for source in code) >= 2, path.name


MAX_BYTES = 1_000_000  # a notebook with its charts; an embedded plotly.js would be ~4 MB


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_outputs_are_one_clean_run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # every cell run, in order, once: a stale output of an earlier run has a stray count
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), path.name
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"], path.name
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: no chart"
    assert path.stat().st_size < MAX_BYTES, path.name


def cleared(nb):
    """The notebook with no stored output: what runs is judged, never what was stored."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = cleared(nbformat.read(path, as_version=4))

    # A "python3" kernelspec, searched first via JUPYTER_PATH, that runs this interpreter.
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (tests)",
        "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "matplotlib"))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebook picks the inline backend

    workdir = tmp_path / "work"
    workdir.mkdir()
    client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell raises

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert not any(workdir.iterdir()), "the notebook wrote files into its working directory"
