"""History: what each epoch of a run measured, and its loss and accuracy curves."""
from __future__ import annotations

import math
from typing import Iterator, Optional


class History:
    """Per-epoch values by name (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ``lr``, ...).

    Like Keras' ``History``: ``history["val_loss"]`` is a list with one value
    per epoch and ``history.epoch`` the epoch numbers (1-based). A value an
    epoch did not measure is NaN, so every list has one entry per epoch.

    >>> h = History()
    >>> h.append(1, loss=0.9, val_loss=1.0)
    >>> h.append(2, loss=0.5, val_loss=0.7)
    >>> h["val_loss"], h.best("val_loss")
    ([1.0, 0.7], (2, 0.7))
    """

    __slots__ = ("epoch", "history")

    def __init__(self):
        self.epoch: list = []
        self.history: dict = {}

    def append(self, epoch: int, **values: float) -> None:
        """Record epoch ``epoch``'s values by name; names it lacks become NaN, and a new name gets NaN for the
        epochs before it, so every column keeps one entry per epoch."""
        n = len(self.epoch)
        for name in values:
            if name not in self.history:
                self.history[name] = [math.nan] * n
        for name, column in self.history.items():
            column.append(float(values[name]) if name in values and values[name] is not None else math.nan)
        self.epoch.append(int(epoch))

    def __getitem__(self, name: str) -> list:
        try:
            return self.history[name]
        except KeyError:
            raise KeyError(f"History: no metric {name!r}; recorded: {sorted(self.history)}") from None

    def __contains__(self, name) -> bool:
        return name in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def __iter__(self) -> Iterator[dict]:
        """One dict per epoch: ``{'epoch': 1, 'loss': ..., ...}``."""
        for i, e in enumerate(self.epoch):
            yield {"epoch": e, **{k: v[i] for k, v in self.history.items()}}

    def keys(self):
        """The names of the recorded values (``loss``, ``val_loss``, ...), as ``dict.keys``."""
        return self.history.keys()

    def best(self, monitor: str, mode: str = "auto") -> tuple:
        """``(epoch, value)`` of the best finite value of ``monitor`` (lowest, or highest for accuracy)."""
        mode = resolve_mode(monitor, mode)
        pairs = [(v, e) for e, v in zip(self.epoch, self[monitor]) if math.isfinite(v)]
        if not pairs:
            raise ValueError(f"History.best: {monitor!r} has no finite value")
        v, e = (min if mode == "min" else max)(pairs, key=lambda p: p[0])
        return e, v

    def __repr__(self):
        last = {k: round(v[-1], 4) for k, v in self.history.items()} if self.epoch else {}
        return f"History(epochs={len(self)}, last={last})"

    # -- plain data: JSON summaries and checkpoints ------------------------------
    def to_dict(self) -> dict:
        """``{'epoch': [...], name: [...]}`` with NaN written as None (valid JSON)."""
        out = {"epoch": list(self.epoch)}
        for k, v in self.history.items():
            out[k] = [x if math.isfinite(x) else None for x in v]
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "History":
        """The History that :meth:`to_dict` wrote (None read back as NaN); a column whose length is not the
        number of epochs raises ValueError.

        >>> History.from_dict({"epoch": [1, 2], "loss": [0.9, None]})["loss"]
        [0.9, nan]
        """
        h = cls()
        h.epoch = [int(e) for e in d["epoch"]]
        for k, v in d.items():
            if k != "epoch":
                h.history[k] = [math.nan if x is None else float(x) for x in v]
                if len(h.history[k]) != len(h.epoch):
                    raise ValueError(f"History.from_dict: {k!r} has {len(h.history[k])} values "
                                     f"for {len(h.epoch)} epochs")
        return h

    # -- curves -------------------------------------------------------------------
    def plot(self, path=None, *, best_epoch: Optional[int] = None, title: Optional[str] = None, lang: str = "en"):
        """Loss and accuracy curves, train and validation; saved to ``path`` (PNG, SVG, PDF) when given.
        ``lang="ja"`` labels the axes and the legend in Japanese (損失, 正解率, エポック, 訓練, 検証; the figure
        then needs a font with kana and kanji: :func:`denpa.fonts.use_japanese_font`).

        Accuracy is drawn in per cent, as the console prints it; loss goes on a
        log axis when its values span more than two decades (a fast early drop
        would flatten the rest). Returns the matplotlib ``Figure``: it shows
        inline as a cell's result in Jupyter, with or without ``%matplotlib
        inline``; it uses no pyplot state and draws with the Agg canvas, so it
        works without a display.

        >>> h = History()
        >>> for e, (l, a) in enumerate([(2.3, 0.2), (0.5, 0.8), (0.01, 0.99)], 1):
        ...     h.append(e, loss=l, val_loss=l * 1.1, accuracy=a, val_accuracy=a - 0.05)
        >>> loss_ax, acc_ax = h.plot().axes
        >>> loss_ax.get_yscale(), acc_ax.get_ylabel(), float(max(acc_ax.lines[0].get_ydata()))
        ('log', 'accuracy (%)', 99.0)
        >>> h.plot(lang="ja").axes[1].get_ylabel()
        '正解率 (%)'
        """
        from .figures import new_figure, words

        w = words(lang, "History.plot")

        try:
            from matplotlib.ticker import MaxNLocator
        except ImportError:
            raise ImportError("History.plot needs matplotlib: pip install matplotlib "
                              "(or pip install 'denpa[data]')") from None
        panels = [p for p in ("loss", "accuracy") if p in self.history or f"val_{p}" in self.history]
        if not panels:
            raise ValueError(f"History.plot: nothing to plot; recorded: {sorted(self.history)}")
        fig = new_figure((5.0 * len(panels), 3.8), what="History.plot", layout="constrained")
        for ax, name in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
            scale = 100.0 if name == "accuracy" else 1.0  # accuracy in %, as the per-epoch lines print it
            values = []
            for key, label, style in ((name, w["train"], "-"), (f"val_{name}", w["validation"], "--")):
                if key in self.history:
                    ys = [v * scale for v in self.history[key]]
                    values += [v for v in ys if math.isfinite(v)]
                    ax.plot(self.epoch, ys, style, marker="o", markersize=3, label=label)
            if best_epoch is not None:
                ax.axvline(best_epoch, color="grey", linewidth=1, linestyle=":", label=w["best"].format(epoch=best_epoch))
            if name == "loss" and spans_decades(values, 2):
                ax.set_yscale("log")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(w["epoch"])
            ax.set_ylabel(w[name] + (w["log"] if ax.get_yscale() == "log" else ""))
            ax.grid(True, alpha=0.3)
            ax.legend()
        if title:
            fig.suptitle(title)
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig

    def plot_gradient_flow(self, path=None, *, title: Optional[str] = None):
        """Per-layer gradient norms (and update ratios) that :class:`~denpa.train.gradient_flow.GradientFlow`
        recorded, one line per layer on a log scale; returns the ``Figure``."""
        from .gradient_flow import plot_gradient_flow
        return plot_gradient_flow(self, path, title=title)


def spans_decades(values, decades: float) -> bool:
    """Whether positive ``values`` span more than ``decades`` powers of ten (a log axis then reads better).

    >>> spans_decades([2.3, 0.5, 0.01], 2), spans_decades([2.3, 0.5, 0.1], 2), spans_decades([1.0, 0.0], 2)
    (True, False, False)
    """
    pos = [v for v in values if v > 0 and math.isfinite(v)]
    return len(pos) == len(values) and len(pos) > 1 and max(pos) > min(pos) * 10 ** decades


def resolve_mode(monitor: str, mode: str = "auto") -> str:
    """'min' or 'max': ``auto`` maximises accuracy-like metrics and minimises the rest (losses)."""
    if mode == "auto":
        return "max" if any(w in monitor for w in ("acc", "f1", "auc", "precision", "recall")) else "min"
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min', 'max' or 'auto', got {mode!r}")
    return mode
