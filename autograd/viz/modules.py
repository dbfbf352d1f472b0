"""Module clusters: which module call each drawn op (and parameter) belongs to.

``nn.Module.__call__`` records each call on the nodes of its outputs
(:mod:`autograd.scope`). A call's ops are found by walking back from those
nodes until its inputs; the walk also stops at a node made by a call that is
neither this one, one inside it, nor one around it (a tensor the module reached
from outside). An op belongs to the innermost call that reaches it; a leaf to
the innermost call holding every op that uses it (a weight shared by two layers
sits in their common parent). Parameter names (``encoder.0.weight``) come from
``named_parameters()`` of the outermost modules.
"""
from __future__ import annotations

from .. import scope
from ..node import Node


def _ancestors(call):
    while call is not None:
        yield call
        call = call.parent


def _related(a, b) -> bool:
    return a is b or any(p is a for p in _ancestors(b.parent)) or any(p is b for p in _ancestors(a.parent))


def _lca(a, b):
    if a is None or b is None:
        return None
    chain = set(_ancestors(a))
    return next((c for c in _ancestors(b) if c in chain), None)


def collapse_test(spec):
    """``collapse=`` as a predicate on calls: a depth (0 is the outermost module) or module types/type names."""
    if spec is None:
        return None
    if isinstance(spec, bool) or not isinstance(spec, (int, str, type, set, frozenset, list, tuple)):
        raise TypeError(f"draw: collapse must be a module depth (int) or a set of module types or type names, "
                        f"got {spec!r}")
    if isinstance(spec, int):
        if spec < 0:
            raise ValueError(f"draw: collapse depth must be >= 0 (0 is the outermost module), got {spec}")
        return lambda c: c.depth >= spec
    items = {spec} if isinstance(spec, (str, type)) else set(spec)
    bad = [s for s in items if not isinstance(s, (str, type))]
    if bad:
        raise TypeError(f"draw: collapse takes module types or type names, got {bad[0]!r}")
    names = {s if isinstance(s, str) else s.__name__ for s in items}
    classes = tuple(s for s in items if isinstance(s, type))

    def test(c):
        m = c.module
        return c.type_name in names if m is None or not classes else (isinstance(m, classes) or c.type_name in names)
    return test


class Modules:
    """Cluster membership of the drawn items, parameter names, and the collapsed calls."""

    def __init__(self, walk, collapse=None):
        ids = walk.ids
        outs = {}
        for n in walk.ops():
            for c in scope.calls_of(n):
                outs.setdefault(c, []).append(n)
        calls = list(outs)
        seen = set(calls)
        for c in list(calls):
            for a in _ancestors(c.parent):
                if a not in seen:
                    seen.add(a)
                    calls.append(a)
        self.calls = calls
        self.outs = outs
        owner = {}
        for c, starts in outs.items():
            stop = set(c.inputs)
            first = set(starts)
            stack = list(starts)
            visited = set()
            while stack:
                n = stack.pop()
                if n in visited or n in stop or not isinstance(n, Node) or n not in ids:
                    continue
                visited.add(n)
                if n not in first and any(not _related(c2, c) for c2 in scope.calls_of(n)):
                    continue
                cur = owner.get(n)
                if cur is None or c.depth > cur.depth:
                    owner[n] = c
                stack.extend(p for p in n.parents if p is not None)
        self.cluster = {}
        for n in walk.items:
            if isinstance(n, Node):
                self.cluster[n] = owner.get(n)
                for p in n.parents:
                    if p is not None and not isinstance(p, Node):
                        here = owner.get(n)
                        self.cluster[p] = here if p not in self.cluster else _lca(self.cluster[p], here)
        for n in walk.items:
            self.cluster.setdefault(n, None)  # an output that is a leaf
        test = collapse_test(collapse)
        self._box = {}
        if test is not None:
            for c in calls:
                outer = None
                for a in _ancestors(c):
                    if test(a):
                        outer = a
                self._box[c] = outer

    def box(self, call):
        """The collapsed call drawn in place of ``call`` (itself or an outer one), or None."""
        return None if call is None else self._box.get(call)

    def param_names(self) -> dict:
        """Leaf tensor -> its name in its module (``encoder.0.weight``)."""
        roots = []
        for c in self.calls:
            m = c.module if c.parent is None else None
            if m is not None and hasattr(m, "named_parameters") and all(m is not r for r in roots):
                roots.append(m)
        with_params = [m for m in roots if next(iter(m.named_parameters()), None) is not None]
        names = {}
        for m in with_params:
            prefix = type(m).__name__ + "." if len(with_params) > 1 else ""
            for name, p in m.named_parameters():
                names.setdefault(p, prefix + name)
        return names


def label(call) -> str:
    """A call as its cluster is titled: ``features.conv1 (Conv2d)``, the outermost by its type."""
    return f"{call.path} ({call.type_name})" if call.path else call.type_name
