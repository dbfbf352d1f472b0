"""Constant operands: a Python number goes inside its op's label (``mul(1.01)``), an array gets a node.

A chain of 300 ``y * 1.01`` draws 300 ``mul(1.01)`` boxes, not 300 more boxes for the constant. An op that
does not keep its number (``add`` and ``sub`` save nothing for backward) shows ``?`` in its place; a
tensor that needs no grad (most often the model's input) is drawn once as an ``input`` node.
"""
from __future__ import annotations

from .facts import UNKNOWN, input_shapes, saved_inputs
from .labels import preview

_ARITH = {"Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum"}  # the ops a Python number can feed
_ORDERED = {"Sub", "Div", "Pow"}  # not commutative: where the number sits matters


def value(node, i):
    """The ``i``-th input ``node`` saved for backward, or UNKNOWN when it saves none."""
    s = saved_inputs(node)
    return UNKNOWN if s is None else s[i]


def is_number(node, i) -> bool:
    """Whether constant slot ``i`` of ``node`` is (or, unknown, can only be) a number shown in the label."""
    if type(node).__name__ not in _ARITH:
        return False
    v = value(node, i)
    if v is UNKNOWN or v is None:
        shape = input_shapes(node)[i]
        return shape is None or len(shape) == 0
    return getattr(v, "ndim", 0) == 0


def key(node, i):
    """The constant node standing for slot ``i``: one per array however many ops use it; None for a number."""
    if is_number(node, i):
        return None
    v = value(node, i)
    return id(v) if getattr(v, "ndim", 0) else (node, i)


def label(node, base: str) -> str:
    """``base`` (the op's label) with its number operands: ``mul(1.01)``, ``sub(1.5, ·)``, ``add(?)``."""
    slots = [i for i, p in enumerate(node.parents) if p is None and is_number(node, i)]
    if not slots or "(" in base:  # pow(2) already names its exponent
        return base
    texts = []
    for i in slots:
        v = value(node, i)
        texts.append("?" if v is UNKNOWN or v is None else preview(v.item() if hasattr(v, "item") else v, True))
    if type(node).__name__ in _ORDERED and slots[0] == 0 and len(node.parents) == 2:
        return f"{base}({texts[0]}, ·)"
    return f"{base}({', '.join(texts)})"
