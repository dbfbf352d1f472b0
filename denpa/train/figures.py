"""Figures that show themselves in Jupyter without ``%matplotlib inline`` and need no display anywhere else.

The plots of :mod:`denpa.train` use no pyplot state (so scripts, tests and CI
need no display and leave no open figures behind). A bare
``matplotlib.figure.Figure`` made that way shows only
``<Figure size 1000x380 with 2 Axes>`` in a fresh Jupyter kernel, because
IPython draws figures inline only once pyplot's inline backend was switched on.
:func:`new_figure` returns a ``Figure`` that also knows how to draw itself as
PNG (``_repr_png_``), which IPython uses when no backend has claimed figures.
"""
from __future__ import annotations

import io

_FIGURE_CLASS = None


def _inline_figure_class():
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        from matplotlib.figure import Figure

        class InlineFigure(Figure):
            """A ``Figure`` that Jupyter shows as a PNG image when it is a cell's result."""

            def _repr_png_(self) -> bytes:
                buf = io.BytesIO()
                self.savefig(buf, format="png", dpi=100)
                return buf.getvalue()

        _FIGURE_CLASS = InlineFigure
    return _FIGURE_CLASS


#: the plots' words by language (``lang="en"`` or ``"ja"``): axis labels, legend entries, the best-epoch mark
WORDS = {
    "en": {"epoch": "epoch", "loss": "loss", "accuracy": "accuracy (%)", "log": " (log scale)", "train": "train",
           "validation": "validation", "best": "best (epoch {epoch})"},
    "ja": {"epoch": "エポック", "loss": "損失", "accuracy": "正解率 (%)", "log": " (対数目盛り)", "train": "訓練",
           "validation": "検証", "best": "最良 (エポック {epoch})"},
}


def words(lang: str, what: str = "this plot") -> dict:
    """The plots' words in ``lang`` (``"en"`` or ``"ja"``); another value is refused, naming the caller.

    >>> words("ja")["loss"], words("en")["validation"]
    ('損失', 'validation')
    """
    if lang not in WORDS:
        raise ValueError(f"{what}: lang must be one of {sorted(WORDS)}, got {lang!r}")
    return WORDS[lang]


def new_figure(figsize, *, what: str = "this plot", **kwargs):
    """A matplotlib ``Figure`` on an Agg canvas (no pyplot, no display) that Jupyter shows inline.

    ``what`` names the caller in the message when matplotlib is missing.

    >>> fig = new_figure((2, 1))
    >>> fig._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:
        raise ImportError(f"{what} needs matplotlib: pip install matplotlib (or pip install 'denpa[data]')") from None
    fig = _inline_figure_class()(figsize=figsize, **kwargs)
    FigureCanvasAgg(fig)
    return fig
