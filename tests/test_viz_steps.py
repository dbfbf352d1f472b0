"""The backward step-through: draw(..., backward=True, step=k) and draw_steps follow the engine's own walk."""
from __future__ import annotations

import math
import re
import shutil

import numpy as np
import pytest

import autograd
from autograd import Scalar
from autograd.viz import draw_steps

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` is not installed")


def _network_221():
    """A 2-2-1 network of Scalars with tanh neurons, every input and weight named."""
    x = [Scalar(0.5, name="x1"), Scalar(-1.5, name="x2")]
    w = {f"w{j}{k}": Scalar(0.1 * (j + 2 * k) - 0.3, name=f"w{j}{k}") for j in (1, 2, 3) for k in (1, 2)}
    b = {f"b{j}": Scalar(0.05 * j, name=f"b{j}") for j in (1, 2, 3)}
    h = [(w[f"w{j}1"] * x[0] + w[f"w{j}2"] * x[1] + b[f"b{j}"]).tanh() for j in (1, 2)]
    out = (w["w31"] * h[0] + w["w32"] * h[1] + b["b3"]).tanh()
    return x, w, b, h, out


def _engine_order(out):
    """What the engine visits on a real backward, seen through the same public hook."""
    seen = []
    with autograd.engine.observe(lambda item, g: seen.append(item) if g is not None else None):
        out.backward()
    return seen


def _label(item):
    return item.name if isinstance(item, autograd.Node) else item.name


def _current(src):
    """The DOT names drawn as the item being processed."""
    return re.findall(r"^\t(\w+) \[label=.*▶ step \d+", src, re.M)


def test_order_is_the_engines_and_nothing_changes_grad():
    x, w, b, h, out = _network_221()
    steps = draw_steps(out)
    assert all(s.grad == 0.0 for s in x + list(w.values()) + list(b.values()))  # the replay wrote no .grad
    assert all(v.grad == 0.0 for v in h)
    order = _engine_order(out)  # now the real backward, on the same graph
    assert steps.order == [_label(e) for e in order]
    assert len(steps) == len(order) + 1
    # every leaf is reached once, after every node that feeds it
    leaves = [e for e in order if not isinstance(e, autograd.Node)]
    assert sorted(v.name for v in leaves) == sorted(s.name for s in x + list(w.values()) + list(b.values()))


def test_each_step_highlights_the_item_the_engine_processed():
    x, w, b, h, out = _network_221()
    steps = draw_steps(out)
    assert _current(steps[0].source) == []
    for k in range(1, len(steps)):
        src = steps[k].source
        (name,) = _current(src)
        line = next(s for s in src.splitlines() if s.startswith(f"\t{name} ["))
        title = re.search(r"<B>([^<]+)</B>", line).group(1)
        want = steps.order[k - 1]
        assert title == (want if want.endswith("Backward") else "AccumulateGrad"), (k, title, want)
        if not want.endswith("Backward"):
            assert f"into {want}.grad" in line
    # the same drawing comes from draw(..., step=k)
    assert autograd.draw(out, backward=True, step=7).source == steps[7].source


def test_gradients_on_edges_and_leaves_are_the_delta_rule():
    x, w, b, h, out = _network_221()
    last = draw_steps(out)[-1].source
    o = out.array
    delta3 = 1 - o * o  # d out / d (pre-activation of the output neuron)
    deltas = [delta3 * w[f"w3{j}"].array * (1 - h[j - 1].array ** 2) for j in (1, 2)]  # back through w3j and tanh
    expect = {"w31": delta3 * h[0].array, "w32": delta3 * h[1].array, "b3": delta3}
    for j in (1, 2):
        expect.update({f"w{j}1": deltas[j - 1] * x[0].array, f"w{j}2": deltas[j - 1] * x[1].array,
                       f"b{j}": deltas[j - 1]})
    for name, g in expect.items():
        m = re.search(rf"into {name}\.grad</FONT>.*?received (-?[\d.e+-]+)<", last)
        assert m, name
        assert math.isclose(float(m.group(1)), g, rel_tol=1e-5, abs_tol=1e-9), (name, m.group(1), g)
    # x1 sums what both hidden neurons send: two labelled edges, and the sum on the leaf
    xg = deltas[0] * w["w11"].array + deltas[1] * w["w21"].array
    m = re.search(r"into x1\.grad</FONT>.*?received (-?[\d.e+-]+)<", last)
    assert math.isclose(float(m.group(1)), xg, rel_tol=1e-5)
    out.backward()
    assert math.isclose(x[0].grad, xg, rel_tol=1e-6)


def test_partial_sums_before_a_leaf_is_reached():
    a = Scalar(3.0, name="a")
    y = (a * a + a).tanh()  # a receives from mul (twice) and from add
    steps = draw_steps(y)
    order = steps.order
    k = order.index("MulBackward")  # add has sent its part; mul not processed yet
    src = steps[k].source
    assert "received so far" in src
    g_add = 1 - math.tanh(12.0) ** 2
    m = re.search(r"into a\.grad</FONT>.*?received so far (-?[\d.e+-]+)<", src)
    assert math.isclose(float(m.group(1)), g_add, rel_tol=1e-5)
    final = steps[len(steps) - 1].source
    m = re.search(r"into a\.grad</FONT>.*?received (-?[\d.e+-]+)<", final)
    assert math.isclose(float(m.group(1)), g_add * 7.0, rel_tol=1e-5)  # d(a^2 + a)/da = 2a + 1


def test_tensor_model_steps_and_retain_grad_untouched():
    autograd.manual_seed(0)
    x = autograd.randn(4, 3)
    w = autograd.randn(3, 2, requires_grad=True)
    w.name = "w"
    hidden = (x @ w).tanh()
    hidden.retain_grad()
    loss = (hidden * 2.0).sum()
    steps = draw_steps(loss)
    assert w.grad is None and hidden.grad is None
    assert steps.order == ["SumBackward", "MulBackward", "TanhBackward", "MatmulBackward", "w"]
    loss.backward()
    m = re.search(r"into w\.grad</FONT>.*?received ([^<]+)<", steps[-1].source)
    from autograd.viz.labels import preview

    assert m.group(1) == preview(w.grad.array)
    assert np.allclose(hidden.grad.array, 2.0)  # only the real backward stored it


def test_step_errors():
    a = Scalar(2.0, name="a")
    y = (a * a).tanh()
    with pytest.raises(ValueError, match="backward=True"):
        autograd.draw(y, step=1)
    with pytest.raises(ValueError, match="3 steps"):
        autograd.draw(y, backward=True, step=4)
    with pytest.raises(ValueError, match="step must be"):
        autograd.draw(y, backward=True, step=-1)
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        draw_steps(y)
    z = (a * a).tanh()
    z.backward(retain_graph=True)
    assert len(draw_steps(z)) == 4


@needs_dot
def test_html_slider_holds_every_step_and_needs_no_server(tmp_path):
    a, b = Scalar(2.0, name="a"), Scalar(-3.0, name="b")
    steps = draw_steps((a * b + b).tanh())
    path = steps.save(tmp_path / "steps.html")
    text = open(path, encoding="utf-8").read()
    assert text.count("<svg") == len(steps) == 6
    assert f'max="{len(steps) - 1}"' in text and 'type="range"' in text
    assert "<script src" not in text and "http://" not in text.replace("http://www.w3.org", "")
    assert "step 3: the engine processes MulBackward" in text
    assert steps._repr_html_() == text
