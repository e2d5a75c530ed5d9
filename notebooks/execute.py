"""Execute every notebook in this folder top to bottom and store it with its outputs (charts
included), so that it reads on GitHub without being run:

    .venv/bin/python notebooks/execute.py            # all of them
    .venv/bin/python notebooks/execute.py 03_drought_rationing.ipynb

The kernel is this interpreter (so the notebooks show the `model` installed beside it), run in a
temporary folder; timings and other per-run metadata are not stored, so that a re-run changes
the file only where a figure changed. tests/test_notebooks.py executes a copy cleared of these
outputs, and checks that the stored ones come from one clean run.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def kernel_home(root: Path) -> None:
    """A "python3" kernelspec that runs this interpreter, searched first via JUPYTER_PATH."""
    spec = root / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    os.environ.update(JUPYTER_PATH=str(root / "jupyter"), JUPYTER_RUNTIME_DIR=str(root / "rt"),
                      IPYTHONDIR=str(root / "ipython"), MPLCONFIGDIR=str(root / "mpl"))
    os.environ.pop("MPLBACKEND", None)


def cleared(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    return nb


def execute(path: Path, workdir: Path) -> None:
    nb = cleared(nbformat.read(path, as_version=4))
    NotebookClient(nb, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata.get("language_info", {}).pop("version", None)
    nbformat.write(nb, path)
    print(f"{path.name}: {path.stat().st_size / 1e3:,.0f} kB")


def main(names: list[str]) -> None:
    paths = [HERE / n for n in names] or sorted(HERE.glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as root:
        kernel_home(Path(root))
        for path in paths:
            work = Path(root) / path.stem
            work.mkdir()
            execute(path, work)


if __name__ == "__main__":
    main(sys.argv[1:])
