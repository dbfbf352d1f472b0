"""The reverse pass: one iterative walk over the recorded graph.

Kahn's algorithm in two sweeps: count how many edges reach each node, then
run a node once all of them have delivered their gradient. Both sweeps use
explicit stacks, so a graph a million ops deep needs no recursion.
"""
from __future__ import annotations

import contextlib
import math
import threading

from .backend import array_module
from .grad_mode import state
from .node import RetainGrad, Var, ops_for
from .tensor import check_hook_result, wrap_like
from .versions import read as read_version

_RELEASED = object()  # marks a node whose saved arrays were freed by an earlier backward


class _Watch(threading.local):
    fn = None


_watch = _Watch()


@contextlib.contextmanager
def observe(callback):
    """Call ``callback(item, grad)`` as each backward on this thread processes a node or reaches a leaf, in the
    walk's own order (``item`` is the Node, or the leaf Tensor/Scalar; ``grad`` the gradient arriving there as
    the walk holds it: an array, a float, or a Tensor under ``create_graph``). For teaching tools that replay the
    walk step by step; hooks are the way to change gradients.

    >>> import autograd
    >>> x = autograd.tensor(2.0, requires_grad=True)
    >>> seen = []
    >>> with autograd.engine.observe(lambda item, g: seen.append(type(item).__name__)):
    ...     (x * x).exp().backward()
    >>> seen
    ['Exp', 'Mul', 'Tensor']
    """
    prev, _watch.fn = _watch.fn, callback
    try:
        yield
    finally:
        _watch.fn = prev

def _retain_graph_error(node):
    return RuntimeError(
        f"Trying to backward through the graph a second time: {node.name} already freed the values it "
        "saved for backward. Pass retain_graph=True to the first backward() (or autograd.grad) if you "
        "need to backward through the same graph again."
    )


def _check_versions(node):
    vc = node.vc
    for counter, snapshot in zip(vc[::2], vc[1::2]):
        if counter == snapshot:
            continue
        then, now = read_version(snapshot), read_version(counter)
        if node.saved is None and node.out is None:
            raise RuntimeError(
                f"{node.name}: this view's base was modified by an in-place operation after the view was taken "
                f"(base at version {then} then, version {now} now), so the view's history is stale. "
                f"Take the view after the in-place change, or clone() the base before changing it."
            )
        vals = [v for v in (node.saved or ()) if hasattr(v, "shape")] + ([node.out] if node.out is not None else [])
        shapes = ", ".join(str(tuple(v.shape)) for v in vals)
        raise RuntimeError(
            f"one of the tensors needed for gradient computation has been modified by an in-place "
            f"operation: {node.name} saved a tensor (saved shapes: {shapes or '()'}) at version {then}; "
            f"it is now at version {now}. Use an out-of-place op (x = x + 1 rather than "
            f"x += 1) or clone() the tensor before changing it."
        )


def _stale(vc):
    return any(vc[i] != vc[i + 1] for i in range(2, len(vc), 2))


def _finite(g):
    if hasattr(g, "slots"):  # a multi-output node's gradients (function.MultiGrad)
        return all(_finite(v) for v in g.slots.values())
    if isinstance(g, Var):
        g = g.array
    if isinstance(g, (float, int)):
        return math.isfinite(g)
    return bool(array_module(g).isfinite(g).all())


def _graph_inputs(node):
    """The saved inputs as graph-connected values, for a create_graph backward."""
    saved = node.saved
    if saved is None or not node.save_inputs:
        return None
    return tuple(v if p is None or v is None else (p if isinstance(p, Var) else wrap_like(v, p))
                 for p, v in zip(node.parents, saved))


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, capture=None, keep_grads=False,
                 graph_ops=None):
    """Propagate ``root_grads`` from ``roots`` to the leaves.

    ``graph_ops`` is the vocabulary over Tensors that rules are written in when ``create_graph`` is set (the
    caller passes ``autograd.ops.TENSOR_OPS``: the engine knows no op). A plain walk uses the vocabulary of
    the gradients' own kind of data (``node.ops_for``).

    ``capture`` maps edges (nodes or leaves) to result slots for ``autograd.grad``:
    then leaves are left alone and the gradients reaching those edges are returned.
    ``keep_grads`` stores each node's gradient on it (Scalar graphs show every value's grad).
    """
    if len(roots) == 1:  # the usual loss.backward()
        e = roots[0].grad_fn or roots[0]
        grads = {e: root_grads[0]}
        order = [e]
    else:
        grads = {}
        order = []
        for t, g in zip(roots, root_grads):
            e = t.grad_fn or t
            if e in grads:
                grads[e] = grads[e] + g
            else:
                grads[e] = g
                order.append(e)

    deps = {}
    todo = list(order)
    while todo:
        for p in todo.pop().parents:
            if p is not None:
                c = deps.get(p)
                if c is None:
                    deps[p] = 1
                    todo.append(p)
                else:
                    deps[p] = c + 1

    results = [None] * len(capture) if capture is not None else None
    handed = set(map(id, root_grads))  # arrays already owned elsewhere: copy before storing in .grad
    watch = _watch.fn
    slow = capture is not None or create_graph or state.anomaly or watch is not None  # keep_grads stays flat
    ready = order if len(order) == 1 else [e for e in order if e not in deps]  # one root has no parent edge to it
    # one vocabulary per walk: a graph holds one kind of data (Scalars and Tensors never mix)
    if create_graph and graph_ops is None:
        raise ValueError("run_backward: create_graph needs graph_ops, the Tensor vocabulary (autograd.ops.TENSOR_OPS)")
    F = graph_ops if create_graph else ops_for(root_grads[0])
    prev = state.enabled
    state.enabled = create_graph
    try:
        while ready:
            n = ready.pop()
            g = grads.pop(n, None)
            if isinstance(n, Var):  # a leaf
                if watch is not None:
                    watch(n, g)
                if g is not None:
                    if capture is None:
                        n._accumulate(g, handed, create_graph)
                    elif n in capture:
                        results[capture[n]] = n._run_hooks(g)
                continue
            ps = n.parents
            if g is None:  # nothing reached this node: just let its parents become ready
                gs = (None,) * len(ps)
            elif slow or n.hooks:
                if watch is not None:
                    watch(n, g)
                gs = _step(n, g, F, retain_graph, create_graph, keep_grads, capture, results)
            else:  # the common case, kept flat: this loop runs once per recorded op
                vc = n.vc
                if vc is None and not keep_grads:  # nothing saved that could go stale (add, reshape)
                    gs = n.backward(g, n.saved, n.out, F)
                else:
                    if keep_grads:  # a Scalar graph: every value shows its gradient
                        n.grad = g
                    saved = n.saved
                    if saved is _RELEASED:
                        raise _retain_graph_error(n)
                    if vc is not None and (vc[0] != vc[1] or (len(vc) > 2 and _stale(vc))):
                        _check_versions(n)
                    gs = n.backward(g, saved, n.out, F)
                    if not retain_graph and (saved is not None or n.out is not None):
                        n.saved = _RELEASED
                        n.out = None
            if len(ps) == 1:  # most ops have one input: skip the zip
                p = ps[0]
                if p is not None:
                    gi = gs[0]
                    if gi is not None:
                        old = grads.get(p)
                        grads[p] = gi if old is None else old + gi
                    c = deps[p] - 1
                    deps[p] = c
                    if c == 0:
                        ready.append(p)
                continue
            for p, gi in zip(ps, gs):
                if p is None:
                    continue
                if gi is not None:
                    old = grads.get(p)
                    grads[p] = gi if old is None else old + gi
                c = deps[p] - 1
                deps[p] = c
                if c == 0:
                    ready.append(p)
    finally:
        state.enabled = prev
    return results


def _step(n, g, F, retain_graph, create_graph, keep_grads, capture, results):
    """One node's backward with every option: hooks, kept or captured gradients,
    create_graph and anomaly checks (the walk inlines the plain case)."""
    if n.hooks:
        g = _run_node_hooks(n, g, create_graph)
    if keep_grads:
        n.grad = g
    if capture is not None and n in capture:
        results[capture[n]] = g
    saved = n.saved
    if saved is _RELEASED:
        raise _retain_graph_error(n)
    vc = n.vc
    if vc is not None and (vc[0] != vc[1] or (len(vc) > 2 and _stale(vc))):
        _check_versions(n)
    if create_graph:
        out = n.out
        gs = n.backward(g, _graph_inputs(n), None if out is None else wrap_like(out, n), F)
    else:
        gs = n.backward(g, saved, n.out, F)
    if not retain_graph and (saved is not None or n.out is not None):
        n.saved = _RELEASED
        n.out = None
    if state.anomaly:
        for i, gi in enumerate(gs):
            if gi is not None and not _finite(gi):
                raise RuntimeError(
                    f"Function '{n.name}' returned nan or inf values in its {i}th output.\n"
                    f"Traceback of the forward call that created it:\n{n.trace or '(not recorded)'}"
                )
    return gs


def _run_node_hooks(n, g, create_graph):
    """Tensor hooks registered on a non-leaf (and retain_grad, which is one of them)."""
    retains = []
    for hook in n.hooks:
        if isinstance(hook, RetainGrad):  # runs after every other hook, as PyTorch
            retains.append(hook)
            continue
        if isinstance(g, Var) or isinstance(g, float):
            r = hook(g)
            if r is not None:
                if not isinstance(g, float):
                    check_hook_result(hook, r, g)
                g = r
        else:
            r = hook(wrap_like(g, None))
            if r is not None:
                check_hook_result(hook, r, g)
                g = r.array
    for hook in retains:
        t = hook.ref()
        if t is not None:
            new = g if create_graph else wrap_like(g.copy() if hasattr(g, "copy") else g, None)
            t.grad = new if t.grad is None else t.grad + new
    return g
