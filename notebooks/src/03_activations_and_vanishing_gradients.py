"""Cells of notebooks/03_activations_and_vanishing_gradients.ipynb (build with: python notebooks/_build.py 03)."""

CELLS = [
    ("md", r"""# Activation functions and vanishing gradients

1. The classic **activation functions** (step, sigmoid, tanh, ReLU) and their derivatives, computed by `autograd`.
2. Why gradients **vanish** in a deep sigmoid network: the delta rule multiplies by $\sigma'(z) \le \tfrac14$ once per layer.
3. **Measured**: gradient norms layer by layer in a 10-layer network on handwritten digits, sigmoid against ReLU with
   He (Kaiming) initialisation, and what that does to training."""),
    ("code", r"""%matplotlib inline
try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import os, sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

import matplotlib.pyplot as plt
import numpy as np
import nn
import optim
from autograd import data

print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. Four activation functions

| name | $f(z)$ | $f'(z)$ |
| --- | --- | --- |
| step | $1$ if $z > 0$, else $0$ | $0$ (undefined at $0$) |
| sigmoid | $\sigma(z) = 1 / (1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z)) \le \tfrac14$ |
| tanh | $\tanh z = 2\sigma(2z) - 1$ | $1 - \tanh^2 z \le 1$ |
| ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |

We let `autograd` compute the derivatives: with $y_i = f(z_i)$ elementwise, the gradient of $\sum_i y_i$ with respect
to $z$ is the vector of $f'(z_i)$."""),
    ("code", r"""ACTIVATIONS = {"step": autograd.step, "sigmoid": autograd.sigmoid, "tanh": autograd.tanh, "ReLU": autograd.relu}

z = autograd.linspace(-5, 5, 1001).requires_grad_()
values, slopes = {}, {}
for name, f in ACTIVATIONS.items():
    y = f(z)
    (dy,) = autograd.grad(y.sum(), z)
    values[name], slopes[name] = y.detach().numpy(), dy.numpy()

zs = z.detach().numpy()
for name, s in slopes.items():
    where = f"first reached at z = {zs[s.argmax()]:+.2f}" if s.max() > 0 else "zero everywhere"
    print(f"{name:8} largest derivative {s.max():.4f} ({where})")
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name in ACTIVATIONS:
    axes[0].plot(zs, values[name], label=name)
    axes[1].plot(zs, slopes[name], label=name)
axes[0].set(title="activation $f(z)$", xlabel="$z$", ylim=(-1.2, 2.2))
axes[1].set(title="derivative $f'(z)$ (by autograd)", xlabel="$z$", ylim=(-0.1, 1.1))
for ax in axes:
    ax.axhline(0, c="gray", lw=0.5)
    ax.legend()
plt.tight_layout()
plt.show()"""),
    ("md", r"""Three things to notice:

* The step's derivative is $0$ everywhere: no gradient reaches anything before it (notebook 2).
* The sigmoid's derivative is at most $\tfrac14$ (at $z = 0$) and almost $0$ once $|z| > 5$: a *saturated* unit passes
  almost no gradient back. tanh is the same shape, four times steeper at the centre.
* ReLU's derivative is exactly $1$ for every positive input, whatever its size, and $0$ otherwise.

## 2. Why gradients vanish

The delta rule of notebook 1, in matrix form, sends the error back one layer at a time:

$$\delta^{(l)} = f'\big(z^{(l)}\big) \odot \big(W^{(l+1)\top}\, \delta^{(l+1)}\big), \qquad \frac{\partial L}{\partial W^{(l)}} = \delta^{(l)}\, a^{(l-1)\top} .$$

Going back from the last layer $L$ to layer $l$ multiplies by $L - l$ such factors. For the sigmoid each carries
$f' \le \tfrac14$; with PyTorch's default initialisation of `nn.Linear` (weights uniform in $\pm 1/\sqrt{n_\text{in}}$,
variance $1/(3 n_\text{in})$), multiplying by $W^\top$ shrinks a vector's norm by about $1/\sqrt{3}$ as well. So the gradient
shrinks by roughly an order of magnitude per layer: after nine layers, $10^{-8}$ of what the last layer gets.

**He initialisation** (He et al., 2015; `nn.init.kaiming_normal_`) draws weights with variance $2 / n_\text{in}$ for ReLU
networks. ReLU zeroes about half of its inputs, which halves the second moment of the signal; the factor $2$ puts it
back, so activations keep their scale on the way forward and deltas keep theirs on the way back.

## 3. Measured on digits

The data: 1,797 handwritten digits, $8 \times 8$ grey-scale images flattened to 64 features, 10 classes."""),
    ("code", r"""digits = data.digits()
train_set, val_set, test_set = data.train_val_test_split(digits, (0.7, 0.15, 0.15), seed=0)
print(len(train_set), "training,", len(val_set), "validation,", len(test_set), "test images")
x_batch, y_batch = next(iter(data.DataLoader(train_set, batch_size=256, shuffle=True, seed=0)))
print("a batch:", x_batch.shape, x_batch.dtype, y_batch.shape, y_batch.dtype)"""),
    ("md", r"""A 10-layer MLP (64 → 64 → … → 64 → 10: nine hidden layers of 64 units, ten `nn.Linear` layers) in three versions:
sigmoid with the default initialisation, ReLU with the default initialisation, and ReLU with He initialisation (zero
biases). For one batch we compute the cross-entropy loss, backpropagate, and read the norm of each layer's weight
gradient $\lVert \partial L / \partial W^{(l)} \rVert$. We also record the spread (standard deviation) of each layer's
activations on the way forward."""),
    ("code", r"""DEPTH, WIDTH = 10, 64

def deep_mlp(activation, he_init, seed=0):
    autograd.manual_seed(seed)
    sizes = [64] + [WIDTH] * (DEPTH - 1) + [10]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(n_in, n_out)
        if he_init:
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < DEPTH - 1:
            layers.append(activation())
    return nn.Sequential(*layers)

VARIANTS = {"sigmoid, default init": (nn.Sigmoid, False),
            "ReLU, default init": (nn.ReLU, False),
            "ReLU, He init": (nn.ReLU, True)}

def grad_norms_and_spreads(model, x, y):
    spreads, h = [], x
    for layer in model:             # forward by hand, to look at each activation
        h = layer(h)
        if not isinstance(layer, nn.Linear):
            spreads.append(h.detach().numpy().std())
    loss = nn.functional.cross_entropy(h, y)
    model.zero_grad()
    loss.backward()
    norms = [layer.weight.grad.norm().item() for layer in model if isinstance(layer, nn.Linear)]
    return norms, spreads

stats = {name: grad_norms_and_spreads(deep_mlp(*v), x_batch, y_batch) for name, v in VARIANTS.items()}
for name, (norms, spreads) in stats.items():
    print(f"{name:22} |dL/dW| layer 1: {norms[0]:.1e}   layer {DEPTH}: {norms[-1]:.1e}   "
          f"ratio {norms[0] / norms[-1]:.0e}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, (norms, spreads) in stats.items():
    axes[0].semilogy(range(1, DEPTH + 1), norms, "o-", label=name)
    axes[1].semilogy(range(1, DEPTH), spreads, "o-", label=name)
axes[0].set(title="gradient norm per layer (one batch)", xlabel="layer", ylabel="$\\|\\partial L / \\partial W^{(l)}\\|$")
axes[1].set(title="activation spread per layer (forward)", xlabel="hidden layer", ylabel="std of activations")
axes[0].legend()
plt.tight_layout()
plt.show()"""),
    ("md", r"""The sigmoid network's first layer gets a gradient some seven orders of magnitude smaller than its last: the early
layers will barely move. ReLU with the default initialisation is better per layer but its activations shrink on the
way forward, and so do its gradients; with He initialisation both stay level from the first layer to the last.

What this means for learning: ten epochs of mini-batch SGD on the same data, same learning rate, for the sigmoid
network and the ReLU network with He initialisation."""),
    ("code", r"""def accuracy(model, dataset):
    x, y = next(iter(data.DataLoader(dataset, batch_size=len(dataset))))
    with autograd.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()

def train(model, epochs=10, lr=0.02, seed=0):
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = data.DataLoader(train_set, batch_size=32, shuffle=True, seed=seed)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        losses.append(total / len(train_set))
    return losses

curves = {}
for name in ("sigmoid, default init", "ReLU, He init"):
    model = deep_mlp(*VARIANTS[name])
    curves[name] = train(model)
    print(f"{name:22} training loss {curves[name][0]:.3f} -> {curves[name][-1]:.3f}, "
          f"validation accuracy {accuracy(model, val_set):.1%}")

fig, ax = plt.subplots(figsize=(5.5, 3.8))
for name, losses in curves.items():
    ax.plot(range(1, len(losses) + 1), losses, "o-", label=name)
ax.axhline(np.log(10), ls="--", c="gray", label="chance ($\\ln 10$)")
ax.set(title=f"{DEPTH}-layer MLP on digits, SGD", xlabel="epoch", ylabel="training loss")
ax.legend()
plt.show()"""),
    ("md", r"""The sigmoid network stays at the loss of guessing ($\ln 10 \approx 2.30$, one class in ten): with gradients of $10^{-8}$
its first layers hardly change, and the last layers cannot classify from what those pass on. The ReLU network with He
initialisation learns.

### What to take away

* Backpropagation multiplies one factor $f'(z)\,W^\top$ per layer; if those factors are below 1 the gradient vanishes
  exponentially with depth (and above 1 it explodes).
* Sigmoid's $f' \le \tfrac14$ makes vanishing almost certain in deep networks; ReLU's $f' = 1$ on active units does not shrink
  the gradient, and He initialisation keeps the signal's scale from layer to layer.
* Other cures: normalisation layers (batch norm, in notebook 6) and residual connections, which give the gradient a path
  around each layer."""),
]
