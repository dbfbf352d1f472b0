"""Which graph items (op nodes and leaf tensors) a drawing shows, and their stable numbers.

One breadth-first walk back from the outputs, with an explicit queue (no
recursion, so a million-op chain is fine). Items are numbered in walk order,
which depends only on the graph's structure, never on memory addresses, so
the same code draws the same DOT text every time. ``max_nodes`` keeps the
first items of that order (the ones nearest the outputs) and ``max_depth``
those at most that many steps from an output; the rest is counted, not drawn.
"""
from __future__ import annotations

from ..node import Node


class Walk:
    """The drawn items in walk order, their numbers, and what was cut."""

    def __init__(self, outputs, max_nodes=None, max_depth=None, extras=None, fixed=0):
        """``extras(op)``: keys of the extra nodes an op brings (its constant inputs); ``fixed``: nodes drawn
        whatever is cut (the outputs). ``max_nodes`` bounds them all, with the note on what was cut."""
        depth = {}
        order = []
        for v in outputs:
            e = v.grad_fn or v
            if e not in depth:
                depth[e] = 0
                order.append(e)
        i = 0
        while i < len(order):
            e = order[i]
            i += 1
            d = depth[e] + 1
            for p in e.parents:
                if p is not None and p not in depth:
                    depth[p] = d
                    order.append(p)
        keep = len(order)
        if max_depth is not None:  # depths never decrease along a breadth-first order
            keep = next((k for k, e in enumerate(order) if depth[e] > max_depth), keep)
        depth_keep = keep
        if max_nodes is not None and keep > 0:
            keep = self._fit(order[:keep], len(order), max_nodes, extras, fixed)
        self.cut_by_nodes = keep < depth_keep
        self.items = order[:keep]
        self.ids = {e: k for k, e in enumerate(self.items)}
        self.cut = len(order) - keep
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        ids = self.ids
        self.frontier = [e for e in self.items if any(p is not None and p not in ids for p in e.parents)]

    @staticmethod
    def _fit(order, total, max_nodes, extras, fixed) -> int:
        """How many items of ``order`` fit in ``max_nodes`` boxes with their extras, the outputs and the note
        (at least one item is always drawn)."""
        seen, count, keep = set(), fixed, 0
        for k, e in enumerate(order):
            new = [x for x in (extras(e) if extras is not None and isinstance(e, Node) else ()) if x not in seen]
            note = 1 if k + 1 < total else 0
            if k > 0 and count + 1 + len(new) + note > max_nodes:
                break
            seen.update(new)
            count += 1 + len(new)
            keep = k + 1
        return keep

    def ops(self):
        """The walked items that are ops (Nodes), in walk order."""
        return [e for e in self.items if isinstance(e, Node)]

    def topo(self) -> list:
        """The drawn items with every item after its (drawn) parents."""
        ids = self.ids
        done, out = set(), []
        for root in self.items:
            if root in done:
                continue
            stack = [(root, 0)]
            while stack:
                e, i = stack.pop()
                ps = e.parents
                while i < len(ps) and (ps[i] is None or ps[i] in done or ps[i] not in ids):
                    i += 1
                if i < len(ps):
                    stack.append((e, i + 1))
                    stack.append((ps[i], 0))
                elif e not in done:
                    done.add(e)
                    out.append(e)
        return out
