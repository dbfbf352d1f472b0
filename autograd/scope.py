"""Module scopes: which module call produced which part of a graph.

``nn.Module.__call__`` wraps its forward in :func:`enter` / :func:`leave`.
Nothing is stored per op (the per-op path stays as it is): a finished call is
remembered once, on the nodes of its outputs, as a :class:`ModuleCall` naming
the module's path (``features.conv1``, as ``named_modules`` spells it) and the
graph edges of its inputs. The graph renderer finds the ops of a call by
walking back from those outputs until it meets the inputs, and nests calls by
their ``parent``.

>>> import autograd
>>> from autograd import scope
>>> class Double:                       # any object can be a scope; nn.Module is the usual one
...     _modules = {}
>>> m = Double()
>>> x = autograd.tensor([1.0, 2.0], requires_grad=True)
>>> call = scope.enter(m)
>>> y = x * 2
>>> scope.leave(call, (x,), y)
>>> y.grad_fn.module_calls[0].type_name
'Double'
"""
from __future__ import annotations

import threading
import weakref

from .node import Node, Var


class ModuleCall:
    """One call of a module: its path, its type, its parent call and its input edges."""

    __slots__ = ("path", "type_name", "module_ref", "parent", "inputs", "depth", "names", "__weakref__")

    def __init__(self, module, path: str, parent):
        self.path = path
        self.type_name = type(module).__name__
        self.module_ref = weakref.ref(module) if hasattr(type(module), "__weakref__") else (lambda m=module: m)
        self.parent = parent
        self.inputs = ()
        self.depth = 0 if parent is None else parent.depth + 1
        self.names = None  # id(child module) -> attribute name, built on the first child call

    @property
    def module(self):
        """The module that was called (None once it has been freed: the call holds it weakly)."""
        return self.module_ref()

    def __repr__(self):
        return f"<ModuleCall {self.path or self.type_name!r}>"


class _Stack(threading.local):
    def __init__(self):
        self.calls = []


_stack = _Stack()


def current():
    """The innermost module call running on this thread, or None."""
    calls = _stack.calls
    return calls[-1] if calls else None


def _child_name(parent: ModuleCall, module):
    """``module``'s attribute name in the parent call's module (one dict per call, so a Sequential
    of n layers costs n lookups, not n² scans)."""
    names = parent.names
    if names is None:
        pm = parent.module
        children = (getattr(pm, "_modules", None) or {}) if pm is not None else {}
        names = parent.names = {}
        for name, m in children.items():
            names.setdefault(id(m), name)
    return names.get(id(module))


def enter(module) -> ModuleCall:
    """Start a call of ``module``; its path extends the running call's path."""
    calls = _stack.calls
    parent = calls[-1] if calls else None
    if parent is None:
        path = ""
    else:
        name = _child_name(parent, module)
        if name is None:  # a module called from a parent that does not own it: name it by its type
            name = type(module).__name__
        path = f"{parent.path}.{name}" if parent.path else name
    call = ModuleCall(module, path, parent)
    calls.append(call)
    return call


def _edges(values):
    """The graph edges (nodes or leaves that require grad) among nested inputs/outputs."""
    out = []
    todo = [values]
    while todo:
        v = todo.pop()
        if isinstance(v, Var):
            e = v.grad_fn or (v if v.requires_grad else None)
            if e is not None:
                out.append(e)
        elif isinstance(v, (tuple, list)):
            todo.extend(reversed(v))
        elif isinstance(v, dict):
            todo.extend(reversed(list(v.values())))
    return out


def leave(call: ModuleCall, inputs, outputs) -> None:
    """End ``call``; if its outputs were recorded, remember the call on their nodes."""
    calls = _stack.calls
    if calls and calls[-1] is call:
        calls.pop()
    else:  # an exception unwound past inner calls: drop them too
        while calls and calls.pop() is not call:
            pass
    outs = [e for e in _edges(outputs) if isinstance(e, Node)]
    if not outs:
        return
    call.inputs = tuple(_edges(inputs))
    for n in outs:
        mc = n.__dict__.get("module_calls")
        if mc is None:
            n.module_calls = [call]
        elif call not in mc:
            mc.append(call)


def calls_of(node) -> list:
    """The module calls whose outputs ``node`` made, innermost first."""
    if isinstance(node, Node):
        return node.__dict__.get("module_calls", [])
    return []
