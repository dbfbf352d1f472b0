"""Every notebook, in both editions (English in notebooks/, Japanese in notebooks/ja/), runs top to bottom
without an error, and the two editions of a notebook are one program.

The kernel starts at the repository root with the root on PYTHONPATH, so the
notebooks ``import autograd`` from this checkout without an install. Needs
nbformat, nbclient and ipykernel (``pip install -e ".[test]"``); skipped, with
the reason, where one of them is missing.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb"))
                   + glob.glob(os.path.join(ROOT, "notebooks", "ja", "*.ipynb")))
CELL_TIMEOUT_S = 120  # a hung cell fails the test instead of hanging the suite
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji


def _build_module():
    spec = importlib.util.spec_from_file_location("notebooks_build", os.path.join(ROOT, "notebooks", "_build.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_build = _build_module()
SOURCES = _build.sources()


def _japanese_font():
    """The Japanese font matplotlib would use, or None (the figures' kana and kanji then come out as boxes)."""
    try:
        from denpa import fonts
        import matplotlib
    except ImportError:
        return None
    with matplotlib.rc_context():
        return fonts.use_japanese_font(warn=False)


def _id(path):
    return os.path.relpath(path, os.path.join(ROOT, "notebooks"))


def _require(module):
    return pytest.importorskip(module, reason=f"{module} is not installed; the notebook tests need "
                                              "nbformat, nbclient and ipykernel (pip install -e '.[test]')")


def test_notebooks_found():
    assert NOTEBOOKS, "no notebooks found under notebooks/"
    assert SOURCES, "no notebook sources under notebooks/src/"


def test_every_notebook_has_both_editions():
    """Each source has an English and a Japanese edition, and no notebook exists without a source."""
    expected = {_build.edition_path(name, lang) for name, _ in SOURCES for lang in _build.LANGS}
    missing = sorted(_id(p) for p in expected if not os.path.exists(p))
    assert not missing, f"editions missing (run python notebooks/_build.py): {missing}"
    orphans = sorted(_id(p) for p in set(NOTEBOOKS) - expected)
    assert not orphans, f"notebooks with no source in notebooks/src/ (one language only?): {orphans}"


@pytest.mark.parametrize("name,src", SOURCES, ids=[n for n, _ in SOURCES])
def test_editions_are_one_program(name, src):
    """Code cells differ between the editions only in comments and string literals; the files match the source."""
    nbformat = _require("nbformat")
    import runpy

    module = runpy.run_path(src)
    editions = {}
    for lang in _build.LANGS:
        nb = nbformat.read(_build.edition_path(name, lang), as_version=4)
        built = _build.cells_for(module, lang, where=name)
        assert [({"markdown": "md"}.get(c.cell_type, c.cell_type), c.source) for c in nb.cells] == built, (
            f"notebooks/{_id(_build.edition_path(name, lang))} is stale: rebuild it with "
            f"python notebooks/_build.py {name[:2]}")
        editions[lang] = nb
    en, ja = editions["en"].cells, editions["ja"].cells
    assert [c.cell_type for c in en] == [c.cell_type for c in ja]
    for i, (a, b) in enumerate(zip(en, ja)):
        if a.cell_type == "code":
            assert _build.code_skeleton(a.source) == _build.code_skeleton(b.source), (
                f"{name}: code cell {i} differs between the editions beyond comments and strings")
        else:
            assert JAPANESE.search(b.source), f"{name}: Japanese markdown cell {i} has no Japanese text"
            assert a.source != b.source, f"{name}: markdown cell {i} is not translated"


def test_code_differences_are_caught():
    assert _build.code_skeleton("plt.title('loss')  # the loss") == _build.code_skeleton("plt.title('損失')  # 損失")
    assert _build.code_skeleton("lr = 0.1") != _build.code_skeleton("lr = 0.2")
    assert _build.code_skeleton("f'{a:.2f} loss'") != _build.code_skeleton("f'{b:.2f} 損失'")
    with pytest.raises(ValueError, match="match no comment or string"):
        _build.cells_for({"CELLS": [("code", "x = 1  # one")], "JA_CODE": {"two": "二"}}, "ja")
    assert _build.cells_for({"CELLS": [("code", "one = 'one'  # one")], "JA_CODE": {"one": "一"}}, "ja") == [
        ("code", "one = '一'  # 一")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[_id(p) for p in NOTEBOOKS])
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
        pytest.fail(f"{_id(path)}: a cell raised:\n{e}", pytrace=False)

    # belt and braces: no error output anywhere (a cell tagged raises-exception would pass execute())
    errors = [(i, out.get("ename"), out.get("evalue")) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors, f"{_id(path)}: cells with errors (index, type, message): {errors}"
    # every figure's text rendered: matplotlib warns of each character it had to draw as an empty box
    boxes = [(i, out.get("text", "")[:200]) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             for out in cell.get("outputs", []) if out.get("output_type") == "stream"
             and ("missing from font" in out.get("text", "") or "does not have a glyph" in out.get("text", ""))]
    if boxes and _japanese_font() is None:
        pytest.skip(f"{_id(path)} ran, but its Japanese text is drawn as boxes: no Japanese font is installed "
                    "(pip install matplotlib-fontja, part of the test extra)")
    assert not boxes, f"{_id(path)}: figures with missing glyphs: {boxes}"
