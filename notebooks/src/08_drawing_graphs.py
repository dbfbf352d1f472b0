"""Cells of notebooks/08_drawing_graphs.ipynb (build with: python notebooks/_build.py 08)."""

CELLS = [
    ("md", r"""# Drawing the graph your code built

Every op you run on a `Scalar` or a `Tensor` that requires grad is recorded in a graph, and `backward()`
walks that graph in reverse. `autograd.draw` shows it:

1. a small expression of **Scalars**, with each value and its gradient on the picture (as in micrograd),
   and the same graph as `backward()` sees it;
2. a **tensor MLP** built from `nn` modules: ops grouped by the module that ran them, parameters under
   their names, then the same model **collapsed** to one box per layer;
3. a deep model, cut down to size with `max_nodes`, and what each op **saved** for backward.

`draw` returns a `graphviz.Digraph`, which Jupyter shows inline. Rendering needs Graphviz's `dot` program
(`apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`) and the Python package
(`pip install denpa[viz]`); the DOT text, `.source`, needs neither."""),
    ("code", r"""import math, os, shutil, tempfile

try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

import nn
from autograd import Scalar

print("denpa autograd", autograd.__version__, "| Graphviz dot:", shutil.which("dot") or "not found")"""),
    ("md", r"""## 1. A neuron of Scalars

One neuron with two inputs and a tanh, the example micrograd made famous:
$o = \tanh(x_1 w_1 + x_2 w_2 + b)$. Every number is a `Scalar` with a name, so the picture can say which is
which. After `o.backward()` each node carries $\partial o / \partial(\text{node})$."""),
    ("code", r"""x1, x2 = Scalar(2.0, name="x1"), Scalar(0.0, name="x2")
w1, w2 = Scalar(-3.0, name="w1"), Scalar(1.0, name="w2")
b = Scalar(6.8813735870195432, name="b")

n = x1 * w1 + x2 * w2 + b
o = n.tanh()
o.name = "o"
o.backward()

autograd.draw(o, rankdir="LR")"""),
    ("md", r"""Read it from left to right. Blue boxes are leaves (`Scalar`s you made, which require grad), grey boxes
are ops, each showing the value it computed (`data`) and the gradient that reached it (`grad`), and the
green box is the output. For Scalars both are on by default (`show_values`, `show_grads`).

The gradients follow the chain rule one node at a time: $\partial o/\partial n = 1 - o^2 = 0.5$; an `add`
passes its gradient unchanged to both inputs, so every term of the sum gets 0.5; a `mul` sends each input
the gradient times the *other* input, so $w_1$ gets $0.5 \cdot x_1 = 1$ and $x_1$ gets $0.5 \cdot w_1 = -1.5$.
The numbers on the picture are the ones `backward()` stored:"""),
    ("code", r"""assert math.isclose(o.data, 1 / math.sqrt(2))
for s, expected in [(n, 1 - o.data ** 2), (w1, 0.5 * x1.data), (x1, 0.5 * w1.data), (w2, 0.5 * x2.data), (b, 0.5)]:
    print(f"{s.name or 'n':>2}: grad {s.grad:+.6f}   by hand {expected:+.6f}")
    assert math.isclose(s.grad, expected, abs_tol=1e-12)"""),
    ("md", r"""### The same graph as `backward()` sees it

`backward=True` draws the gradient graph instead, the way PyTorch's `grad_fn.next_functions` describe it:
each backward function points to the ones it feeds, from the output (where `backward()` starts with
$\partial o/\partial o = 1$) down to `AccumulateGrad`, which adds the arriving gradient into a leaf's
`.grad`. A leaf used twice would show *two* arrows in, and its node would say the gradients are summed."""),
    ("code", r"""a = Scalar(3.0, name="a")
y = a * a + a   # a is used three times: dy/da = 2a + 1 = 7
y.backward()
print("dy/da =", a.grad)
autograd.draw(y, backward=True)"""),
    ("md", r"""Numbers mixed into an expression (`2 * a`, `a + 1`) are *constants*: the graph does not need them for
gradients, so they are drawn as dashed boxes, with their value while an op still holds it for its
backward (an `add` never needs its constant, so it shows as `constant`)."""),
    ("code", r"""c = (2.0 * a + 1.0).relu()
autograd.draw(c, rankdir="LR", show_grads=False, legend=False)"""),
    ("md", r"""## 2. A tensor MLP: module clusters

Tensors draw the same way. Op nodes show their output's shape; leaves their shape and dtype (and device,
when not the CPU). When the ops run inside `nn.Module`s, each module call becomes a cluster titled by its
path in the model (`0`, `2`, ... in a `Sequential`; `encoder.layers.1` in a deeper model), nested as the
modules nest, and each parameter is named as in `model.named_parameters()`."""),
    ("code", r"""autograd.manual_seed(0)
model = nn.Sequential(
    nn.Sequential(nn.Linear(4, 16), nn.ReLU()),   # a block inside the model
    nn.Linear(16, 16), nn.Tanh(),
    nn.Linear(16, 3),
)
x = autograd.randn(8, 4)
target = autograd.tensor([0, 1, 2, 0, 1, 2, 0, 1])
loss = nn.functional.cross_entropy(model(x), target)
loss.backward()
print(f"loss {loss.item():.4f}; parameters:", [name for name, _ in model.named_parameters()])
autograd.draw(loss)"""),
    ("md", r"""Each `Linear` is three ops: `permute(1, 0)` makes `weight.T`, then `matmul` and `add`. The dashed
`(8, 4) float32` box is the input batch: it needs no gradient, so the graph keeps it only because `matmul`
saved it for its backward.

### Collapsed

A model of thousands of ops reads better as a few boxes. `collapse=` draws whole module calls as single
nodes: a depth (`0` the whole model, `1` its children, ...) or a set of module types. Each box says how many
ops and parameters it hides and the shape it outputs."""),
    ("code", r"""autograd.draw(loss, collapse=1)"""),
    ("code", r"""autograd.draw(loss, collapse={nn.Linear}, rankdir="LR")"""),
    ("md", r"""## 3. Big graphs, saved tensors, files

A deep model draws fine as DOT text (a 5,000-op graph takes a fraction of a second; see
`benchmarks/draw.py`), but the picture is only readable in pieces. `max_nodes` keeps the nodes nearest the
outputs and says, in the picture, how much it left out (`max_depth` cuts by distance instead)."""),
    ("code", r"""autograd.manual_seed(1)
deep = nn.Sequential(*[layer for _ in range(20) for layer in (nn.Linear(16, 16), nn.Tanh())])
out = deep(autograd.randn(4, 16)).sum()
autograd.draw(out, max_nodes=12, legend=False)"""),
    ("md", r"""`show_saved=True` lists what each op keeps for its backward: `matmul` both inputs, `tanh` its output,
`add` nothing. After `backward()` those arrays are freed, which is why a second backward needs
`retain_graph=True`; the picture says so too."""),
    ("code", r"""w = autograd.randn(3, 2, requires_grad=True)
w.name = "W"
h = (autograd.randn(4, 3) @ w).tanh()
s = (h + 1).sum()
autograd.draw(s, show_saved=True, rankdir="LR")"""),
    ("code", r"""s.backward()
autograd.draw(s, show_saved=True, show_grads=True, rankdir="LR")"""),
    ("md", r"""To keep a picture, `save` picks the format from the file name, and `.source` is the DOT text for any
other Graphviz tool:"""),
    ("code", r"""g = autograd.draw(s)
with tempfile.TemporaryDirectory() as d:
    for name in ("graph.svg", "graph.png", "graph.pdf"):
        path = g.save(os.path.join(d, name))
        print(f"{name}: {os.path.getsize(path):,} bytes")
print(g.source[:300], "...")"""),
    ("md", r"""### What to take away

* `autograd.draw(y)` shows every op and leaf behind `y` once, however many times it is used; with
  Scalars every value and gradient is on the picture, so the chain rule can be checked by eye.
* `backward=True` shows the same graph as the backward pass walks it, ending where gradients accumulate.
* Module calls become clusters, parameters get their names, and `collapse` turns a large model into a
  handful of boxes; `max_nodes` / `max_depth` keep huge graphs drawable and say what they cut."""),
]
