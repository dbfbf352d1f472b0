"""autograd.draw: rendered with the real Graphviz `dot` and read back as SVG.

Node kinds are told apart by their DOT names (see autograd/viz/dot.py): ``op<k>``
ops, ``t<k>`` leaf tensors, ``out<j>`` outputs, ``c<k>`` constants, ``m<k>``
collapsed modules, ``cut`` the note on what was left out. Tests that render
skip when `dot` is missing (scripts/test.sh installs it).
"""
from __future__ import annotations

import math
import re
import shutil
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
from autograd import Scalar
from autograd.viz import DotNotFoundError, TextDrawing, drawing, register_label

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's `dot` is not installed (apt-get install graphviz)")
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


class Picture:
    """A rendered drawing: nodes (DOT name -> text lines), edges (pairs of DOT names), clusters (label lines)."""

    def __init__(self, g):
        declared_only(g.source)
        root = ET.fromstring(g.pipe(format="svg"))
        self.nodes, self.edges, self.clusters, self.tips = {}, [], [], {}
        for el in root.iter(SVG + "g"):
            kind = el.get("class")
            if kind is None:  # the <g> Graphviz wraps round a node's tooltip link
                continue
            title = el.find(SVG + "title").text
            texts = [t.text for t in el.iter(SVG + "text")]
            if kind == "node":
                self.nodes[title] = texts
                link = el.find(f"{SVG}g/{SVG}a")
                if link is not None:
                    self.tips[title] = link.get(XLINK + "title")
            elif kind == "edge":
                self.edges.append(tuple(title.split("->")))
            elif kind == "cluster" and title != "cluster_legend":
                self.clusters.append(" ".join(texts[:1]))

    def names(self, prefix):
        return [n for n in self.nodes if re.fullmatch(prefix + r"\d+", n)]

    def ops(self):
        return [" ".join(self.nodes[n]) for n in self.names("op")]

    def text(self, name):
        return " ".join(self.nodes[name])

    def find(self, prefix, first_line):
        found = [n for n in self.names(prefix) if self.nodes[n][0] == first_line]
        assert len(found) == 1, (first_line, {n: self.nodes[n] for n in self.names(prefix)})
        return found[0]


def declared_only(src):
    """Every edge joins declared nodes (Graphviz would silently invent an undeclared one)."""
    declared = set(re.findall(r"^\t+(\w+) \[label=", src, re.M))
    for a, b in re.findall(r"^\t(\w+) -> (\w+)", src, re.M):
        assert a in declared and b in declared, (a, b)


def named(t, name):
    t.name = name
    return t


def _nn():
    import nn

    return nn


def mlp():
    """A 3-layer MLP; each Linear records permute (weight.T), matmul and add."""
    nn = _nn()
    autograd.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))


# -- structure ---------------------------------------------------------------------------------------

@needs_dot
def test_fan_out_counts_nodes_and_edges():
    x = named(autograd.tensor([0.5, -1.0, 2.0], requires_grad=True), "x")
    a = x.exp()
    y = a * 2 + a.sin()  # a feeds two ops
    p = Picture(autograd.draw(y))
    assert sorted(p.ops()) == sorted(["add (3,)", "mul(2) (3,)", "exp (3,)", "sin (3,)"])  # the number in mul's label
    assert p.names("t") == ["t4"] and p.text("t4") == "x (3,) float32"
    assert p.names("c") == []
    exp = p.find("op", "exp")
    mul, sin, add = p.find("op", "mul(2)"), p.find("op", "sin"), p.find("op", "add")
    assert sorted(p.edges) == sorted([(exp, mul), (exp, sin), (mul, add), (sin, add), ("t4", exp),
                                      (add, "out0")])


@needs_dot
def test_reused_input_drawn_once_with_an_edge_per_use():
    x = named(autograd.tensor([1.0, 2.0], requires_grad=True), "x")
    p = Picture(autograd.draw((x * x).sum()))
    assert p.names("t") == ["t2"]
    mul = p.find("op", "mul")
    assert p.edges.count(("t2", mul)) == 2
    assert len(p.nodes) - len([n for n in p.nodes if n.startswith("legend")]) == 4  # sum, mul, x, output


@needs_dot
def test_shared_weight_appears_once():
    w = named(autograd.randn(3, 3, requires_grad=True), "W")
    x = autograd.randn(2, 3)
    y = (x @ w) @ w
    p = Picture(autograd.draw(y))
    assert [p.text(n) for n in p.names("t")] == ["W (3, 3) float32"]
    (t,) = p.names("t")
    assert sorted(b for a, b in p.edges if a == t) == sorted(p.names("op"))


@needs_dot
def test_op_labels_show_attributes_and_output_shapes():
    x = named(autograd.randn(2, 6, requires_grad=True), "x")
    y = autograd.leaky_relu(x.reshape(4, 3), 0.01).sum(axis=1).mean()
    p = Picture(autograd.draw(y))
    assert sorted(p.ops()) == sorted(["reshape(4, 3) (4, 3)", "leaky_relu(0.01) (4, 3)", "sum(axis=1) (4,)",
                                      "mean ()"])
    assert p.text("out0") == "output () float32"


def test_labels_of_more_ops():
    from autograd.viz.labels import op_label

    x = autograd.randn(2, 3, 4, requires_grad=True)
    cases = [
        (x.sum(axis=(0, 2), keepdims=True), "sum(axis=(0, 2), keepdims=True)"),
        (x.var(axis=1, correction=0), "var(axis=1, correction=0)"),
        (x.permute(2, 0, 1), "permute(2, 0, 1)"),
        (x[0, 1:], "getitem[0, 1:]"),
        (x[np.array([0, 1])], "getitem[index(2,)]"),
        (autograd.softmax(x, -1), "softmax(axis=2)"),
        (autograd.clamp(x, min=0.0), "clamp(min=0)"),
        (autograd.cat([x, x], 1), "cat(axis=1)"),
        (autograd.einsum("abc,abc->a", x, x), "einsum(abc,abc->a)"),
        (x ** 2, "pow(2)"),
        (x.to(autograd.float64), "to(float64)"),
        (x.max(), "max"),
    ]
    for y, want in cases:
        assert op_label(y.grad_fn) == want


def test_register_label_for_a_new_op():
    class Scale(autograd.Node):
        def __init__(self, k):
            self.k = k

        def forward(self, x):
            return x * self.k

        def backward(self, g, xs, out, F):
            return (g * self.k,)

    x = autograd.ones(2, requires_grad=True)
    y = Scale(3.0).apply1(x)
    assert "<B>scale</B>" in autograd.draw(y).source  # unknown: its op_name
    register_label(Scale, "scale_by", lambda n: f"({n.k:g})")
    assert "<B>scale_by(3)</B>" in autograd.draw(y).source


# -- output shapes recovered at draw time -------------------------------------------------------------------

SHAPE_CASES = {
    "reshape -1": lambda x: x.reshape(-1, 2),
    "permute": lambda x: x.permute(1, 2, 0),
    "sum keepdims": lambda x: x.sum(axis=1, keepdims=True),
    "mean": lambda x: x.mean(axis=(0, 2)),
    "matmul batched": lambda x: x @ autograd.ones(4, 5, requires_grad=True),
    "matmul vector": lambda x: x @ autograd.ones(4, requires_grad=True),
    "getitem": lambda x: x[:, 1, None],
    "broadcast add": lambda x: x + autograd.ones(3, 1),
    "expand": lambda x: x[:1].expand(5, 3, 4),
    "tile": lambda x: x.tile(2, 1, 1),
    "cat": lambda x: autograd.cat([x, x * 2], 2),
    "pad": lambda x: autograd.pad(x, (1, 2)),
    "einsum": lambda x: autograd.einsum("abc,abd->cd", x, x),
    "softmax": lambda x: autograd.softmax(x, 1),
    "exp": lambda x: x.exp(),
}


@pytest.mark.parametrize("release", [False, True], ids=["before backward", "after backward"])
@pytest.mark.parametrize("case", list(SHAPE_CASES))
def test_intermediate_output_shapes(case, release):
    from autograd.viz.facts import Facts
    from autograd.viz.walk import Walk

    x = autograd.randn(2, 3, 4, requires_grad=True)
    mid = SHAPE_CASES[case](x)
    out = autograd.cat([mid], 0)  # a consumer that saves nothing and records nothing of its input's shape
    if release:
        out.sum().backward()
    walk = Walk([out])
    facts = Facts(walk.topo(), [out])
    assert facts.shape[mid.grad_fn] == mid.shape


def test_shapes_flow_back_from_consumers_after_backward():
    w = autograd.randn(3, 2, requires_grad=True)
    mm = autograd.randn(4, 3) @ w
    th = mm.tanh()
    s = (th + 1).sum()
    s.backward()  # frees the constant matmul saved: its shape comes back from sum's input through add and tanh
    src = autograd.draw(s).source
    assert src.count('<B>matmul</B><BR/><FONT POINT-SIZE="9">(4, 2)</FONT>') == 1
    assert src.count('<B>tanh</B><BR/><FONT POINT-SIZE="9">(4, 2)</FONT>') == 1


def test_custom_function_shapes_and_name():
    class Double(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = autograd.randn(3, 2, requires_grad=True)
    src = autograd.draw(Double.apply(x).sum()).source
    assert "<B>Double</B><BR/><FONT POINT-SIZE=\"9\">(3, 2)</FONT>" in src


# -- modules ------------------------------------------------------------------------------------------

@needs_dot
def test_three_layer_mlp_clusters_and_parameter_names():
    model = mlp()
    x = autograd.randn(5, 4)
    p = Picture(autograd.draw(model(x)))
    # per Linear: permute (.T), matmul, add; per ReLU: relu
    assert sorted(re.match(r"\w+", o)[0] for o in p.ops()) == sorted(["permute", "matmul", "add"] * 3 + ["relu"] * 2)
    names = sorted(p.nodes[n][0] for n in p.names("t"))
    assert names == sorted(f"{i}.{k}" for i in (0, 2, 4) for k in ("weight", "bias"))
    assert p.text(p.find("t", "2.weight")) == "2.weight (8, 8) float32"
    assert sorted(p.clusters) == sorted(["Sequential", "0 (Linear)", "1 (ReLU)", "2 (Linear)", "3 (ReLU)",
                                         "4 (Linear)"])
    assert [p.text(n) for n in p.names("c")] == ["input (5, 4) float32"]  # saved by the first matmul
    assert len(p.names("op")) + len(p.names("t")) + len(p.names("c")) == 11 + 6 + 1


def test_clusters_nest_and_hold_their_ops_and_parameters():
    nn = _nn()
    model = nn.Sequential(nn.Sequential(nn.Linear(3, 3), nn.ReLU()), nn.Linear(3, 1))
    src = autograd.draw(model(autograd.randn(2, 3)), legend=False).source
    blocks = re.findall(r"subgraph (cluster_\d+) \{\n\t\tlabel=<([^>]*)>", src)
    assert [label for _, label in blocks] == ["Sequential", "1 (Linear)", "0 (Sequential)", "0.1 (ReLU)",
                                              "0.0 (Linear)"]
    inner = src[src.index("label=<0.0 (Linear)>"):]
    inner = inner[:inner.index("}")]
    assert "<B>0.0.weight</B>" in inner and "<B>0.0.bias</B>" in inner and "<B>matmul</B>" in inner
    assert "<B>relu</B>" not in inner


@needs_dot
def test_collapse_draws_modules_as_single_boxes():
    y = mlp()(autograd.randn(5, 4))
    full = Picture(autograd.draw(y))
    by_depth = Picture(autograd.draw(y, collapse=1))
    by_type = Picture(autograd.draw(y, collapse={"Linear"}))
    whole = Picture(autograd.draw(y, collapse=0))
    assert len(by_depth.nodes) < len(full.nodes)
    assert [by_depth.nodes[n][0] for n in sorted(by_depth.names("m"))] == ["4 (Linear)", "3 (ReLU)", "2 (Linear)", "1 (ReLU)",
                                                                  "0 (Linear)"]
    assert by_depth.names("op") == by_depth.names("t") == []
    assert by_depth.text("m0") == "4 (Linear) 3 ops 2 parameters (18 values) → (5, 2)"
    # the boxes chain in order, fed by the input and feeding the output
    assert sorted(by_depth.edges) == sorted([("c0", "m4"), ("m4", "m3"), ("m3", "m2"), ("m2", "m1"), ("m1", "m0"),
                                             ("m0", "out0")])
    assert sorted(o.split()[0] for o in by_type.ops()) == ["relu", "relu"] and len(by_type.names("m")) == 3
    assert whole.names("m") == ["m0"] and whole.text("m0") == "Sequential 11 ops 6 parameters (130 values) → (5, 2)"
    assert sorted(by_type.clusters) == ["1 (ReLU)", "3 (ReLU)", "Sequential"]


@pytest.mark.parametrize("backward", [False, True])
def test_options_combine(backward):
    nn = _nn()
    model = nn.Sequential(nn.Sequential(nn.Linear(4, 8), nn.ReLU()), nn.Linear(8, 2))
    loss = nn.functional.cross_entropy(model(autograd.randn(3, 4)), autograd.tensor([0, 1, 1]))
    for release in (False, True):
        if release:
            loss.backward()
        for collapse in (None, 0, 1, {"Linear"}):
            for max_nodes in (None, 4):
                declared_only(autograd.draw(loss, backward=backward, collapse=collapse, max_nodes=max_nodes,
                                            show_values=True, show_grads=True, show_saved=True).source)


def test_collapse_by_class_and_bad_values():
    nn = _nn()
    y = mlp()(autograd.randn(5, 4))
    assert autograd.draw(y, collapse={nn.ReLU}).source.count("shape=box3d") == 2  # two boxes (the legend is a table, not nodes)
    with pytest.raises(TypeError, match="collapse"):
        autograd.draw(y, collapse=1.5)
    with pytest.raises(ValueError, match="collapse depth"):
        autograd.draw(y, collapse=-1)


def test_module_reaching_outside_tensor_does_not_claim_outside_ops():
    nn = _nn()
    outer = autograd.randn(3, requires_grad=True)

    class UsesGlobal(nn.Module):
        def forward(self, x):
            return x * self.g

    pre = nn.Sequential(nn.ReLU())
    m = UsesGlobal()
    m.g = pre(outer.exp())  # made by another module, before m runs
    y = m(autograd.randn(3, requires_grad=True))
    src = autograd.draw(y, legend=False).source
    body = src[src.index("label=<UsesGlobal>"):]
    body = body[:body.index("}")]
    assert "<B>mul</B>" in body and "<B>relu</B>" not in body and "<B>exp</B>" not in body


# -- limits ---------------------------------------------------------------------------------------------

@needs_dot
def test_max_nodes_cuts_and_says_so():
    x = named(autograd.tensor(1.0, requires_grad=True), "x")
    y = x
    for _ in range(50):
        y = y * 1.01
    p = Picture(autograd.draw(y, max_nodes=10, constants=False))
    assert len(p.names("op")) == 8 and p.names("t") == []  # 10 boxes: 8 ops, the output and the note
    assert p.text("cut") == "⋯ 43 more nodes not drawn max_nodes=10 cut the graph here (raise the limit to see them)"
    assert ("cut", "op7") in p.edges
    p = Picture(autograd.draw(y, max_nodes=10))  # the constants are in the labels: still 10 boxes
    assert len(p.nodes) - len([n for n in p.nodes if n.startswith("legend")]) == 10


def test_max_depth_and_limits_validation():
    x = autograd.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(30000):  # deep: the walk must not recurse
        y = y + 1.0
    src = autograd.draw(y, max_depth=3).source
    assert src.count("<B>add(1)</B>") == 0 and src.count("<B>add(?)</B>") == 4 and "29997 more nodes not drawn" in src and "max_depth=3" in src
    for bad in ({"max_nodes": 0}, {"max_depth": -1}, {"max_nodes": 2.5}):
        with pytest.raises(ValueError, match="max_"):
            autograd.draw(y, **bad)


# -- values, grads, saved ----------------------------------------------------------------------------------

def _network_221():
    """A 2-2-1 network of Scalars with tanh neurons (every input and weight a named Scalar)."""
    x = [Scalar(0.5, name="x1"), Scalar(-1.5, name="x2")]
    w = {f"w{j}{k}": Scalar(0.1 * (j + 2 * k) - 0.3, name=f"w{j}{k}") for j in (1, 2, 3) for k in (1, 2)}
    b = {f"b{j}": Scalar(0.05 * j, name=f"b{j}") for j in (1, 2, 3)}
    h = [(w[f"w{j}1"] * x[0] + w[f"w{j}2"] * x[1] + b[f"b{j}"]).tanh() for j in (1, 2)]
    out = (w["w31"] * h[0] + w["w32"] * h[1] + b["b3"]).tanh()
    out.name = "out"
    return x, w, b, h, out


@needs_dot
def test_scalar_221_network_shows_every_weight_value_and_gradient():
    x, w, b, h, out = _network_221()
    out.backward()
    p = Picture(autograd.draw(out))
    for s in x + list(w.values()) + list(b.values()):
        node = p.find("t", s.name)
        assert p.nodes[node][1:] == [f"data {s.array:.6g}", f"grad {s.grad:.6g}"]
    assert len(p.names("t")) == 2 + 6 + 3
    tanhs = sorted(p.text(n) for n in p.names("op") if p.nodes[n][0] == "tanh")
    assert tanhs == sorted(f"tanh data {v.array:.6g} grad {v.grad:.6g}" for v in h + [out])
    assert p.text("out0") == f"out data {out.array:.6g} grad 1"
    assert len(p.names("op")) == 3 * 5  # per neuron: 2 mul, 2 add, tanh


def test_scalar_values_survive_backward_constants_while_held():
    a = Scalar(2.0, name="a")
    y = (a * 3.0 + 1.0).relu()
    before = autograd.draw(y).source
    assert "data 6<" in before and "data 7<" in before and "<B>mul(3)</B>" in before  # mul holds 3.0 for backward
    assert "<B>add(?)</B>" in before  # add keeps nothing: its 1.0 is not known
    y.backward()
    after = autograd.draw(y).source
    assert "data 6<" in after and "data 7<" in after and "data ?" not in after
    assert "<B>mul(?)</B>" in after  # backward freed the 3.0


def test_tensor_values_grads_and_saved():
    x = named(autograd.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True), "x")
    w = named(autograd.tensor([0.5, 0.25], requires_grad=True), "w")
    y = (x @ w).relu().sum()
    src = autograd.draw(y, show_values=True, show_grads=True, show_saved=True).source
    assert "data [1, -2, 3, 4]" in src and "grad None" in src
    assert "saved in0 = x: (2, 2) float32" in src and "saved in1 = w: (2,) float32" in src
    assert "saved out: (2,) float32" in src and "data [0, 2.5]" in src  # relu's saved output, previewed
    y.backward()
    src = autograd.draw(y, show_grads=True, show_saved=True).source
    assert "grad [0, 0, 0.5, 0.25]" in src and "saved: freed by backward()" in src  # relu'(0) = 0
    big = autograd.arange(10.0).requires_grad_()
    (big * 2).sum().backward()
    src = autograd.draw(big * 2, show_values=True, show_grads=True).source
    assert "data [0, 1, 2, …] μ=4.5 σ=2.87" in src and "grad [2, 2, 2, …] μ=2 σ=0" in src


def test_params_names_and_device_line():
    from autograd.device import Device
    from autograd.viz.dot import _tensor_line

    w = autograd.randn(2, 2, requires_grad=True)
    assert "<B>W_in</B>" in autograd.draw(w.sum(), params={"W_in": w}).source
    assert "<B>W_in</B>" in autograd.draw(w.sum(), params=[("W_in", w)]).source

    class OnGpu:  # what a CuPy tensor reports
        array = np.zeros((2, 3), np.float32)
        device = Device("cuda", 1)
    assert _tensor_line(OnGpu()) == "(2, 3) float32 cuda:1"
    assert _tensor_line(w) == "(2, 2) float32"


@needs_dot
def test_backward_view():
    x = named(autograd.tensor([1.0, 2.0], requires_grad=True), "x")
    y = (x * x + x).sum()
    p = Picture(autograd.draw(y, backward=True))
    assert sorted(p.nodes[n][0] for n in p.names("op")) == ["AddBackward", "MulBackward", "SumBackward"]
    acc = p.find("t", "AccumulateGrad")
    assert p.nodes[acc][1:] == ["into x.grad", "(2,) float32", "sums 3 gradients"]
    add, mul, s = (p.find("op", n) for n in ("AddBackward", "MulBackward", "SumBackward"))
    assert sorted(p.edges) == sorted([("out0", s), (s, add), (add, mul), (add, acc), (mul, acc), (mul, acc)])
    assert p.text("out0") == "output backward() starts here with 1"


def test_outputs_lists_and_errors():
    x = autograd.ones(3, requires_grad=True)
    a, b = x * 2, x.exp()
    src = autograd.draw([a, {"b": b}]).source
    assert "<B>output 0</B>" in src and "<B>output 1</B>" in src
    with pytest.raises(TypeError, match="at least one"):
        autograd.draw()
    with pytest.raises(TypeError, match="expected Tensors or Scalars"):
        autograd.draw(np.ones(3))
    with pytest.raises(ValueError, match="rankdir"):
        autograd.draw(a, rankdir="UP")
    assert "rankdir=LR" in autograd.draw(a, rankdir="LR").source


def test_dot_source_is_deterministic():
    def build():
        model = mlp()
        return autograd.draw(model(autograd.ones(2, 4)), show_saved=True, collapse={"ReLU"}).source

    first = build()
    assert first == build()
    assert "0x" not in first  # no memory addresses


# -- rendering and Graphviz itself --------------------------------------------------------------------------

@needs_dot
def test_save_picks_the_format_from_the_suffix(tmp_path):
    g = autograd.draw((autograd.ones(2, requires_grad=True) * 3).sum())
    heads = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF"}
    for fmt, head in heads.items():
        path = g.save(tmp_path / f"graph.{fmt}")
        assert open(path, "rb").read().startswith(head)
    assert open(g.save(str(tmp_path / "graph.dot")), encoding="utf-8").read() == g.source
    assert open(g.render(str(tmp_path / "r"), format="svg"), "rb").read().startswith(b"<?xml")


def test_missing_dot_error_names_how_to_install(monkeypatch, tmp_path):
    g = autograd.draw((autograd.ones(2, requires_grad=True) * 3).sum())
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` anywhere
    assert "digraph denpa" in g.source
    for attempt in (lambda: g.pipe(format="svg"), lambda: g.save(tmp_path / "g.png"), g._repr_mimebundle_,
                    lambda: TextDrawing(g.source).pipe()):
        with pytest.raises(DotNotFoundError) as err:
            attempt()
        msg = str(err.value)
        assert "`dot` program was not found" in msg
        for how in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz", ".source"):
            assert how in msg


def test_without_the_graphviz_package(monkeypatch, tmp_path):
    x = autograd.ones(2, requires_grad=True)
    y = (x * 3).sum()
    with_package = autograd.draw(y).source
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    monkeypatch.setattr(drawing, "_DIGRAPH", None)
    g = autograd.draw(y)
    assert isinstance(g, TextDrawing) and g.source == with_package
    if HAVE_DOT:
        assert g._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")
        assert open(g.save(tmp_path / "g.svg"), "rb").read().startswith(b"<?xml")
        rendered = g.render("g", directory=str(tmp_path), format="png")
        assert open(rendered, "rb").read().startswith(b"\x89PNG")


def test_a_large_graph_is_drawn_in_full():
    x = autograd.randn(4, requires_grad=True)
    y = x
    for i in range(2000):
        y = (y * 0.5).tanh() if i % 2 else y + x
    src = autograd.draw(y, constants=False).source
    # per pair: add (2 edges in), mul (1), tanh (1); then the output's edge (the legend has none)
    assert src.count("<B>tanh</B>") == 1000 and src.count(" -> ") == 1000 * 4 + 1
    assert math.isclose(len(set(re.findall(r"\bop\d+\b", src))), 3000)


def test_repr_has_no_memory_address():
    x = autograd.ones(2, requires_grad=True)
    assert repr(autograd.draw((x * 2).sum())) == "<denpa drawing: 4 nodes, 3 edges; .source is the DOT text>"
