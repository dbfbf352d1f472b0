"""autograd.draw pictures: numbers inside op labels, the input named, max_nodes counting every box, the legend
below the graph, tooltips, convolution and pooling labels."""
from __future__ import annotations

import math
import re
import shutil

import numpy as np
import pytest

import autograd

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` is not installed")


def boxes(src):
    """DOT names of the drawn boxes, the legend left out."""
    return [n for n in re.findall(r"^\t+(\w+) \[label=", src, re.M) if not n.startswith("legend")]


def test_a_300_op_chain_of_constants_draws_no_constant_boxes():
    x = autograd.tensor(1.0, requires_grad=True)
    x.name = "x"
    y = x
    for _ in range(300):
        y = y * 1.01
    src = autograd.draw(y).source
    assert src.count("<B>mul(1.01)</B>") == 300
    assert len(boxes(src)) == 300 + 2  # the ops, x and the output: no node per constant
    assert not [b for b in boxes(src) if b.startswith("c")]


def test_numbers_keep_their_side_and_unknown_ones_show_a_question_mark():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    src = autograd.draw(2.0 / x).source
    assert "<B>div(2, ·)</B>" in src  # the number is the dividend
    assert "<B>div(4)</B>" in autograd.draw(x / 4.0).source
    assert "<B>add(?)</B>" in autograd.draw(x + 1.0).source  # add keeps nothing for backward


def test_max_nodes_counts_every_box():
    for limit in (3, 10, 50):
        x = autograd.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(300):
            y = y * 1.01
        src = autograd.draw(y, max_nodes=limit).source
        assert len(boxes(src)) == limit and "cut" in boxes(src)


def test_the_input_tensor_is_labelled():
    w = autograd.randn(3, 2, requires_grad=True)
    x = autograd.randn(4, 3)
    src = autograd.draw(x @ w).source
    assert re.search(r"c0 \[label=<<B>input</B><BR/><FONT POINT-SIZE=\"9\">\(4, 3\) float32", src)
    assert "<B>images</B>" in autograd.draw(x @ w, params={"images": x, "w": w}).source


# -- the legend: a table in the graph's label, below the graph --------------------------------------------

def svg_size(g):
    """(width, height) in points of the rendered drawing."""
    m = re.search(r'<svg width="(\d+)pt" height="(\d+)pt"', g.pipe(format="svg").decode())
    return int(m.group(1)), int(m.group(2))


def legend_cases():
    import nn

    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    yield "x*x", lambda **k: autograd.draw((x * x).sum(), **k)
    yield "exp", lambda **k: autograd.draw(x.exp(), **k)
    a, b = autograd.Scalar(2.0, name="a"), autograd.Scalar(-3.0, name="b")
    yield "scalars", lambda **k: autograd.draw((a * b).tanh(), **k)
    autograd.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    y = mlp(autograd.randn(5, 4))
    yield "mlp", lambda **k: autograd.draw(y, **k)
    yield "collapsed", lambda **k: autograd.draw(y, collapse=1, **k)
    yield "backward", lambda **k: autograd.draw(y, backward=True, **k)
    yield "cut", lambda **k: autograd.draw(y, max_nodes=4, **k)
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 3))
    yield "cnn", lambda **k: autograd.draw(cnn(autograd.randn(2, 1, 8, 8)), **k)


@needs_dot
@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_the_legend_does_not_widen_the_graph(rankdir):
    for name, draw in legend_cases():
        (w0, h0), (w1, h1) = svg_size(draw(rankdir=rankdir, legend=False)), svg_size(draw(rankdir=rankdir))
        assert w1 == w0 and h1 > h0, (name, rankdir, (w0, h0), (w1, h1))  # below the graph: only taller
        assert h1 - h0 <= (100 if rankdir == "TB" else 40), (name, h0, h1)  # and compact


def test_the_legend_is_the_graph_label_written_after_every_cluster():
    import nn

    y = nn.Sequential(nn.Linear(3, 2), nn.ReLU())(autograd.randn(4, 3))
    src = autograd.draw(y).source
    body = src.splitlines()
    assert not [s for s in body if "legend_" in s or "cluster_legend" in s]  # no nodes, no cluster
    at = body.index("\tlabelloc=b")
    assert body[at + 1] == "\tlabeljust=l" and body[at + 2].startswith("\tlabel=<<TABLE")
    assert at > max(i for i, s in enumerate(body) if "subgraph" in s or " -> " in s)  # no cluster inherits it
    table = body[at + 2]
    assert table.count("<TR>") == 4  # one swatch per style drawn, one per row: param, input, op, output
    for word in ("requires<BR/>grad", "input,<BR/>constant", ">op<", ">output<"):
        assert word in table
    lr = autograd.draw(y, rankdir="LR").source
    assert [s for s in lr.splitlines() if s.startswith("\tlabel=<")][0].count("<TR>") == 1  # one row
    back = autograd.draw(y, backward=True).source
    assert "into<BR/>.grad" in back and "backward<BR/>function" in back
    assert "labelloc" not in autograd.draw(y, legend=False).source


# -- tooltips -----------------------------------------------------------------------------------------------

def tips(g):
    """DOT name -> tooltip text, read back from the rendered SVG (what a browser shows on hover)."""
    import xml.etree.ElementTree as ET

    svg, xlink = "{http://www.w3.org/2000/svg}", "{http://www.w3.org/1999/xlink}"
    out = {}
    for el in ET.fromstring(g.pipe(format="svg")).iter(svg + "g"):
        if el.get("class") == "node":
            link = el.find(f"{svg}g/{svg}a")
            out[el.find(svg + "title").text] = None if link is None else link.get(xlink + "title")
    return out


@needs_dot
def test_hovering_a_leaf_shows_shape_dtype_device_values_and_after_backward_the_gradient():
    x = autograd.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    x.name = "x"
    y = (x * x).sum()
    before = tips(autograd.draw(y))
    assert all(before.values()), before  # every node has one
    assert before["t2"].splitlines() == ["x: leaf, requires grad", "shape (2, 3) · 6 values",
                                         "dtype float32 · device cpu", "value [1, 2, 3, 4, 5, 6]",
                                         "min 1 · max 6 · mean 3.5 · std 1.708",
                                         "grad None (no backward() has reached it yet)"]
    y.backward(retain_graph=True)
    after = tips(autograd.draw(y))["t2"].splitlines()
    assert after[-3:] == ["grad [2, 4, 6, 8, 10, 12]", "min 2 · max 12 · mean 7 · std 3.416",
                          f"‖grad‖₂ = {float(np.linalg.norm([2, 4, 6, 8, 10, 12])):.4g}"]


@needs_dot
def test_hovering_an_op_shows_its_output_and_what_it_saved():
    w = autograd.randn(3, 2, dtype=autograd.float64, requires_grad=True)
    w.name = "W"
    x = autograd.randn(4, 3, dtype=autograd.float64)
    h = (x @ w).tanh()
    h.retain_grad()
    loss = (h * h).sum()
    t = tips(autograd.draw(loss))
    mm, tanh = (next(k for k, v in t.items() if v.startswith(p)) for p in ("matmul:", "tanh:"))
    lines = t[mm].splitlines()
    assert lines[:3] == ["matmul: MatmulBackward", "output shape (4, 2) · 8 values", "dtype float64 · device cpu"]
    assert "saved in0: (4, 3) float64" in lines and "saved in1 = W: (3, 2) float64" in lines
    assert "grad not kept (call .retain_grad()" in t[mm]  # nothing holds matmul's gradient...
    assert t["c0"].splitlines()[:3] == ["input: input or constant (needs no grad)", "shape (4, 3) · 12 values",
                                        "dtype float64 · device cpu"]
    loss.backward()
    t = tips(autograd.draw(loss))
    g = 2 * h.array  # ...but tanh's output was retained: d(sum h*h)/dh
    assert f"‖grad‖₂ = {float(np.linalg.norm(g)):.4g}" in t[tanh]
    assert "saved for backward: freed by backward()" in t[tanh]
    assert "value not kept (backward() freed what the op saved)" in t["c0"]


@needs_dot
def test_tooltips_of_a_scalar_graph_and_of_the_backward_view():
    a, b = autograd.Scalar(2.0, name="a"), autograd.Scalar(-3.0, name="b")
    y = (a * b).tanh()
    y.backward()
    t = tips(autograd.draw(y))
    mul = next(k for k, v in t.items() if v.startswith("mul"))
    assert t[mul].splitlines()[:3] == ["mul: MulBackward", "Scalar · value -6", f"grad {1 - math.tanh(-6.0) ** 2:.6g}"]
    assert t["t2"].splitlines() == ["a: leaf, requires grad", "Scalar · value 2", f"grad {a.grad:.6g}"]
    back = tips(autograd.draw(y, backward=True))
    assert back["t2"].startswith("a: leaf, requires grad; AccumulateGrad sums its gradient into .grad")


def test_tooltip_text_is_escaped_for_dot():
    x = autograd.tensor([1.0], requires_grad=True)
    x.name = 'a "quoted" \\ name'
    src = autograd.draw(x * 3).source
    assert 'tooltip="a \\"quoted\\" \\\\ name: leaf, requires grad\\nshape (1,)' in src


# -- convolution and pooling labels ----------------------------------------------------------------------------

def op_labels(y):
    return re.findall(r"<B>([^<]+)</B><BR/><FONT POINT-SIZE=\"9\">(\([^<]*\))</FONT>", autograd.draw(y).source)


def test_convolution_labels_show_what_differs_from_the_defaults():
    import nn.functional as F

    x = autograd.randn(2, 4, 9, 9, requires_grad=True)
    w = autograd.randn(6, 2, 3, 3, requires_grad=True)
    cases = [
        (dict(), "conv2d"),
        (dict(stride=2, padding=1, groups=2), "conv2d(stride=2, padding=1, groups=2)"),
        (dict(stride=(2, 1), dilation=(1, 2), groups=2), "conv2d(stride=(2, 1), dilation=(1, 2), groups=2)"),
        (dict(padding=(0, 1), groups=2), "conv2d(padding=(0, 1), groups=2)"),
    ]
    for kw, label in cases:
        kw.setdefault("groups", 2 if "groups" in kw else 1)
        y = F.conv2d(x, w if kw["groups"] == 2 else autograd.randn(6, 4, 3, 3), **kw)
        assert op_labels(y)[0] == (label, str(tuple(y.shape))), kw
    even = autograd.randn(3, 4, 2, 2)  # padding='same' with an even kernel pads one more cell after than before
    assert op_labels(F.conv2d(x, even, padding="same"))[0][0] == "conv2d(padding='same')"
    assert op_labels(F.conv2d(x, autograd.randn(3, 4, 3, 3), padding="same"))[0][0] == "conv2d(padding=1)"
    y = F.conv1d(autograd.randn(1, 2, 9, requires_grad=True), autograd.randn(3, 2, 3), stride=3)
    assert op_labels(y)[0] == ("conv1d(stride=3)", "(1, 3, 3)")
    t = F.conv_transpose2d(autograd.randn(1, 6, 3, 3, requires_grad=True), w, stride=2, padding=1,
                           output_padding=1, groups=2)
    assert op_labels(t)[0] == ("conv_transpose2d(stride=2, padding=1, output_padding=1, groups=2)",
                               str(tuple(t.shape)))


def test_pooling_labels_show_the_kernel_and_what_differs_from_the_defaults():
    import nn.functional as F

    x = autograd.randn(1, 2, 7, 7, requires_grad=True)
    for kw, label in [(dict(kernel_size=2), "max_pool2d(2)"),
                      (dict(kernel_size=3, stride=2, padding=1), "max_pool2d(3, stride=2, padding=1)"),
                      (dict(kernel_size=(2, 3), stride=1, dilation=2), "max_pool2d((2, 3), stride=1, dilation=2)"),
                      (dict(kernel_size=2, ceil_mode=True), "max_pool2d(2, ceil_mode=True)")]:
        y = F.max_pool2d(x, **kw)
        assert op_labels(y)[0] == (label, str(tuple(y.shape))), kw
    assert op_labels(F.max_pool2d(x[:, :, :6, :6], 2, ceil_mode=True))[0][0] == "max_pool2d(2)"  # changed nothing
    y = F.avg_pool2d(x, 2)  # a sum pool, then the division
    assert op_labels(y)[:2] == [("mul(0.25)", "(1, 2, 3, 3)"), ("sum_pool2d(2)", "(1, 2, 3, 3)")]


def test_conv_gradient_graphs_name_their_ops():
    import nn.functional as F

    x = autograd.randn(1, 2, 6, 6, requires_grad=True)
    w = autograd.randn(3, 2, 3, 3, requires_grad=True)
    (gx, gw) = autograd.grad(F.conv2d(x, w, stride=2).sum(), (x, w), create_graph=True)
    assert op_labels(gx)[0][0] == "conv_transpose2d(stride=2, output_padding=1)"  # the cell no window reached
    assert op_labels(gx)[0][1] == "(1, 2, 6, 6)"
    assert op_labels(gw)[0] == ("conv2d_weight(stride=2)", "(3, 2, 3, 3)")
