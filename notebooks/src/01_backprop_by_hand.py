"""Cells of notebooks/01_backprop_by_hand.ipynb (build with: python notebooks/_build.py 01)."""

CELLS = [
    ("md", r"""# Backpropagation by hand, then by `autograd`

One neuron, four ways:

1. **Forward and backward for one example** with `autograd.Scalar`, and the same gradients worked out with the chain rule by hand.
2. **A perceptron learns AND** with a step activation and the perceptron learning rule (no gradients at all).
3. **The same neuron with a sigmoid**, trained by gradient descent on the squared error, with a learning rate.
4. **The same model with `autograd.Tensor`**: one matrix product over all examples, the very same gradients.

Every cell runs in well under a second and prints numbers; nothing to install but denpa itself."""),
    ("code", r"""import math

try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import os, sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

from autograd import Scalar
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. One neuron, one example

A neuron with two inputs computes a weighted sum and squashes it:

$$z = w_1 x_1 + w_2 x_2 + b, \qquad a = \sigma(z) = \frac{1}{1 + e^{-z}}$$

To learn, we need to know how wrong it is. For a target $t$ we use the squared error

$$L = \tfrac12 (a - t)^2 .$$

Every `Scalar` records the operation that made it, so the expression below is also a small graph
from the parameters $w_1, w_2, b$ to the loss $L$. The inputs and the target are plain numbers: we will not
change them, so we need no gradient for them."""),
    ("code", r"""x1, x2, t = 2.0, -1.0, 1.0                          # one example and its target
w1, w2, b = Scalar(0.5), Scalar(-0.3), Scalar(0.1)   # the parameters we could learn

z = w1 * x1 + w2 * x2 + b
a = z.sigmoid()
L = 0.5 * (a - t) ** 2
print(f"z = {z.data:.6f}")
print(f"a = sigmoid(z) = {a.data:.6f}")
print(f"L = {L.data:.6f}")"""),
    ("md", r"""`L.backward()` walks the graph from $L$ back to the parameters and fills in `.grad` on every
`Scalar` along the way: $\partial L / \partial v$ for each value $v$."""),
    ("code", r"""L.backward()
for name, v in [("a", a), ("z", z), ("w1", w1), ("w2", w2), ("b", b)]:
    print(f"dL/d{name:2} = {v.grad: .8f}")"""),
    ("md", r"""### The same gradients by hand

The chain rule multiplies the local derivatives along the path from $L$ back to each parameter:

| step | local derivative |
| --- | --- |
| $L = \tfrac12 (a - t)^2$ | $\partial L / \partial a = a - t$ |
| $a = \sigma(z)$ | $\partial a / \partial z = \sigma(z)\,(1 - \sigma(z)) = a (1 - a)$ |
| $z = w_1 x_1 + w_2 x_2 + b$ | $\partial z / \partial w_1 = x_1,\ \partial z / \partial w_2 = x_2,\ \partial z / \partial b = 1$ |

so, for example, $\dfrac{\partial L}{\partial w_1} = (a - t)\cdot a(1 - a)\cdot x_1$.
Only plain floats below, nothing from the graph but the forward value $a$:"""),
    ("code", r"""av = a.data
dL_da = av - t
dL_dz = dL_da * av * (1 - av)
by_hand = {"a": dL_da, "z": dL_dz, "w1": dL_dz * x1, "w2": dL_dz * x2, "b": dL_dz * 1.0}
by_autograd = {"a": a.grad, "z": z.grad, "w1": w1.grad, "w2": w2.grad, "b": b.grad}

print(f"{'':6} {'by hand':>12} {'autograd':>12}")
for k in by_hand:
    print(f"dL/d{k:2} {by_hand[k]:12.8f} {by_autograd[k]:12.8f}")
    assert math.isclose(by_hand[k], by_autograd[k], rel_tol=1e-12, abs_tol=1e-15)
print("chain rule by hand == autograd")"""),
    ("md", r"""A third, independent check: nudge one parameter by a tiny $h$ either way and see how much the
loss moves (a central finite difference). A difference quotient is only an approximation (it
suffers from rounding and from the curvature of $L$), so we compare with a tolerance rather than
exactly."""),
    ("code", r"""def loss_at(w1v, w2v, bv):
    zv = w1v * x1 + w2v * x2 + bv
    return 0.5 * (1 / (1 + math.exp(-zv)) - t) ** 2

h = 1e-6
numeric = (loss_at(w1.data + h, w2.data, b.data) - loss_at(w1.data - h, w2.data, b.data)) / (2 * h)
print(f"dL/dw1: finite difference {numeric:.8f}, autograd {w1.grad:.8f}")
assert math.isclose(numeric, w1.grad, rel_tol=1e-6)"""),
    ("md", r"""## 2. A perceptron learns AND

The oldest trainable neuron (Rosenblatt, 1958) uses a *step* instead of a sigmoid:

$$y = \text{step}(w_1 x_1 + w_2 x_2 + b), \qquad \text{step}(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}$$

The step is flat everywhere except at 0, so its derivative is 0 wherever it exists: backpropagation
would tell us nothing. The perceptron learns with its own rule instead. After each example, with
error $e = t - y$ (which is $-1$, $0$ or $+1$) and a learning rate $\eta$:

$$w_i \leftarrow w_i + \eta\, e\, x_i, \qquad b \leftarrow b + \eta\, e$$

When the output is right nothing changes; when it is wrong the weights move toward the example
(or away from it). For data a straight line can separate, such as AND, this stops with every
example right after finitely many updates."""),
    ("code", r"""AND = [((0.0, 0.0), 0.0), ((0.0, 1.0), 0.0), ((1.0, 0.0), 0.0), ((1.0, 1.0), 1.0)]

def step(z):
    return 1.0 if z > 0 else 0.0

pw1, pw2, pb = 0.0, 0.0, 0.0   # perceptron weights: plain floats, no graph needed
eta = 0.1

for epoch in range(1, 21):
    mistakes = 0
    for (u1, u2), target in AND:
        y = step(pw1 * u1 + pw2 * u2 + pb)
        e = target - y
        if e != 0:
            mistakes += 1
            pw1 += eta * e * u1
            pw2 += eta * e * u2
            pb += eta * e
    print(f"epoch {epoch}: mistakes {mistakes}   w1={pw1:.1f} w2={pw2:.1f} b={pb:.1f}")
    if mistakes == 0:
        break"""),
    ("code", r"""print(" x1  x2 | AND | perceptron")
for (u1, u2), target in AND:
    y = step(pw1 * u1 + pw2 * u2 + pb)
    print(f"{u1:3.0f} {u2:3.0f} | {target:3.0f} | {y:3.0f}")
    assert y == target"""),
    ("md", r"""## 3. The same neuron with a sigmoid, trained by gradient descent

Swap the step for the sigmoid and the output becomes a smooth function of the weights, so
we can follow the gradient. The loss is the squared error summed over the four examples,

$$L = \tfrac12 \sum_{k=1}^{4} \big(\sigma(w_1 x_{k1} + w_2 x_{k2} + b) - t_k\big)^2 ,$$

and each step of gradient descent moves every parameter a little against its gradient:

$$p \leftarrow p - \eta\, \frac{\partial L}{\partial p}$$

The learning rate $\eta$ sets the size of the steps. Two details, as in PyTorch: `backward()`
*adds* into the `.grad` of the parameters, so we reset them to 0 before each backward; and we
change `p.data`, the plain number inside, so the update itself is not recorded in the graph."""),
    ("code", r"""def total_loss(w1, w2, b):
    loss = 0.0
    for (u1, u2), target in AND:
        out = (w1 * u1 + w2 * u2 + b).sigmoid()
        loss = loss + 0.5 * (out - target) ** 2
    return loss

start = (0.5, -0.3, 0.1)   # the weights of section 1

def train(eta, epochs, report=()):
    params = [Scalar(v) for v in start]
    losses = []
    for epoch in range(1, epochs + 1):
        loss = total_loss(*params)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= eta * p.grad
        losses.append(loss.data)
        if epoch in report:
            print(f"epoch {epoch:4d}: loss {loss.data:.5f}   (then w1={params[0].data:6.3f} "
                  f"w2={params[1].data:6.3f} b={params[2].data:6.3f})")
    return params, losses

(w1, w2, b), _ = train(eta=2.0, epochs=1000, report=(1, 10, 50, 100, 250, 500, 1000))"""),
    ("md", r"""The loss falls steadily. Reading the outputs as probabilities and rounding at 0.5 gives AND:"""),
    ("code", r"""print(" x1  x2 | AND | sigmoid output | rounded")
for (u1, u2), target in AND:
    out = (w1 * u1 + w2 * u2 + b).sigmoid().data
    print(f"{u1:3.0f} {u2:3.0f} | {target:3.0f} | {out:14.3f} | {out > 0.5:7d}")
    assert (out > 0.5) == (target == 1.0)"""),
    ("md", r"""The learning rate matters. Too small, and the loss barely moves in 200 steps. Larger steps
get further, until they overshoot: the loss goes *up* on some steps. Far too large, and the first
step throws the weights so far that the sigmoid saturates (its output is 0 or 1 to many digits),
its slope $a(1 - a)$ is practically 0, and learning stalls at a loss of 0.5."""),
    ("code", r"""for eta in (0.1, 0.5, 2.0, 8.0, 50.0):
    _, losses = train(eta, epochs=200)
    rises = sum(later > earlier for earlier, later in zip(losses, losses[1:]))
    print(f"eta = {eta:4}: loss {losses[0]:.4f} -> {losses[-1]:.4f} after 200 epochs; "
          f"it went up on {rises} of the steps")"""),
    ("md", r"""## 4. The same model with `autograd.Tensor`

With tensors we stop looping over examples: stack the four inputs as the rows of a 4×2 matrix
$X$, and the whole forward pass is one line, $a = \sigma(X w + b)$, with $w$ a vector of two
weights. The rules are the same ones, applied to whole arrays:
$\partial L / \partial z = (a - t) \odot a \odot (1 - a)$, then
$\partial L / \partial w = X^\top \partial L / \partial z$ and $\partial L / \partial b = \sum_k \partial L / \partial z_k$.

We use float64 tensors (`autograd.tensor` makes float32 from Python floats by default, as
PyTorch does) so the numbers match the `Scalar`s, which are Python floats."""),
    ("code", r"""import numpy as np

f64 = autograd.float64
X = autograd.tensor([x for x, _ in AND], dtype=f64)      # 4 x 2
T = autograd.tensor([t for _, t in AND], dtype=f64)      # 4

w = autograd.tensor(start[:2], dtype=f64, requires_grad=True)
bt = autograd.tensor(start[2], dtype=f64, requires_grad=True)
A = (X @ w + bt).sigmoid()
L = 0.5 * ((A - T) ** 2).sum()
L.backward()

# the Scalar model of section 3 at the same (starting) weights
sw1, sw2, sb = (Scalar(v) for v in start)
Ls = total_loss(sw1, sw2, sb)
Ls.backward()

# and the formulas above, in NumPy
Xn, Tn, An = X.numpy(), T.numpy(), A.detach().numpy()
dz = (An - Tn) * An * (1 - An)
hand_w, hand_b = Xn.T @ dz, dz.sum()

print(f"loss: Tensor {L.item():.12f}   Scalar {Ls.data:.12f}")
print(f"{'':6} {'Tensor':>16} {'Scalar':>16} {'by hand':>16}")
for name, gt, gs, gh in [("dL/dw1", w.grad[0].item(), sw1.grad, hand_w[0]),
                         ("dL/dw2", w.grad[1].item(), sw2.grad, hand_w[1]),
                         ("dL/db", bt.grad.item(), sb.grad, hand_b)]:
    print(f"{name:6} {gt:16.12f} {gs:16.12f} {gh:16.12f}")
    assert math.isclose(gt, gs, rel_tol=1e-12, abs_tol=1e-15) and math.isclose(gt, gh, rel_tol=1e-12, abs_tol=1e-15)"""),
    ("md", r"""Training is the same loop. The update must not be recorded, so it runs under
`autograd.no_grad()` (as under `torch.no_grad()`), and setting `.grad = None` clears the
gradient for the next step. After 1000 steps from the same start the tensor model lands on the
same weights as the `Scalar` one of section 3, up to rounding in the last digits:"""),
    ("code", r"""w = autograd.tensor(start[:2], dtype=f64, requires_grad=True)
bt = autograd.tensor(start[2], dtype=f64, requires_grad=True)
eta = 2.0
for epoch in range(1000):
    L = 0.5 * (((X @ w + bt).sigmoid() - T) ** 2).sum()
    L.backward()
    with autograd.no_grad():
        w -= eta * w.grad
        bt -= eta * bt.grad
    w.grad = None
    bt.grad = None

print("Tensor weights:", np.round(w.detach().numpy(), 6), round(bt.item(), 6))
print("Scalar weights:", np.round([w1.data, w2.data], 6), round(b.data, 6))
diff = max(abs(w[0].item() - w1.data), abs(w[1].item() - w2.data), abs(bt.item() - b.data))
print(f"largest difference: {diff:.1e}")
assert diff < 1e-9
print("predictions:", (X @ w + bt).sigmoid().detach().numpy().round(3))"""),
    ("md", r"""### What to take away

* `backward()` is the chain rule, applied mechanically: multiply local derivatives along every
  path back from the loss, and add up the paths that meet.
* The perceptron rule needs no derivatives, but it is tied to the step and settles only when a
  straight line can separate the data; a smooth activation lets gradient descent do the same job,
  and the same recipe extends to many layers.
* `Scalar` shows every number; `Tensor` does the same arithmetic on whole arrays at once.
  The gradients are the same."""),
]
