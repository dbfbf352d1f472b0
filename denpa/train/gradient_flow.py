"""Gradient flow: each layer's gradient norm (and weight-update ratio) at every optimizer step.

Watching these per layer is how one *sees* vanishing or exploding gradients: in a
deep sigmoid network the first layers' norms sit orders of magnitude below the
last's; with ReLU and He initialisation, or with batch normalisation, the lines
stay together. The update ratio ``||Δθ|| / ||θ||`` shows how fast each layer
actually moves (about 1e-3 per step is a common rule of thumb).
"""
from __future__ import annotations

import functools
import math
import types
from typing import Optional

from autograd.backend import array_module
from .history import History

__all__ = ["GradientFlow", "plot_gradient_flow"]


def _sq(a) -> float:
    xp = array_module(a)
    return float(xp.sum(xp.square(a.astype(xp.float64, copy=False))))


class GradientFlow:
    """Record each layer's gradient norm, and optionally its update ratio, at every optimizer step.

    A *layer* is a module that holds parameters itself (``nn.Linear``,
    ``nn.BatchNorm1d``, ...); its gradient norm is that of all its parameters'
    gradients together. ``GradientFlow(model, optimizer)`` attaches to the
    optimizer: each ``optimizer.step()`` first records the gradients it is about
    to apply, then (with ``update_ratio=True``) ``||θ_new - θ_old|| / ||θ_old||``.
    It works the same in a hand-written loop and in :class:`Trainer` (pass it in
    ``callbacks`` too, and the plot marks where each epoch ended). Without an
    optimizer, call :meth:`record` yourself after ``backward()``. Results are in
    ``flow.history``, a :class:`History` indexed by step (its ``epoch`` list holds
    the step numbers), with columns ``grad_norm/<layer>`` and ``update_ratio/<layer>``;
    ``flow.history.plot_gradient_flow()`` draws them.

    >>> import autograd, nn, optim
    >>> _ = autograd.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1))
    >>> opt = optim.SGD(model.parameters(), lr=0.1)
    >>> flow = GradientFlow(model, opt, update_ratio=True)
    >>> for _ in range(3):
    ...     opt.zero_grad(); model(autograd.randn(8, 3)).pow(2).mean().backward(); opt.step()
    >>> flow.layers, len(flow.history)
    (['0', '2'], 3)
    >>> sorted(flow.history.keys())
    ['grad_norm/0', 'grad_norm/2', 'update_ratio/0', 'update_ratio/2']
    >>> flow.history["grad_norm/0"][0] > 0
    True
    >>> flow.detach()
    """

    def __init__(self, model, optimizer=None, *, update_ratio: bool = False, every: int = 1):
        if every < 1:
            raise ValueError(f"GradientFlow: every must be a positive number of steps, got {every}")
        groups = []
        for name, module in model.named_modules():
            params = [p for _, p in module.named_parameters(recurse=False) if p.requires_grad]
            if params:
                groups.append((name or type(module).__name__, type(module).__name__, params))
        if not groups:
            raise ValueError(f"GradientFlow: {type(model).__name__} has no parameters that require grad")
        self.layers = [g[0] for g in groups]
        self.layer_types = {g[0]: g[1] for g in groups}
        self._params = {g[0]: g[2] for g in groups}
        self.update_ratio = bool(update_ratio)
        self.every = int(every)
        self.history = History()
        self.epoch_ends: list = []  # last step of each epoch, when used as a Trainer callback
        self.steps = 0
        self._optimizer = self._step = self._func = self._previous = None
        if optimizer is not None:
            self.attach(optimizer)

    # -- recording -------------------------------------------------------------------------------
    def grad_norms(self) -> dict:
        """``{layer: ||gradient||}`` now (NaN for a layer none of whose parameters has a gradient)."""
        out = {}
        for name, params in self._params.items():
            sq = [_sq(p.grad.array) for p in params if p.grad is not None]
            out[name] = math.sqrt(sum(sq)) if sq else math.nan
        return out

    def record(self, **extra: float) -> dict:
        """Record the current gradients as one step (for loops that do not attach an optimizer)."""
        self.steps += 1
        values = {f"grad_norm/{k}": v for k, v in self.grad_norms().items()}
        self.history.append(self.steps, **values, **extra)
        return values

    def _snapshot(self) -> dict:
        return {name: [p.array.copy() for p in params] for name, params in self._params.items()}

    def _ratios(self, before: dict) -> dict:
        out = {}
        for name, params in self._params.items():
            moved = sum(_sq(p.array - old) for p, old in zip(params, before[name]))
            size = sum(_sq(old) for old in before[name])
            out[f"update_ratio/{name}"] = math.sqrt(moved / size) if size > 0 else math.nan
        return out

    # -- the optimizer hook -------------------------------------------------------------------------
    def attach(self, optimizer) -> "GradientFlow":
        """Record at each ``optimizer.step()`` from now on (wraps that one optimizer's ``step``).

        Works alongside a learning-rate scheduler's own wrapper of ``step``, whichever comes first.
        """
        if self._optimizer is not None:
            raise RuntimeError("GradientFlow.attach: already attached to an optimizer; call detach() first")
        original = optimizer.step
        previous = vars(optimizer).get("step")  # a scheduler's wrapper, kept on the instance like ours

        def step(opt, *args, **kwargs):
            attached = self._func is step  # False once detached (a scheduler's wrapper may still call us)
            if not attached or (self.steps + 1) % self.every:
                self.steps += 1 if attached else 0
                return original(*args, **kwargs)
            norms = self.grad_norms()
            before = self._snapshot() if self.update_ratio else None
            result = original(*args, **kwargs)
            self.steps += 1
            values = {f"grad_norm/{k}": v for k, v in norms.items()}
            if before is not None:
                values.update(self._ratios(before))
            self.history.append(self.steps, **values)
            return result

        functools.update_wrapper(step, original)  # keeps what a scheduler marked on the step it wrapped
        # a bound method, like the class's own step: an LR scheduler created later wraps it as it wraps that
        self._optimizer, self._func, self._previous = optimizer, step, previous
        self._step = optimizer.step = types.MethodType(step, optimizer)
        return self

    def detach(self) -> None:
        """Stop recording: the optimizer's ``step`` is what it was before :meth:`attach`."""
        if self._optimizer is None:
            return
        opt = self._optimizer
        if vars(opt).get("step") is self._step:  # nothing wrapped ours since: put back what was there
            if self._previous is None:
                del opt.step
            else:
                opt.step = self._previous
        # else a later wrapper (a scheduler's) calls ours: it now passes straight through
        self._optimizer = self._step = self._func = self._previous = None

    def __call__(self, trainer, epoch: int, logs: dict) -> None:
        """As a :class:`Trainer` callback: note where the epoch ended (the plot marks it)."""
        if self._optimizer is None:
            raise RuntimeError("GradientFlow: not attached to an optimizer, so it recorded nothing this epoch; "
                               "create it as GradientFlow(model, optimizer) before fit()")
        self.epoch_ends.append(self.steps)

    def plot(self, path=None, *, title: Optional[str] = None):
        """Same as ``self.history.plot_gradient_flow(...)``, with the epoch ends marked."""
        return plot_gradient_flow(self.history, path, title=title, epoch_ends=self.epoch_ends,
                                  layer_types=self.layer_types)


def plot_gradient_flow(history: History, path=None, *, title: Optional[str] = None, epoch_ends=(),
                       layer_types: Optional[dict] = None):
    """One line per layer, log scale: ``grad_norm/*`` (and ``update_ratio/*`` in a second panel) against the step.

    Returns the matplotlib ``Figure`` (Agg canvas, no pyplot state); saved to ``path`` when given.

    >>> h = History()
    >>> h.append(1, **{"grad_norm/0": 0.5, "grad_norm/2": 1e-3})
    >>> h.append(2, **{"grad_norm/0": 0.4, "grad_norm/2": 2e-3})
    >>> fig = plot_gradient_flow(h, layer_types={"0": "Linear", "2": "Linear"})
    >>> [line.get_label() for line in fig.axes[0].get_lines()], fig.axes[0].get_yscale()
    (['0 (Linear)', '2 (Linear)'], 'log')
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plot_gradient_flow needs matplotlib: pip install matplotlib") from None
    panels = [(prefix, label) for prefix, label in (("grad_norm/", "gradient norm"), ("update_ratio/", "update ratio"))
              if any(k.startswith(prefix) for k in history.keys())]
    if not panels:
        raise ValueError(f"plot_gradient_flow: no grad_norm/* or update_ratio/* columns; recorded: "
                         f"{sorted(history.keys())} (record them with GradientFlow)")
    fig = Figure(figsize=(5.5 * len(panels), 3.8), layout="constrained")
    FigureCanvasAgg(fig)
    for ax, (prefix, label) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        for key in history.keys():
            if key.startswith(prefix):
                layer = key[len(prefix):]
                kind = (layer_types or {}).get(layer)
                ax.plot(history.epoch, history[key], lw=1.2, label=f"{layer} ({kind})" if kind else layer)
        for end in epoch_ends:
            ax.axvline(end, color="grey", lw=0.6, ls=":")
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel(label)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize="small", ncol=2)
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
