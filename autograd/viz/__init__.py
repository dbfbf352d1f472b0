"""Draw the graph your code built, with Graphviz.

``autograd.draw(y)`` returns a ``graphviz.Digraph`` that shows inline in
Jupyter and saves with ``.save("graph.svg")`` (the format from the suffix) or
``.render(path, format="png")``. Its DOT text, ``.source``, needs nothing
installed; rendering needs Graphviz's ``dot`` program.

What is drawn, and how much can be known:

- one node per op, labelled as the op was called (``sum(axis=1)``,
  ``reshape(4, 3)``), with its output's shape where it can be recovered (see
  :mod:`autograd.viz.facts`: nodes do not keep their output tensors, and
  recording stores nothing for the drawing; only a Scalar graph keeps each
  value, a float, on its node, as micrograd does);
- one node per leaf tensor however many ops use it: its name (``tensor.name``,
  ``params=``, or its parameter name in the module that used it), shape, dtype,
  and device when not the CPU; leaves that require grad, other inputs and
  constants, and outputs are styled apart (see the legend, a small table below
  the graph that adds no width: :mod:`autograd.viz.legend`);
- in an SVG, hovering a node shows its tooltip: the full shape, dtype, device, a
  value preview and, after ``backward()``, the gradient's preview and norm; for
  an op also what it saved for backward (:mod:`autograd.viz.tooltips`);
- convolutions and poolings labelled with the arguments that differ from the
  defaults (``conv2d(stride=2, padding=1)``, ``max_pool2d(3, stride=2)``);
- constant operands (``2 * x``, an input that needs no gradient) as
  ``input or constant`` nodes, with their value while the op still holds it
  for backward (an array once however many ops use it, outside the modules);
- ops run inside an ``nn.Module`` grouped in a cluster per module call, nested
  as the modules nest; ``collapse=`` draws chosen calls as single boxes.

Scalars draw like tensors; their nodes show data and grad by default.
Rendering without ``dot`` raises :class:`DotNotFoundError`, which says how to
install it.

>>> import autograd
>>> x = autograd.tensor([1.0, 2.0], requires_grad=True)
>>> x.name = "x"
>>> g = autograd.draw((x * x).sum())
>>> print(g.source)  # doctest: +ELLIPSIS
digraph denpa {
...
	op0 [label=<<B>sum</B><BR/><FONT POINT-SIZE="9">()</FONT>> ...]
	op1 [label=<<B>mul</B><BR/><FONT POINT-SIZE="9">(2,)</FONT>> ...]
	t2 [label=<<B>x</B><BR/><FONT POINT-SIZE="9">(2,) float32</FONT>> ...]
...
	op1 -> op0
	t2 -> op1
	t2 -> op1
...
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Union

from ..node import Node, Var
from .dot import STEP_WORDS, Builder, Options, header
from .drawing import DotNotFoundError, TextDrawing, make
from .facts import Facts
from .labels import register_label
from .modules import Modules
from .steps import Steps, replay
from .walk import Walk

RANKDIRS = ("TB", "LR", "BT", "RL")


def _flatten(outputs) -> list:
    out, todo = [], list(reversed(outputs))
    while todo:
        v = todo.pop()
        if isinstance(v, Var):
            if all(v is not w for w in out):
                out.append(v)
        elif isinstance(v, (list, tuple)):
            todo.extend(reversed(v))
        elif isinstance(v, Mapping):
            todo.extend(reversed(list(v.values())))
        else:
            raise TypeError(f"draw: expected Tensors or Scalars (or lists/tuples/dicts of them), got {type(v).__name__}")
    return out


def _names(params) -> dict:
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = params.named_parameters()
    items = params.items() if isinstance(params, Mapping) else params
    names: dict[Var | int, str] = {}  # a Var, or id() of its array, -> its name
    for name, t in items:
        if not isinstance(t, Var):
            raise TypeError(f"draw: params maps names to Tensors or Scalars; {name!r} is a {type(t).__name__}")
        names[t] = str(name)
        names[id(t.array)] = str(name)  # an input that needs no grad is drawn from its array
    return names


def draw(*outputs, show_values: Optional[bool] = None, show_grads: Optional[bool] = None, show_saved: bool = False,
         rankdir: str = "TB", max_nodes: Optional[int] = None, max_depth: Optional[int] = None,
         collapse: Union[int, Iterable, str, type, None] = None, backward: bool = False, legend: bool = True,
         constants: bool = True, params=None, step: Optional[int] = None, lang: str = "en"):
    """The graph behind ``outputs`` (Tensors or Scalars) as a ``graphviz.Digraph``.

    - ``show_values`` / ``show_grads``: each node's data and ``.grad`` (a short preview for tensors, the
      full number for Scalars; both on by default for Scalars). Ops show what can be recovered, ``?`` otherwise.
    - ``show_saved``: what each op saved for backward (or that backward freed it).
    - ``rankdir``: layout direction, ``"TB"`` (inputs on top), ``"LR"``, ``"BT"`` or ``"RL"``.
    - ``max_nodes`` / ``max_depth``: draw only the ops and leaves nearest the outputs (at most ``max_nodes``
      boxes in all, counting inputs, outputs and the note; or at most that many steps away); a note node says
      how many were left out and why. Python numbers are shown in their op's label (``mul(1.01)``).
    - ``collapse``: draw module calls as single boxes: a depth (``0`` the whole model, ``1`` its children, ...)
      or module types / type names (``{"Linear", nn.Sequential}``).
    - ``backward=True``: the gradient graph instead: backward functions, each pointing to the ones it feeds,
      and ``AccumulateGrad`` where gradients sum into a leaf's ``.grad``.
    - ``legend``: a key to the node styles, below the graph; ``constants``: draw constant operands.
    - ``params``: names for leaves: a mapping or pairs ``name -> tensor``, or a module (its ``named_parameters()``).
    - ``step`` (with ``backward=True``): back-propagation as it happens. The engine's backward is replayed on the
      graph (``retain_graph=True``; no ``.grad`` changes) and the drawing shows it after the engine processed its
      first ``step`` items, in the engine's own order: the item processed at that step is highlighted, the edges
      already walked carry the gradient sent along them, and nodes and leaves show their gradient (or the part
      that has arrived so far). ``step=0`` is before the walk; :func:`draw_steps` gives every step and an HTML
      slider. Draw before ``backward()`` (it frees what the replay needs) or after ``backward(retain_graph=True)``.
      ``lang`` (``"en"`` or ``"ja"``) is the language of the step-through's words inside the picture.

    Without the ``graphviz`` Python package (``pip install denpa[viz]``) a :class:`TextDrawing` with the
    same DOT text and the same ``source``/``save``/``render``/``pipe`` comes back instead.

    >>> import autograd
    >>> a, b = autograd.Scalar(2.0, name="a"), autograd.Scalar(-3.0, name="b")
    >>> (a * b).backward()
    >>> "data -6" in autograd.draw(a * b).source
    True
    >>> y = (a * b).tanh()
    >>> "▶ step 2: processing" in autograd.draw(y, backward=True, step=2).source  # tanh, then mul
    True
    """
    vs, walk, opts = _prepare(outputs, show_values, show_grads, show_saved, rankdir, max_nodes, max_depth, backward,
                              legend, constants, params, step, lang)
    return _build(vs, walk, collapse, opts)


def _prepare(outputs, show_values, show_grads, show_saved, rankdir, max_nodes, max_depth, backward, legend,
             constants, params, step, lang="en"):
    """Check draw's arguments; walk the graph (and replay its backward for ``step``)."""
    vs = _flatten(outputs)
    if not vs:
        raise TypeError("draw: pass at least one Tensor or Scalar, e.g. autograd.draw(loss)")
    if lang not in STEP_WORDS:
        raise ValueError(f"draw: lang must be one of {sorted(STEP_WORDS)}, got {lang!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    for k, lim in (("max_nodes", max_nodes), ("max_depth", max_depth)):
        if lim is not None and (isinstance(lim, bool) or not isinstance(lim, int) or lim < (1 if k == "max_nodes" else 0)):
            raise ValueError(f"draw: {k} must be an int >= {1 if k == 'max_nodes' else 0} or None, got {lim!r}")
    from ..scalar import Scalar

    scalar = all(isinstance(v, Scalar) for v in vs)
    opts = Options(show_values=scalar if show_values is None else bool(show_values),
                   show_grads=scalar if show_grads is None else bool(show_grads),
                   show_saved=bool(show_saved), constants=bool(constants), legend=bool(legend),
                   backward=bool(backward), names=_names(params), rankdir=rankdir, lang=lang)
    trace = None
    if step is not None:
        if not backward:
            raise ValueError("draw: step= draws the backward pass as it happens; pass backward=True too")
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ValueError(f"draw: step must be an int >= 0, got {step!r}")
    fixed = sum(1 for v in vs if (v.requires_grad if backward else v.grad_fn is not None))  # the out<j> nodes
    walk = Walk(vs, max_nodes, max_depth, extras=None if backward or not constants else _constants, fixed=fixed)
    if step is not None:
        trace = replay(vs, walk.items)
        if step > len(trace):
            raise ValueError(f"draw: this backward pass has {len(trace)} steps (0 to {len(trace)}), got step={step}")
        opts.show_grads = False  # the step lines show the gradients the walk knows at that step
    opts.trace, opts.step = trace, step
    return vs, walk, opts


def _constants(op) -> list:
    """The constant nodes op ``op`` adds (keys: an array used by several ops is one node)."""
    from .consts import key

    return [k for i, p in enumerate(op.parents) if p is None and (k := key(op, i)) is not None]


def _build(vs, walk, collapse, opts):
    mods = Modules(walk, collapse)
    facts = Facts(walk.topo(), vs)
    return make(header(opts.rankdir) + Builder(vs, walk, facts, mods, opts).build())


def draw_steps(*outputs, show_values: Optional[bool] = None, show_grads: Optional[bool] = None,
               show_saved: bool = False, rankdir: str = "TB", max_nodes: Optional[int] = None,
               max_depth: Optional[int] = None, collapse: Union[int, Iterable, str, type, None] = None,
               legend: bool = True, constants: bool = True, params=None, lang: str = "en") -> Steps:
    """Every step of the backward pass of ``outputs``: ``steps[k]`` is ``draw(*outputs, backward=True, step=k,
    ...)`` with the same options (from one replay of the engine's walk), ``steps.order`` names what each step processed, and
    ``steps.save("backward.html")`` writes a page with a slider that needs no server (shown inline in Jupyter);
    ``lang="ja"`` gives the page's title, the step captions and the words inside each picture in Japanese.

    >>> import autograd
    >>> a, b = autograd.Scalar(2.0, name="a"), autograd.Scalar(-3.0, name="b")
    >>> steps = autograd.viz.draw_steps((a * b).tanh())
    >>> len(steps), steps.order
    (5, ['TanhBackward', 'MulBackward', 'b', 'a'])
    """
    if lang not in STEP_WORDS:
        raise ValueError(f"draw_steps: lang must be one of {sorted(STEP_WORDS)}, got {lang!r}")
    vs, walk, opts = _prepare(outputs, show_values, show_grads, show_saved, rankdir, max_nodes, max_depth, True,
                              legend, constants, params, 0, lang)
    drawings = []
    for k in range(len(opts.trace) + 1):
        opts.step = k
        drawings.append(_build(vs, walk, collapse, opts))
    names = {**Modules(walk, None).param_names(), **opts.names}
    order = [e.name if isinstance(e, Node) else (names.get(e) or getattr(e, "name", None) or "leaf")
             for e in opts.trace.order]
    return Steps(drawings, order, lang)


__all__ = ["draw", "draw_steps", "register_label", "DotNotFoundError", "TextDrawing", "Steps"]
