"""The drought-rationing notebook runs top to bottom (it is shipped with outputs cleared)."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_drought_rationing.ipynb"


def test_drought_notebook_executes_and_is_shipped_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    last = nb.cells[-1].outputs
    assert last, "the last cell shows the model's cumulative savings at the published dates"
