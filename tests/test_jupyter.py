"""In a fresh Jupyter kernel, as a new user meets denpa: History.plot shows inline without `%matplotlib inline`
(once, with it too), and fit() shows tqdm's notebook widget (or tqdm's text bar without ipywidgets)."""
from __future__ import annotations

import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDGET = "application/vnd.jupyter.widget-view+json"

CELLS = [
    # CI=true in the environment turns bars off (as in a terminal); a user's notebook has no CI variable
    "import os; os.environ.pop('CI', None)",
    """from denpa.train import History
h = History()
for e, (loss, acc) in enumerate([(2.3, 0.2), (0.6, 0.8), (0.3, 0.9)], 1):
    h.append(e, loss=loss, val_loss=loss * 1.1, accuracy=acc, val_accuracy=acc - 0.05)
h.plot()""",
    "%matplotlib inline\nh.plot()",
    """import autograd, nn, optim
from denpa.train import fit
_ = autograd.manual_seed(0)
x = autograd.randn(64, 2); y = (x[:, 0] > 0).long()
model = nn.Linear(2, 2)
history = fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.5),
              list(zip(x.split(16), y.split(16))), epochs=1, verbose=False)""",
]


def _run(cells, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="needs nbformat, nbclient, ipykernel: pip install -e '.[test]'")
    nbclient = pytest.importorskip("nbclient", reason="needs nbclient: pip install -e '.[test]'")
    pytest.importorskip("ipykernel", reason="needs ipykernel: pip install -e '.[test]'")
    pytest.importorskip("matplotlib", reason="History.plot needs matplotlib")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    old = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", ROOT + (os.pathsep + old if old else ""))
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": ROOT}}).execute()
    return nb.cells


def test_plot_shows_inline_and_fit_shows_a_bar_in_a_fresh_kernel(monkeypatch):
    cells = _run(CELLS, monkeypatch)
    pngs = [[o for o in c.outputs if "image/png" in o.get("data", {})] for c in cells]
    assert len(pngs[1]) == 1, cells[1].outputs  # without %matplotlib inline: the picture, not "<Figure ...>"
    assert len(pngs[2]) == 1, cells[2].outputs  # with it: still the picture, once
    outputs = cells[3].outputs
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
        assert "epoch 1/1" in text, outputs
    else:
        assert any(WIDGET in o.get("data", {}) for o in outputs), outputs
