"""Cells of notebooks/01_backprop_by_hand.ipynb (build with: python notebooks/_build.py 01)."""

CELLS = [
    ("md", r"""# Backpropagation by hand, then by `autograd`

A network with two inputs, two hidden neurons and one output (a *2-2-1* network), built from
`autograd.Scalar`s so that every number is visible. We

1. run it forward on one example,
2. derive the **delta rule**, the recursion that carries the error back one layer at a time,
3. compute every gradient by hand with it and compare with what `backward()` gives (and with finite differences),
4. write the same rule with matrices and compare with `autograd.Tensor`,
5. draw the graph with each value and gradient on it,
6. take a few steps of gradient descent.

Nothing to install but denpa itself (and Graphviz's `dot` for the drawing)."""),
    ("code", r"""import math

try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import os, sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

from autograd import Scalar
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. The network and its forward pass

Layer $l$ takes the activations $a^{(l-1)}$ of the layer before (with $a^{(0)} = x$, the input) and computes

$$z^{(l)}_j = \sum_k w^{(l)}_{jk}\, a^{(l-1)}_k + b^{(l)}_j, \qquad a^{(l)}_j = \sigma\big(z^{(l)}_j\big), \qquad \sigma(z) = \frac{1}{1 + e^{-z}} .$$

$w^{(l)}_{jk}$ is the weight from neuron $k$ of layer $l-1$ to neuron $j$ of layer $l$. Our network has
layers $l = 1$ (two hidden neurons) and $l = 2$ (one output neuron, $\hat y = a^{(2)}_1$), nine parameters
in all, and for a target $t$ the loss is the squared error

$$L = \tfrac12\, (\hat y - t)^2 .$$

Each parameter is a `Scalar` with a name (the drawing below uses it). The inputs and the target are
plain numbers: we will not change them."""),
    ("code", r"""x = [0.5, -1.0]   # one example
t = 1.0           # its target

W1 = [[Scalar(0.4, name="w1_11"), Scalar(-0.6, name="w1_12")],
      [Scalar(0.7, name="w1_21"), Scalar(0.2, name="w1_22")]]
b1 = [Scalar(0.1, name="b1_1"), Scalar(-0.2, name="b1_2")]
W2 = [[Scalar(0.8, name="w2_11"), Scalar(-0.5, name="w2_12")]]
b2 = [Scalar(0.3, name="b2_1")]
params = {p.name: p for row in W1 + W2 for p in row} | {p.name: p for p in b1 + b2}

def layer(W, b, inputs):
    # z_j = sum_k w_jk a_k + b_j, a_j = sigmoid(z_j); the z's are returned too, to look at later
    zs = [sum((w * a for w, a in zip(row, inputs)), bj) for row, bj in zip(W, b)]
    return zs, [z.sigmoid() for z in zs]

z1, a1 = layer(W1, b1, x)
z2, a2 = layer(W2, b2, a1)
L = 0.5 * (a2[0] - t) ** 2

print("hidden: z1 =", [round(z.data, 6) for z in z1], " a1 =", [round(a.data, 6) for a in a1])
print("output: z2 =", round(z2[0].data, 6), "         y_hat =", round(a2[0].data, 6))
print(f"loss L = {L.data:.6f}")"""),
    ("md", r"""## 2. The delta rule

Define the **delta** of a neuron as the derivative of the loss with respect to its weighted input:

$$\delta^{(l)}_j = \frac{\partial L}{\partial z^{(l)}_j} .$$

**Output layer.** $L$ depends on $z^{(2)}_1$ through $\hat y = \sigma(z^{(2)}_1)$, and $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$, so

$$\delta^{(2)}_1 = \frac{\partial L}{\partial \hat y}\,\sigma'\big(z^{(2)}_1\big) = (\hat y - t)\; a^{(2)}_1 \big(1 - a^{(2)}_1\big) .$$

**One layer back.** $z^{(l)}_k$ reaches the loss only through $a^{(l)}_k$, which feeds every neuron $j$ of layer
$l+1$ with weight $w^{(l+1)}_{jk}$. The chain rule adds up those paths:

$$\boxed{\;\delta^{(l)}_k = \sigma'\big(z^{(l)}_k\big) \sum_j w^{(l+1)}_{jk}\, \delta^{(l+1)}_j\;}$$

the delta of layer $l$ is the deltas of layer $l+1$, sent back along the same weights, times the
derivative of the activation. In a deeper network this step repeats, layer after layer.

**Gradients of the parameters.** Since $\partial z^{(l)}_j / \partial w^{(l)}_{jk} = a^{(l-1)}_k$ and $\partial z^{(l)}_j / \partial b^{(l)}_j = 1$:

$$\frac{\partial L}{\partial w^{(l)}_{jk}} = \delta^{(l)}_j\, a^{(l-1)}_k, \qquad \frac{\partial L}{\partial b^{(l)}_j} = \delta^{(l)}_j .$$

A weight's gradient is *the delta of the neuron it feeds times the activation it carries*.
One backward sweep computes every delta once, so all the gradients together cost a small multiple of one forward pass.

Now the same by hand, in plain floats (only the forward values are read from the Scalars):"""),
    ("code", r"""def dsigmoid_from_output(a):   # sigma'(z) written with a = sigma(z)
    return a * (1 - a)

a0 = x                                       # layer 0 is the input
a1v = [a.data for a in a1]
yv = a2[0].data
w2 = [[w.data for w in row] for row in W2]

# output layer
delta2 = [(yv - t) * dsigmoid_from_output(yv)]
# hidden layer, from delta2: sigma'(z1_k) * sum_j w2_jk * delta2_j
delta1 = [dsigmoid_from_output(a1v[k]) * sum(w2[j][k] * delta2[j] for j in range(1)) for k in range(2)]

by_hand = {}
for l, (delta, a_prev) in enumerate([(delta1, a0), (delta2, a1v)], start=1):
    for j, d in enumerate(delta, start=1):
        for k, a in enumerate(a_prev, start=1):
            by_hand[f"w{l}_{j}{k}"] = d * a
        by_hand[f"b{l}_{j}"] = d

print("delta2 =", [round(d, 8) for d in delta2])
print("delta1 =", [round(d, 8) for d in delta1])"""),
    ("md", r"""`L.backward()` walks the graph back from $L$ and fills in `.grad` for every `Scalar` on the way,
the parameters and also the intermediate $z$'s, whose gradients are exactly the deltas. (`retain_graph=True` keeps
the values the ops saved for backward, which would otherwise be freed: the drawing in section 4 shows them.)"""),
    ("code", r"""L.backward(retain_graph=True)

print(f"{'':8} {'delta rule':>12} {'autograd':>12}")
for name, hand in by_hand.items():
    print(f"dL/d{name:5} {hand:12.8f} {params[name].grad:12.8f}")
    assert math.isclose(hand, params[name].grad, rel_tol=1e-12, abs_tol=1e-15)
for l, (zs, deltas) in enumerate([(z1, delta1), (z2, delta2)], start=1):
    for j, (z, d) in enumerate(zip(zs, deltas), start=1):
        print(f"dL/dz{l}_{j}  {d:12.8f} {z.grad:12.8f}   (the delta)")
        assert math.isclose(d, z.grad, rel_tol=1e-12, abs_tol=1e-15)
print("delta rule by hand == autograd")"""),
    ("md", r"""A third, independent check: nudge each parameter by $\pm h$, rerun the forward pass, and take the
central difference $\big(L(p + h) - L(p - h)\big) / 2h$. It is only an approximation (its error shrinks like
$h^2$, until rounding takes over), so we compare with a tolerance."""),
    ("code", r"""def loss_with(name, value):
    # the forward pass in plain floats, with parameter `name` set to `value`
    p = {n: s.data for n, s in params.items()} | {name: value}
    sig = lambda z: 1 / (1 + math.exp(-z))
    h = [sig(p[f"w1_{j}1"] * x[0] + p[f"w1_{j}2"] * x[1] + p[f"b1_{j}"]) for j in (1, 2)]
    y = sig(p["w2_11"] * h[0] + p["w2_12"] * h[1] + p["b2_1"])
    return 0.5 * (y - t) ** 2

h = 1e-6
worst = 0.0
for name, p in params.items():
    numeric = (loss_with(name, p.data + h) - loss_with(name, p.data - h)) / (2 * h)
    worst = max(worst, abs(numeric - p.grad))
    assert math.isclose(numeric, p.grad, rel_tol=1e-5, abs_tol=1e-9)
print(f"finite differences agree for all {len(params)} parameters; largest difference {worst:.1e}")"""),
    ("md", r"""## 3. The same rule with matrices

Stack the deltas of a layer into a vector and the weights into a matrix $W^{(l)}$ (row $j$, column $k$),
and the delta rule is three lines of linear algebra ($\odot$ is the elementwise product):

$$\delta^{(L)} = \nabla_{a^{(L)}} L \odot \sigma'(z^{(L)}), \qquad
\delta^{(l)} = \big(W^{(l+1)\top} \delta^{(l+1)}\big) \odot \sigma'(z^{(l)}), \qquad
\frac{\partial L}{\partial W^{(l)}} = \delta^{(l)}\, a^{(l-1)\top} .$$

This is what `autograd.Tensor` does for whole layers at once. We build the same network with float64
tensors (so the numbers match the Python floats of the `Scalar`s) and compare:"""),
    ("code", r"""import numpy as np

f64 = autograd.float64
xt = autograd.tensor(x, dtype=f64)
W1t = autograd.tensor([[w.data for w in row] for row in W1], dtype=f64, requires_grad=True)
b1t = autograd.tensor([b.data for b in b1], dtype=f64, requires_grad=True)
W2t = autograd.tensor([[w.data for w in row] for row in W2], dtype=f64, requires_grad=True)
b2t = autograd.tensor([b.data for b in b2], dtype=f64, requires_grad=True)

h1 = (W1t @ xt + b1t).sigmoid()
y = (W2t @ h1 + b2t).sigmoid()
Lt = 0.5 * ((y - t) ** 2).sum()
Lt.backward()

# the three lines above, in NumPy
A1, Y = h1.detach().numpy(), y.detach().numpy()
d2 = (Y - t) * Y * (1 - Y)
d1 = (W2t.detach().numpy().T @ d2) * A1 * (1 - A1)
hand = {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, A1), "b2": d2}

print(f"loss: Tensor {Lt.item():.12f}   Scalar {L.data:.12f}")
for name, p in [("W1", W1t), ("b1", b1t), ("W2", W2t), ("b2", b2t)]:
    print(f"dL/d{name}: autograd {p.grad.numpy().round(8).tolist()}   matrix delta rule {hand[name].round(8).tolist()}")
    assert np.allclose(p.grad.numpy(), hand[name], rtol=1e-12, atol=1e-15)
assert math.isclose(W1t.grad[0, 1].item(), params["w1_12"].grad, rel_tol=1e-12)"""),
    ("md", r"""## 4. The graph, with values and gradients

`autograd.draw` renders the graph that the forward pass recorded. With `show_values=True` and
`show_grads=True` each node shows its value and $\partial L / \partial(\text{node})$, so the deltas computed above
can be read off the picture: find the `sigmoid` nodes and the sums feeding them."""),
    ("code", r"""autograd.draw(L, show_values=True, show_grads=True, rankdir="LR")"""),
    ("md", r"""## 5. Gradient descent

Learning is now one line per parameter: step against the gradient, with a learning rate $\eta$,

$$p \leftarrow p - \eta\, \frac{\partial L}{\partial p} .$$

Two details, as in PyTorch: `backward()` *adds* into `.grad`, so the gradients are reset before each
backward; and the update changes `p.data`, the plain number inside, so it is not recorded in the graph."""),
    ("code", r"""def forward():
    _, h = layer(W1, b1, x)
    _, out = layer(W2, b2, h)
    return out[0], 0.5 * (out[0] - t) ** 2

eta = 2.0
for step in range(1, 31):
    y_hat, loss = forward()
    for p in params.values():
        p.grad = 0.0
    loss.backward()
    for p in params.values():
        p.data -= eta * p.grad
    if step in (1, 2, 5, 10, 20, 30):
        print(f"step {step:2d}: y_hat = {y_hat.data:.4f}  loss = {loss.data:.6f}")"""),
    ("md", r"""### What to take away

* The delta of a neuron, $\delta = \partial L / \partial z$, is all backpropagation needs to keep per neuron: a layer's
  deltas come from the next layer's deltas, sent back along the weights and multiplied by $\sigma'(z)$.
* A weight's gradient is the delta at its output end times the activation at its input end.
* `backward()` does exactly this, mechanically, for any graph: the numbers agree with the hand computation
  to the last digit, and with finite differences up to their own error.

The next notebook starts from the other end: the perceptron, and why a hidden layer is needed at all."""),
]
