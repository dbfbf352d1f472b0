"""Every notebook in notebooks/ runs top to bottom without an error.

The kernel starts at the repository root with the root on PYTHONPATH, so the
notebooks ``import autograd`` from this checkout without an install. Needs
nbformat, nbclient and ipykernel (``pip install -e ".[test]"``); skipped, with
the reason, where one of them is missing.
"""
from __future__ import annotations

import glob
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
CELL_TIMEOUT_S = 120  # a hung cell fails the test instead of hanging the suite


def _require(module):
    return pytest.importorskip(module, reason=f"{module} is not installed; the notebook tests need "
                                              "nbformat, nbclient and ipykernel (pip install -e '.[test]')")


def test_notebooks_found():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[os.path.basename(p) for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
    nbformat = _require("nbformat")
    nbclient = _require("nbclient")
    _require("ipykernel")

    nb = nbformat.read(path, as_version=4)
    old = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", ROOT + (os.pathsep + old if old else ""))  # the kernel inherits it
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",  # ipykernel's own kernel, run by this interpreter
        allow_errors=False,
        resources={"metadata": {"path": ROOT}},  # the kernel's working directory
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        pytest.fail(f"{os.path.basename(path)}: a cell raised:\n{e}", pytrace=False)

    # belt and braces: no error output anywhere (a cell tagged raises-exception would pass execute())
    errors = [(i, out.get("ename"), out.get("evalue")) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors, f"{os.path.basename(path)}: cells with errors (index, type, message): {errors}"
