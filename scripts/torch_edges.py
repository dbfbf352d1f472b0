"""Write tests/data/torch_edge_values.json: PyTorch's values and float64 gradients of elementwise ops at their edge
points (0, -0, +-1, +-2, +-inf, NaN, +-1e-300). Run with a Python that has torch: python scripts/torch_edges.py"""
import json
import math
import os
import sys
import torch
pts = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, float("inf"), float("-inf"), float("nan"), 1e-300, -1e-300]
unary = {
 "exp": torch.exp, "log": torch.log, "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt, "sin": torch.sin,
 "cos": torch.cos, "tan": torch.tan, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "silu": torch.nn.functional.silu,
 "erf": torch.erf, "abs": torch.abs, "neg": torch.neg, "sign": torch.sign, "gelu": torch.nn.functional.gelu,
 "softplus": torch.nn.functional.softplus, "elu": torch.nn.functional.elu, "leaky_relu": torch.nn.functional.leaky_relu,
 "clamp01": lambda x: torch.clamp(x, 0.0, 1.0), "pow2": lambda x: x ** 2, "pow05": lambda x: x ** 0.5, "pow0": lambda x: x ** 0,
 "powm1": lambda x: x ** -1, "rpow2": lambda x: 2 ** x, "rpow0": lambda x: 0.0 ** x,
}
out = {}
for name, f in unary.items():
    rows = []
    for p in pts:
        x = torch.tensor(p, dtype=torch.float64, requires_grad=True)
        y = f(x)
        try:
            y.backward()
            g = x.grad.item()
        except Exception as e:
            g = str(e)
        rows.append((p, y.item(), g))
    out[name] = rows
json.dump(out, open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "torch_edge_values.json"), "w"), indent=0)
