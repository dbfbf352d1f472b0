"""The ONNX graph being written: value names, initializers, nodes, and the opset-dependent spellings."""
from __future__ import annotations

import numpy as np


class Graph:
    """Collects ONNX nodes and initializers; every value gets a fresh, readable name."""

    def __init__(self, opset: int):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.opset = opset
        self.nodes, self.inits = [], []
        self._count = 0
        self._consts = {}  # id(array) -> initializer name: a parameter used twice is stored once

    def fresh(self, hint: str) -> str:
        """A tensor name not used before in this graph: ``hint`` and a running number."""
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, array, hint: str = "const") -> str:
        """An initializer holding ``array`` (a NumPy array or number)."""
        key = id(array) if isinstance(array, np.ndarray) else None
        if key is not None and key in self._consts:
            return self._consts[key][0]
        arr = np.asarray(array)
        if arr.dtype == np.float64 and not isinstance(array, np.ndarray):
            arr = arr.astype(np.float32)  # a Python number next to float32 tensors
        name = self.fresh(hint)
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(arr), name))
        if key is not None:
            self._consts[key] = (name, array)  # keep the array alive so its id stays unique
        return name

    def ints(self, values, hint: str = "ints") -> str:
        """An int64 initializer holding ``values`` (shapes, axes, perms); returns its name."""
        return self.const(np.asarray(list(values), dtype=np.int64), hint)

    def op(self, op_type: str, inputs, n_out: int = 1, hint: str | None = None, **attrs):
        """Add a node; returns its output name (or a list of names when ``n_out > 1``)."""
        outs = [self.fresh(hint or op_type.lower()) for _ in range(n_out)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.helper.make_node(op_type, list(inputs), outs, **attrs))
        return outs[0] if n_out == 1 else outs

    def reduce(self, op_type: str, x: str, axes, keepdims: bool) -> str:
        """ReduceSum/ReduceMean/...: axes became an input in opset 18 (13 for ReduceSum)."""
        axes = [int(a) for a in axes]
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.op(op_type, [x, self.ints(axes, "axes")], keepdims=int(keepdims))
        return self.op(op_type, [x], axes=axes, keepdims=int(keepdims))

    def rename(self, old: str, new: str) -> None:
        """Give the value ``old`` the name ``new`` (graph outputs get the names the user asked for)."""
        for n in self.nodes:
            for i, v in enumerate(n.output):
                if v == old:
                    n.output[i] = new
            for i, v in enumerate(n.input):
                if v == old:
                    n.input[i] = new
