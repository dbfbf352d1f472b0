"""autograd.draw pictures: numbers inside op labels, the input named, max_nodes counting every box."""
from __future__ import annotations

import re

import autograd


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
