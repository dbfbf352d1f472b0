"""Back-propagation as it happens: the engine's own walk, recorded step by step.

:func:`replay` runs one backward over the drawn graph with ``retain_graph=True``
and ``autograd.engine.observe`` watching, so the order is the engine's real
visiting order (nothing here re-implements the walk). The replay writes no
``.grad``: it captures nothing into the leaves (``capture={}``), keeps no Scalar
node gradients, and puts back what ``retain_grad()`` hooks store. The gradient
each edge carries (a node's backward output for one of its inputs) comes from
that node's own ``backward``, called once more on the gradient the engine
handed it.

``autograd.draw(y, backward=True, step=k)`` draws the graph after the engine
processed its first ``k`` items; :func:`draw_steps` draws every step and writes
them as one HTML page with a slider (no server: the SVGs are inside the page).

The replay needs what the ops saved, so draw before ``backward()`` (or after
``backward(retain_graph=True)``).
"""
from __future__ import annotations

import html as _html
import json
import os
import secrets
from typing import Optional

from ..backend import array_module
from ..node import Node, Var

_MISSING = object()


class Trace:
    """One backward walk: the items in the order the engine processed them, the gradient each received,
    and the gradient each processed node sent to each of its inputs (None where it could not be read)."""

    __slots__ = ("order", "index", "grads", "sent", "roots")

    def __init__(self):
        self.order = []
        self.index = {}
        self.grads = {}
        self.sent = {}  # node -> tuple of gradients, one per parent slot
        self.roots = []

    def __len__(self):
        return len(self.order)

    def state(self, item, k):
        """``"current"`` (processed at step k), ``"done"``, ``"waiting"`` (a gradient reached it) or ``"ahead"``."""
        i = self.index.get(item)
        if i is not None and i < k:
            return "current" if i == k - 1 else "done"
        return "waiting" if self.partial(item, k) is not _MISSING else "ahead"

    def partial(self, item, k):
        """The sum of the gradients sent to ``item`` by the nodes processed in the first ``k`` steps
        (the item's own gradient once it was processed), or ``_MISSING`` if none has arrived yet."""
        i = self.index.get(item)
        if i is not None and i < k:
            return self.grads[item]
        total = _MISSING
        for j, n in enumerate(self.order[:k]):
            for p, g in zip(getattr(n, "parents", ()), self.sent.get(n, ())):
                if p is item and g is not None:
                    total = g if total is _MISSING else total + g
        return total

    def edge(self, child, slot, k):
        """What ``child`` sent along its input ``slot``, if it was processed within the first ``k`` steps."""
        i = self.index.get(child)
        if i is None or i >= k:
            return _MISSING
        gs = self.sent.get(child)
        return _MISSING if gs is None or gs[slot] is None else gs[slot]


def _sent(node, g):
    """The gradients ``node``'s backward sends to its inputs for incoming ``g``, as the engine's step computes
    them (a second call of the op's own backward; the graph is retained). None where that cannot be done."""
    try:
        from ..node import ops_for

        gs = node.backward(g, node.saved, node.out, ops_for(g))
        return tuple(gs) if len(gs) == len(node.parents) else None
    except Exception:  # a node kind whose backward needs the engine's own step (custom Functions, multi-output)
        return None


def _ones(v):
    a = v.array
    if isinstance(a, float):
        return 1.0
    return array_module(a).ones(a.shape, a.dtype)


def _retained(items):
    """The tensors ``retain_grad()`` stores into, with their current ``.grad`` (the replay must not add to it)."""
    from ..node import RetainGrad

    out = []
    for n in items:
        for h in getattr(n, "hooks", None) or ():
            if isinstance(h, RetainGrad):
                t = h.ref()
                if t is not None:
                    out.append((t, t.grad))
    return out


def replay(outputs, items) -> Trace:
    """Run the engine's backward over ``outputs`` (retaining the graph) and record its walk.

    ``items`` are the graph's nodes (for ``retain_grad`` bookkeeping). Raises a RuntimeError saying what to do
    when backward already freed what the ops saved.
    """
    from .. import engine

    trace = Trace()
    roots = [v for v in outputs if v.requires_grad]
    if not roots:
        raise RuntimeError("draw(step=...): no output requires grad, so backward has nothing to walk")
    trace.roots = roots

    def see(item, g):
        if g is None:
            return
        trace.index[item] = len(trace.order)
        trace.order.append(item)
        trace.grads[item] = g
        if isinstance(item, Node):
            trace.sent[item] = _sent(item, g)

    kept = _retained(e for e in items if isinstance(e, Node))
    try:
        with engine.observe(see):
            engine.run_backward(roots, [_ones(v) for v in roots], retain_graph=True, create_graph=False, capture={})
    except RuntimeError as err:
        if "second time" in str(err):
            raise RuntimeError(
                "draw(step=...) replays the backward pass on the graph, but backward() already freed the values "
                "the ops saved. Draw the steps before calling backward(), or call backward(retain_graph=True)."
            ) from None
        raise
    finally:
        for t, g in kept:
            t.grad = g
    return trace


def grad_text(g, short=False) -> str:
    """A gradient as a label shows it: a float in full, an array previewed (``short``: norm and shape)."""
    from .labels import fmt_shape, preview

    if isinstance(g, Var):
        g = g.array
    if isinstance(g, (int, float)):
        return preview(float(g), full=True)
    if not hasattr(g, "shape"):  # a multi-output node's gathered gradients
        return "(gradients of several outputs)"
    if short and g.size > 4:
        xp = array_module(g)
        return f"{fmt_shape(g.shape)} ‖·‖={float(xp.sqrt(xp.sum(g.astype('float64') ** 2))):.3g}"
    return preview(g)


#: the page's words by language (``lang=``): its title, the caption before backward, each step's caption
WORDS = {
    "en": ("backward, step by step", "before backward: the output's gradient is the seed",
           "step {k}: the engine processes {name}"),
    "ja": ("逆伝播をステップごとに", "逆伝播の前: 出力の勾配が起点 (seed) です", "ステップ {k}: エンジンが {name} を処理します"),
}


class Steps:
    """Every step of one backward pass as drawings: ``steps[k]`` is the graph after the engine processed its
    first ``k`` items (``steps[0]`` before it starts); ``len(steps)`` is the number of steps plus one.

    ``steps.order`` names the processed items in order. ``save("steps.html")`` writes one page with a slider
    (the SVGs are inside; no server, opens from disk); in Jupyter the object shows as that slider. ``lang``
    (``"en"`` or ``"ja"``) is the language of the page's title and captions.
    """

    def __init__(self, drawings, order, lang: str = "en"):
        if lang not in WORDS:
            raise ValueError(f"draw_steps: lang must be one of {sorted(WORDS)}, got {lang!r}")
        self.drawings = drawings
        self.order = order
        self.lang = lang

    def __len__(self):
        return len(self.drawings)

    def __getitem__(self, k):
        return self.drawings[k]

    def __repr__(self):
        return f"<denpa backward steps: {len(self.order)} items processed, {len(self.drawings)} drawings>"

    def html(self, title: Optional[str] = None) -> str:
        """The page: every step's SVG, a slider and previous/next buttons (arrow keys work too); ``title``
        defaults to "backward, step by step" in the steps' language."""
        default_title, before, step = WORDS[self.lang]
        title = default_title if title is None else title
        svgs = [d.pipe(format="svg").decode("utf-8") for d in self.drawings]
        svgs = [s[s.index("<svg"):] for s in svgs]  # drop the XML prolog: the SVGs are inlined
        captions = [before] + [step.format(k=k, name=name) for k, name in enumerate(self.order, 1)]
        divs = "\n".join(f'<div class="step" id="s{k}"{"" if k == 0 else " hidden"}>{s}</div>'
                         for k, s in enumerate(svgs))
        last = len(svgs) - 1
        return f"""<!DOCTYPE html>
<html lang="{self.lang}"><head><meta charset="utf-8"><title>{_html.escape(title)}</title>
<style>body{{font-family:Helvetica,Arial,sans-serif;margin:1em}} #bar{{display:flex;gap:.6em;align-items:center}}
#cap{{margin:.5em 0;color:#333}} input[type=range]{{width:24em}}</style></head>
<body><h3>{_html.escape(title)}</h3>
<div id="bar"><button id="prev">&#9664;</button><input id="k" type="range" min="0" max="{last}" value="0">
<button id="next">&#9654;</button><span id="num">0 / {last}</span></div>
<div id="cap"></div>
{divs}
<script>
const caps = {json.dumps(captions)};
const k = document.getElementById("k");
function show(i) {{
  i = Math.max(0, Math.min({last}, i)); k.value = i;
  document.querySelectorAll(".step").forEach((d, j) => d.hidden = j !== i);
  document.getElementById("num").textContent = i + " / {last}";
  document.getElementById("cap").textContent = caps[i];
}}
k.addEventListener("input", () => show(+k.value));
document.getElementById("prev").onclick = () => show(+k.value - 1);
document.getElementById("next").onclick = () => show(+k.value + 1);
document.addEventListener("keydown", e => {{ if (e.key === "ArrowLeft") show(+k.value - 1);
  if (e.key === "ArrowRight") show(+k.value + 1); }});
show(0);
</script></body></html>
"""

    def save(self, path) -> str:
        """Write :meth:`html` to ``path`` atomically; returns the path."""
        text = self.html().encode("utf-8")
        path = str(path)
        folder = os.path.dirname(os.path.abspath(path))
        tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        # O_EXCL: never reuse someone else's file; 0o666 lets the umask decide permissions, as open() does
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
        return str(path)

    def _repr_html_(self):
        return self.html()
