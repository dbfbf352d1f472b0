"""Export a model's recorded graph as ONNX, as ``torch.onnx.export`` does (needs ``pip install denpa[onnx]``).

``denpa.onnx.export(model, args, "model.onnx")`` runs ``model(*args)`` once in eval mode, records the graph and
writes it: each call of a covered ``nn`` layer becomes its ONNX operator (Linear, Conv1d/2d and their
transposes, max/avg/adaptive pooling, BatchNorm1d/2d, LayerNorm, GroupNorm, the activations, Dropout (eval:
identity), Embedding, Flatten, RNN/LSTM/GRU) and the code between layers is written op by op (add, mul,
matmul, softmax, reshape, permute, split, ...), so attention written with those primitives exports too. The
file opens in Netron and runs in ONNX Runtime. Anything else raises ``denpa.onnx.Unsupported`` naming the op.

>>> import denpa, io
>>> import denpa.onnx
>>> model = denpa.nn.Sequential(denpa.nn.Linear(3, 2), denpa.nn.ReLU())
>>> buf = io.BytesIO()
>>> denpa.onnx.export(model, denpa.randn(1, 3), buf, input_names=["x"], dynamic_axes={"x": {0: "batch"}})
>>> import onnx; [n.op_type for n in onnx.load_from_string(buf.getvalue()).graph.node]
['MatMul', 'Add', 'Relu']
"""
from __future__ import annotations

from .export import export
from .layers import Unsupported

__all__ = ["export", "Unsupported"]
