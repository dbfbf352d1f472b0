"""Build the notebooks from their cell lists in notebooks/src/ (edit there, then rebuild).

Each ``notebooks/src/NAME.py`` defines ``CELLS``, a list of ``("md" | "code", text)``
pairs, and becomes ``notebooks/NAME.ipynb``.

    python notebooks/_build.py               # build and run every notebook, saving the outputs
    python notebooks/_build.py 01 08         # only those whose name starts with 01 or 08
    python notebooks/_build.py --no-execute  # write them without outputs

Running needs ``nbformat`` (and ``nbclient`` + ``ipykernel`` to execute); the
kernel starts at the repository root with the root on PYTHONPATH, as in
tests/test_notebooks.py.
"""
from __future__ import annotations

import glob
import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def sources(prefixes=()):
    paths = sorted(glob.glob(os.path.join(HERE, "src", "*.py")))
    names = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    return [(n, p) for n, p in zip(names, paths) if not prefixes or n.startswith(tuple(prefixes))]


def build(cells):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, src in cells:
        nb.cells.append(nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src))
    for i, cell in enumerate(nb.cells):  # stable ids, so a rebuild gives the same file
        cell["id"] = f"cell-{i:02d}"
    return nb


def execute(nb):
    from nbclient import NotebookClient

    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = ROOT + (os.pathsep + env_path if env_path else "")
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": ROOT}}).execute()
    for cell in nb.cells:  # timings and kernel details would change on every rebuild
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _coalesce(cell.outputs)
    nb.metadata.pop("widgets", None)


def _coalesce(outputs):
    """Merge runs of stdout (or stderr) chunks: how prints split into chunks depends on timing."""
    merged = []
    for out in outputs:
        if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == out.name):
            merged[-1].text += out.text
        else:
            merged.append(out)
    return merged


def main(argv):
    import nbformat

    prefixes = [a for a in argv if not a.startswith("--")]
    for name, path in sources(prefixes):
        nb = build(runpy.run_path(path)["CELLS"])
        if "--no-execute" not in argv:
            execute(nb)
        nbformat.validate(nb)
        out = os.path.join(HERE, name + ".ipynb")
        nbformat.write(nb, out)
        print("wrote", os.path.relpath(out, ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
