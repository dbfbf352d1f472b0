"""The DOT text of a drawing: nodes (each with a tooltip), edges, module clusters, the legend.

DOT names encode what a node is, so a reader of the SVG (or a test) can tell:
``op<k>`` an op, ``t<k>`` a leaf tensor, ``out<j>`` an output, ``c<k>`` a
constant operand, ``m<k>`` a collapsed module, ``cut`` the note on what was
not drawn, the legend is the graph's label (see
:mod:`autograd.viz.legend`). ``k`` is the walk number (see
:mod:`autograd.viz.walk`), so names never depend on memory addresses.
"""
from __future__ import annotations

from ..node import Node, Var
from ..scalar import Scalar
from .facts import UNKNOWN, saved_inputs
from .consts import key as const_key, label as consts_label
from .labels import fmt_shape, html, op_label, op_name, preview
from .legend import legend
from .tooltips import constant_tip, dot_string, grad_of, op_tip, tensor_tip
from .modules import label as call_label

STYLE = {
    "op": 'shape=box style="rounded,filled" fillcolor="#F2F2F2" color="#9E9E9E"',
    "param": 'shape=box style=filled fillcolor="#CDE7FB" color="#3B82C4"',
    "input": 'shape=box style="filled,dashed" fillcolor="#FFFFFF" color="#9E9E9E"',
    "output": 'shape=box style=filled fillcolor="#CDEFD0" color="#2E7D32" penwidth=1.6',
    "module": 'shape=box3d style=filled fillcolor="#E9DFF5" color="#6A4FB3"',
    "cut": 'shape=note style=filled fillcolor="#FFF8E1" color="#B08900" fontcolor="#5D4500"',
}
# the step-through: the node being processed, those done, those a gradient reached, those not reached yet
STEP_STYLE = {
    "current": ' color="#E65100" fillcolor="#FFE0B2" penwidth=3',
    "done": ' penwidth=1.6',
    "waiting": ' color="#E65100"',
    "ahead": ' fontcolor="#9E9E9E" color="#D0D0D0" fillcolor="#FAFAFA"',
}
STEP_EDGE = 'color="#E65100" fontcolor="#BF360C" fontsize=9 penwidth=1.4'
CLUSTER = 'style="rounded,dashed" color="#8C8C8C" fontcolor="#424242" labeljust=l fontsize=10'


def header(rankdir: str) -> list:
    """The DOT lines every drawing starts with: graph direction (``rankdir``), fonts, default node and edge style."""
    return [
        f'\tgraph [rankdir={rankdir} fontname="Helvetica" fontsize=10 nodesep=0.25 ranksep=0.35]\n',
        '\tnode [fontname="Helvetica" fontsize=11 margin="0.12,0.04" height=0.3]\n',
        '\tedge [color="#616161" arrowsize=0.6]\n',
    ]


def _label(title, lines=(), bold=True) -> str:
    parts = [f"<B>{html(title)}</B>" if bold else html(title)]
    parts += [f'<FONT POINT-SIZE="9">{html(s)}</FONT>' for s in lines]
    return "<" + "<BR/>".join(parts) + ">"


def _tensor_line(v) -> str:
    """``(4, 3) float32``, with the device where it is not the CPU."""
    d = v.array
    text = f"{fmt_shape(d.shape)} {d.dtype}"
    dev = getattr(v, "device", None)
    if dev is not None and dev.type != "cpu":
        text += f" {dev}"
    return text


#: the step-through's words inside the picture, by language (``draw(..., lang=)``)
STEP_WORDS = {
    "en": {"node": "▶ step {k}: processing", "leaf": "▶ step {k}: into .grad", "received": "received ",
           "so_far": "received so far "},
    "ja": {"node": "▶ ステップ {k}: 処理中", "leaf": "▶ ステップ {k}: .grad に加算", "received": "受け取った勾配 ",
           "so_far": "ここまでに届いた勾配 "},
}


class Options:
    """A drawing's settings, as keywords of ``draw``: ``show_values``, ``show_grads``, ``show_saved``,
    ``constants``, ``legend``, ``backward``, ``names``, ``rankdir``, and for a step-through ``trace``, ``step``."""

    __slots__ = ("show_values", "show_grads", "show_saved", "constants", "legend", "backward", "names", "rankdir",
                 "trace", "step", "lang")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)


class Builder:
    """Turns a walked graph (with its facts and modules) into DOT body lines."""

    def __init__(self, outputs, walk, facts, mods, opts: Options):
        self.outputs, self.walk, self.facts, self.mods, self.o = outputs, walk, facts, mods, opts
        self.scalar = all(isinstance(v, Scalar) for v in outputs)
        self.buckets = {}  # cluster (a module call, or None for the top level) -> node lines
        self.edges = []
        self.used = set()  # styles drawn, for the legend
        self.boxes = {}  # collapsed call -> its DOT name
        self.box_members = {}
        self.names = mods.param_names()
        self.produced = {v.grad_fn: v for v in outputs if v.grad_fn is not None}  # op -> the drawn output it made

    # -- naming ---------------------------------------------------------------------
    def leaf_name(self, v):
        """A leaf's name: given to ``draw(names=...)``, its own (``Scalar(name=...)``), or its module parameter's."""
        own = getattr(v, "name", None)
        return self.o.names.get(v) or own or self.names.get(v)

    def dot_name(self, e) -> str:
        """The DOT node standing for item ``e``: its own, or its collapsed module's."""
        box = self.mods.box(self.mods.cluster.get(e))
        if box is not None:
            return self._box_name(box)
        return ("op%d" if isinstance(e, Node) else "t%d") % self.walk.ids[e]

    def _box_name(self, call):
        name = self.boxes.get(call)
        if name is None:
            name = self.boxes[call] = "m%d" % len(self.boxes)
            self.box_members[call] = []
        return name

    def node(self, cluster, name, kind, label, item=None, extra="", tip=None):
        """Add DOT node ``name`` of style ``kind`` to ``cluster`` (only counted when inside a collapsed module)."""
        box = self.mods.box(cluster)
        if box is not None:  # inside a collapsed module: counted there, not drawn
            self._box_name(box)
            self.box_members[box].append((kind, item))
            return
        self.used.add(kind)
        tip = f" tooltip={dot_string(tip)}" if tip else ""
        self.buckets.setdefault(cluster, []).append(f"\t{name} [label={label} {STYLE[kind]}{extra}{tip}]\n")

    def edge(self, a, b, attrs=""):
        """Add the edge ``a -> b`` (none from a node to itself: both ends in one collapsed module)."""
        if a != b:
            self.edges.append((a, b, attrs))

    # -- labels -------------------------------------------------------------------------
    def value_lines(self, value, grad, has_grad):
        """The ``data ...`` and ``grad ...`` label lines, as the options ask."""
        lines = []
        if self.o.show_values:
            lines.append("data " + ("?" if value is UNKNOWN else preview(value, full=True)))
        if self.o.show_grads and has_grad:
            lines.append("grad " + preview(grad, full=True))
        return lines

    def leaf_label(self, v, backward, output=False):
        """A leaf's title and lines: name, shape and dtype, values; ``AccumulateGrad`` in a backward drawing."""
        name = self.leaf_name(v) or ("output" if output else None)
        lines = [] if isinstance(v, Scalar) else [_tensor_line(v)]
        lines += self.value_lines(v.array, grad_of(v), True)
        if backward:
            title = "AccumulateGrad"
            lines.insert(0, f"into {name}.grad" if name else "into .grad")
        elif name:
            title = name
        else:
            title, lines = (lines[0], lines[1:]) if lines else ("Scalar", [])
        return title, lines

    def op_lines(self, n):
        """An op's label lines under its call: output shape, value (or Scalar gradient), saved values."""
        lines = []
        shape = self.facts.shape.get(n)
        if shape is not None and not self.scalar:
            lines.append(("grad " if self.o.backward else "") + fmt_shape(shape))
        value = self.facts.value.get(n, UNKNOWN)
        if self.scalar:
            g = getattr(n, "grad", None)
            lines += self.value_lines(value, 0.0 if g is None else g, True)
        elif self.o.show_values and value is not UNKNOWN:
            lines.append("data " + preview(value))
        if self.o.show_saved:
            lines += self.saved_lines(n)
        return lines

    def saved_lines(self, n):
        """What op ``n`` keeps for backward, one line per saved input or output (or that backward freed it)."""
        if self.facts.released(n):
            return ["saved: freed by backward()"]
        out = []
        ins = saved_inputs(n)
        if ins is not None:
            for i, (p, x) in enumerate(zip(n.parents, ins)):
                who = self.leaf_name(p) if p is not None and not isinstance(p, Node) else None
                out.append(f"saved in{i}{' = ' + who if who else ''}: {self._saved_text(x)}")
        elif type(n.saved) is tuple:  # a custom Function: ("in", tensor) or ("out", (data, index)) pairs
            for kind, x in n.saved:
                data = x[0] if kind == "out" else x
                out.append(f"saved {kind}: {self._saved_text(data)}")
        if n.out is not None:
            out.append(f"saved out: {self._saved_text(n.out)}")
        return out or ["saved: nothing"]

    def _saved_text(self, x):
        if x is None:  # x * c keeps only c: x is not needed for backward
            return "not kept (backward does not need it)"
        if isinstance(x, Var):
            x = x.array
        if isinstance(x, (int, float)):
            return preview(x, full=True)
        return f"{fmt_shape(x.shape)} {x.dtype}"

    # -- tooltips (what hovering a node shows in an SVG) --------------------------------
    def leaf_tip(self, v, kind, backward=False):
        """The tooltip of leaf ``v`` drawn as ``kind`` (param, input or output)."""
        title = self.leaf_name(v) or ("output" if kind == "output" else "tensor")
        role = {"param": "leaf, requires grad", "input": "input (needs no grad)", "output": "output (a leaf)"}[kind]
        if backward:
            role += "; AccumulateGrad sums its gradient into .grad"
        return tensor_tip(v, title, role)

    def op_tip(self, n, call):
        """The tooltip of op ``n`` shown as ``call``."""
        return op_tip(n, call, self.facts, self.saved_lines(n), self.produced)

    # -- the graph ----------------------------------------------------------------------
    def build(self) -> list:
        """The DOT body lines: nodes (in module clusters), the cut note, collapsed modules, edges, the legend."""
        if self.o.backward:
            self.build_backward()
        else:
            self.build_forward()
        self.cut_note()
        self.draw_boxes()
        lines = self.clusters()
        seen = set()
        for a, b, attrs in self.edges:
            if a.startswith("m") or b.startswith("m"):  # a collapsed module: one edge per pair is enough
                if (a, b) in seen:
                    continue
                seen.add((a, b))
            lines.append(f"\t{a} -> {b}{' [' + attrs + ']' if attrs else ''}\n")
        if self.o.legend:  # last: a graph attribute set before a cluster would be inherited by it
            lines += legend(self.used, self.o.backward, self.o.rankdir)
        return lines

    def build_forward(self):
        """Nodes and edges of the forward graph: inputs to outputs, constants drawn once."""
        mods, ids = self.mods, self.walk.ids
        consts = {}
        outputs = {v.grad_fn or v: j for j, v in enumerate(self.outputs)}
        for e in self.walk.items:
            cluster = mods.cluster[e]
            name = self.dot_name(e)
            if not isinstance(e, Node):
                title, lines = self.leaf_label(e, False, e in outputs)
                kind = "output" if e in outputs else ("param" if e.requires_grad else "input")
                self.node(cluster, name, kind, _label(title, lines), e, tip=self.leaf_tip(e, kind))
                continue
            call = consts_label(e, op_label(e))
            self.node(cluster, name, "op", _label(call, self.op_lines(e)), e, tip=self.op_tip(e, call))
            box = mods.box(cluster)
            for i, p in enumerate(e.parents):
                if p is None:
                    # numbers sit in the op's label; an array (most often the model's input) is drawn once,
                    # outside the modules
                    if self.o.constants and const_key(e, i) is not None:
                        self.edge(self.constant(e, i, None, consts), name)
                elif p in ids:
                    self.edge(self.dot_name(p), name)
        for j, v in enumerate(self.outputs):
            if v.grad_fn is None or v.grad_fn not in ids:
                continue
            title = v.name or ("output" if len(self.outputs) == 1 else f"output {j}")
            scalar = isinstance(v, Scalar)
            lines = [] if scalar else [_tensor_line(v)]
            g = grad_of(v)  # an output is no leaf: .grad would warn (it is set by retain_grad)
            lines += self.value_lines(v.array, g, scalar or g is not None)
            self.node(None, f"out{j}", "output", _label(title, lines), tip=tensor_tip(v, title, "output"))
            self.edge(self.dot_name(v.grad_fn), f"out{j}")

    def constant(self, op, i, cluster, consts):
        """The node of an array operand that needs no grad: one per array, however many ops use it."""
        value = self.facts.input_value(op, i)
        key = const_key(op, i)
        name = consts.get(key)
        if name is None:
            name = consts[key] = "c%d" % len(consts)
            title = self.o.names.get(id(value)) or "input"
            if value is UNKNOWN:
                shape = self.facts.input_shapes(op)[i]
                lines = [fmt_shape(shape)] if shape is not None and not self.scalar else []
            else:
                lines = [f"{fmt_shape(value.shape)} {value.dtype}"]
                if self.o.show_values:
                    lines.append("data " + preview(value))
            self.node(cluster, name, "input", _label(title, lines),
                      tip=constant_tip(value, self.facts.input_shapes(op)[i], title))
        return name

    def build_backward(self):
        """Nodes and edges of the backward graph: from each output's gradient to the leaves' AccumulateGrad."""
        ids = self.walk.ids
        trace, k = self.o.trace, self.o.step
        incoming = {}
        for e in self.walk.items:
            for p in e.parents:
                if p is not None:
                    incoming[p] = incoming.get(p, 0) + 1
        for j, v in enumerate(self.outputs):
            e = v.grad_fn or v
            if not (v.requires_grad and e in ids):
                continue
            incoming[e] = incoming.get(e, 0) + 1
            title = v.name or ("output" if len(self.outputs) == 1 else f"output {j}")
            start = "1" if isinstance(v, Scalar) or v.array.ndim == 0 else f"a gradient of shape {fmt_shape(v.array.shape)}"
            if trace is not None and start != "1":
                start += " (ones)"
            self.node(None, f"out{j}", "output", _label(title, [f"backward() starts here with {start}"]),
                      tip=tensor_tip(v, title, f"output; backward() starts here with {start}"))
            self.edge(f"out{j}", self.dot_name(e), STEP_EDGE if trace is not None else "")
        for e in self.walk.items:
            name = self.dot_name(e)
            many = incoming.get(e, 0) > 1
            state = trace.state(e, k) if trace is not None else None
            extra = STEP_STYLE[state] if state is not None else ""
            if not isinstance(e, Node):
                title, lines = self.leaf_label(e, True)
                if many:
                    lines.append(f"sums {incoming[e]} gradients")
                lines += self.step_lines(e, state)
                self.node(self.mods.cluster[e], name, "param", _label(title, lines), e, extra,
                          tip=self.leaf_tip(e, "param", backward=True))
                continue
            call = op_label(e)
            lines = ([call] if call != op_name(e) else []) + self.op_lines(e)
            lines += [f"sums {incoming[e]} gradients"] if many else []
            lines += self.step_lines(e, state)
            self.node(self.mods.cluster[e], name, "op", _label(e.name, lines), e, extra,
                      tip=self.op_tip(e, consts_label(e, call)))
            for i, p in enumerate(e.parents):
                if p is not None and p in ids:
                    self.edge(name, self.dot_name(p), self.step_edge(e, i))

    # -- the step-through (draw(..., backward=True, step=k)) ---------------------------------
    def step_lines(self, e, state):
        """What the walk knows about ``e`` after the first ``step`` items: its gradient, or the part so far."""
        if state is None or state == "ahead":
            return []
        from .steps import grad_text

        trace, k = self.o.trace, self.o.step
        words = STEP_WORDS[getattr(self.o, "lang", "en")]
        if state == "waiting":
            return [words["so_far"] + grad_text(trace.partial(e, k))]
        lines = [words["received"] + grad_text(trace.grads[e])]
        if state == "current":
            lines.insert(0, (words["node"] if isinstance(e, Node) else words["leaf"]).format(k=k))
        return lines

    def step_edge(self, child, slot):
        """In a step-through, the attributes of the edge carrying ``child``'s gradient to its input ``slot``."""
        trace = self.o.trace
        if trace is None:
            return ""
        from .steps import _MISSING, grad_text

        g = trace.edge(child, slot, self.o.step)
        if g is _MISSING:
            return 'color="#C8C8C8"' if trace.index.get(child, self.o.step) >= self.o.step else ""
        return f"label=<{html(grad_text(g, short=True))}> {STEP_EDGE}"

    def cut_note(self):
        """Where ``max_nodes``/``max_depth`` cut the graph: a note saying how many nodes are not drawn."""
        w = self.walk
        if not w.cut:
            return
        why = [f"max_nodes={w.max_nodes}"] if w.cut_by_nodes else []
        if w.max_depth is not None:
            why.append(f"max_depth={w.max_depth}")
        more = f"{w.cut} more node{'s' if w.cut != 1 else ''} not drawn"
        why = " and ".join(why) + " cut the graph here"
        self.node(None, "cut", "cut", _label(f"⋯ {more}", [why, "(raise the limit to see them)"]),
                  tip=f"{more}: {why} (raise the limit to see them)")
        for e in w.frontier:
            if self.o.backward:
                self.edge(self.dot_name(e), "cut", "style=dashed")
            else:
                self.edge("cut", self.dot_name(e), "style=dashed")

    def draw_boxes(self):
        """One box per collapsed module call: its op and parameter counts and output shapes."""
        facts = self.facts
        for call, name in self.boxes.items():
            members = self.box_members[call]
            n_ops = sum(1 for k, _ in members if k == "op")
            params = [e for k, e in members if k in ("param", "input") and e is not None]
            lines = [f"{n_ops} op{'s' if n_ops != 1 else ''}"]
            if params:
                total = sum(int(p.array.size) if hasattr(p.array, "size") else 1 for p in params)
                lines.append(f"{len(params)} parameter{'s' if len(params) != 1 else ''} ({total:,} values)")
            outs = [facts.shape.get(n) for n in self.mods.outs.get(call, [])]
            if outs and all(s is not None for s in outs) and not self.scalar:
                lines.append("→ " + ", ".join(fmt_shape(s) for s in outs))
            self.used.add("module")
            tip = dot_string("\n".join([f"{call_label(call)}: module call, collapsed"] + lines))
            self.buckets.setdefault(call.parent, []).append(
                f"\t{name} [label={_label(call_label(call), lines)} {STYLE['module']} tooltip={tip}]\n")

    def clusters(self) -> list:
        """Node lines, module clusters nested as the modules nest (children in discovery order)."""
        children, keep = {}, set()
        for c in self.buckets:
            while c is not None and c not in keep:
                keep.add(c)
                c = c.parent
        for c in self.mods.calls:
            if c in keep:
                children.setdefault(c.parent, []).append(c)
        number = {c: k for k, c in enumerate(c for c in self.mods.calls if c in keep)}
        lines = list(self.buckets.get(None, []))
        stack = [(c, False) for c in reversed(children.get(None, []))]
        while stack:
            c, done = stack.pop()
            if done:
                lines.append("\t}\n")
                continue
            lines.append(f"\tsubgraph cluster_{number[c]} {{\n\t\tlabel=<{html(call_label(c))}> {CLUSTER}\n")
            lines += ["\t" + s for s in self.buckets.get(c, [])]
            stack.append((c, True))
            stack += [(k, False) for k in reversed(children.get(c, []))]
        return lines
