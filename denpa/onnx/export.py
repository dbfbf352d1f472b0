"""``export``: record the graph of ``model(*args)`` and write it as an ONNX model."""
from __future__ import annotations

import os
import secrets
from typing import Mapping, Optional, Sequence

import numpy as np

import autograd
import nn
from autograd.node import Node, Var

from .graph import Graph
from .layers import Unsupported, emitter
from .ops import emit

OPSETS = range(17, 22)


def _flat(x) -> list:
    out, todo = [], [x]
    while todo:
        v = todo.pop()
        if isinstance(v, (list, tuple)):
            todo.extend(reversed(v))
        elif isinstance(v, dict):
            todo.extend(reversed(list(v.values())))
        elif v is not None:
            out.append(v)
    return out


def _trace(model, args):
    """Run the model once, in eval mode, recording each call of a covered layer (module, inputs, outputs)."""
    calls, handles = [], []

    def hook(module, inputs, output):
        calls.append((module, [t for t in _flat(inputs) if isinstance(t, autograd.Tensor)], _flat(output)))

    for m in model.modules() if isinstance(model, nn.Module) else ():
        if emitter(m) is not None:
            handles.append(m.register_forward_hook(hook))
    training = getattr(model, "training", False)
    if training:
        model.eval()
    try:
        with autograd.enable_grad():
            out = model(*args)
    finally:
        for h in handles:
            h.remove()
        if training:
            model.train()
    return out, calls


def _onnx_type(a):
    from onnx import helper

    return helper.np_dtype_to_tensor_dtype(np.dtype(a.dtype))


def _value_info(name, t, dynamic):
    from onnx import helper

    dims = [dynamic.get(i, int(n)) for i, n in enumerate(t.shape)]
    return helper.make_tensor_value_info(name, _onnx_type(t.array), dims)


def _dynamic(dynamic_axes, name):
    spec = (dynamic_axes or {}).get(name)
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return {int(k): str(v) for k, v in spec.items()}
    return {int(k): f"{name}_dim{int(k)}" for k in spec}


def export(model, args, f, input_names: Optional[Sequence[str]] = None,
           output_names: Optional[Sequence[str]] = None, dynamic_axes: Optional[Mapping] = None,
           opset_version: int = 17) -> None:
    """Write ``model``'s graph for example inputs ``args`` (a Tensor or a tuple of them) to ``f`` (a path or a
    binary file) as ONNX, as ``torch.onnx.export``. ``input_names``/``output_names`` name the graph's inputs and
    outputs (default ``input_0``, ``output_0``, ...); ``dynamic_axes`` maps a name to the axes that may vary
    (``{"x": {0: "batch"}}`` or ``{"x": [0]}``); ``opset_version`` is 17 to 21. The model runs once in eval mode
    (Dropout is the identity, BatchNorm uses its running statistics) and is left in the mode it was in.

    >>> import io, denpa, denpa.onnx
    >>> buf = io.BytesIO()
    >>> denpa.onnx.export(denpa.nn.Linear(4, 2), denpa.randn(3, 4), buf)
    >>> len(buf.getvalue()) > 0
    True
    """
    try:
        import onnx
        from onnx import helper
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("denpa.onnx.export needs the onnx package: pip install 'denpa[onnx]' (or pip install onnx)") from None
    if isinstance(opset_version, bool) or opset_version not in OPSETS:
        raise ValueError(f"denpa.onnx.export: opset_version must be {OPSETS.start} to {OPSETS.stop - 1}, got {opset_version!r}")
    args = (args,) if isinstance(args, autograd.Tensor) else tuple(args)
    if not args or not all(isinstance(a, autograd.Tensor) for a in args):
        raise TypeError("denpa.onnx.export: args must be a Tensor or a tuple of Tensors (example inputs), got "
                        + ", ".join(type(a).__name__ for a in args))
    # float inputs become leaves that require grad, so the graph records every op that uses them
    feeds = [a.detach().requires_grad_() if a.array.dtype.kind == "f" else a for a in args]
    out, calls = _trace(model, feeds)
    outs = _flat(out)
    if not outs or not all(isinstance(t, autograd.Tensor) for t in outs):
        raise TypeError("denpa.onnx.export: the model must return a Tensor or a tuple of Tensors")
    in_names = list(input_names or [])[:len(feeds)]
    in_names += [f"input_{i}" for i in range(len(in_names), len(feeds))]
    out_names = list(output_names or [])[:len(outs)]
    out_names += [f"output_{i}" for i in range(len(out_names), len(outs))]

    g = Graph(opset_version)
    known = {id(t): n for t, n in zip(feeds, in_names)}  # id(tensor) -> ONNX name
    owner = {}  # a covered call's output node -> (call, output index)
    for call in calls:
        m, ins, res = call
        for j, t in enumerate(res):
            if isinstance(t, autograd.Tensor) and t.grad_fn is not None and all(t is not x for x in ins):
                owner[t.grad_fn] = (call, j)  # later (outer) calls win: hooks run innermost first
    done = {}  # node -> ONNX name(s); a call -> its list of names

    def source(t):
        """Where an input tensor of a call comes from: a graph input, a node, or a constant."""
        if id(t) in known:
            return ("name", known[id(t)])
        if t.grad_fn is not None:
            return ("node", t.grad_fn)
        return ("name", g.const(np.asarray(t.detach().array), "const"))

    def deps(n):
        if n in owner:
            return [s[1] for s in (source(t) for t in owner[n][0][1]) if s[0] == "node"]
        return [p for p in n.parents if isinstance(p, Node)]

    def name_of_parent(p):
        if p is None:
            return None
        if isinstance(p, Node):
            return done[p]
        if id(p) in known:
            return known[id(p)]
        return g.const(np.asarray(p.array), "param")

    def emit_node(n):
        if n in owner:
            call, j = owner[n]
            key = id(call)
            if key not in done:
                m, ins, res = call
                names = []
                for t in ins:
                    kind, v = source(t)
                    names.append(v if kind == "name" else done[v])
                try:
                    done[key] = emitter(m)(g, m, names, ins, res)
                except Unsupported:
                    raise
                except AttributeError as e:
                    raise Unsupported(f"{type(m).__name__}: cannot read what the ONNX export needs ({e})") from None
            return done[key][j]
        ps = [name_of_parent(p) for p in n.parents]
        if type(n).__name__ == "_Select":
            return ps[0][n.index]
        return emit(g, n, ps)

    roots = []
    for t in outs:
        if id(t) in known:
            continue
        if t.grad_fn is None:
            raise Unsupported("denpa.onnx.export: an output does not depend on the inputs or parameters "
                              "(it has no recorded graph)")
        roots.append(t.grad_fn)
    # post-order over the units with an explicit stack (no recursion on deep graphs)
    for r in roots:
        stack = [(r, False)]
        while stack:
            n, ready = stack.pop()
            if n in done:
                continue
            if ready:
                done[n] = emit_node(n)
                continue
            stack.append((n, True))
            stack += [(p, False) for p in deps(n) if p not in done]
    renamed = {}
    for t, name in zip(outs, out_names):
        v = known[id(t)] if id(t) in known else done[t.grad_fn]
        if id(t) in known or v in renamed:  # an input, or a value already named as another output: copy it
            g.nodes.append(helper.make_node("Identity", [renamed.get(v, v)], [name]))
        else:
            g.rename(v, name)
            renamed[v] = name
    graph = helper.make_graph(
        g.nodes, type(model).__name__ if isinstance(model, nn.Module) else "model",
        [_value_info(n, t, _dynamic(dynamic_axes, n)) for t, n in zip(feeds, in_names)],
        [_value_info(n, t, _dynamic(dynamic_axes, n)) for t, n in zip(outs, out_names)],
        g.inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset_version)],
                              producer_name="denpa")
    proto.ir_version = min(proto.ir_version, 9)  # readable by ONNX Runtime releases of the last two years
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
        return
    _write(os.fspath(f), data)


def _write(path: str, data: bytes) -> None:
    """Atomic: a temporary file beside ``path`` renamed over it (umask-respecting permissions)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"denpa.onnx.export: folder {folder!r} does not exist; create it first")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
