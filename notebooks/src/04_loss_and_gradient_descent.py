"""Cells of notebooks/04_loss_and_gradient_descent.ipynb (build with: python notebooks/_build.py 04)."""

CELLS = [
    ("md", r"""# Loss functions and gradient descent

1. **Squared error against cross-entropy** for a classifier: the loss, and the gradient it sends back, as functions of
   the predicted probability.
2. **The learning rate**: too small, good, too large, on a parabola (where the answer is exact) and on handwritten digits.
3. **Batch, online and mini-batch** learning: how much one epoch buys, how much one update buys, and what each costs."""),
    ("code", r"""%matplotlib inline
try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import os, sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

import time

import matplotlib.pyplot as plt
import numpy as np
import nn
import optim
from autograd import data

F = nn.functional
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. Squared error or cross-entropy?

A classifier's output unit computes a logit $z$ and a probability $p = \sigma(z)$ that the example is in the class. For an example
whose target is $t = 1$, compare

$$L_\text{SE} = \tfrac12 (p - t)^2 \qquad\text{and}\qquad L_\text{CE} = -\big[t \log p + (1 - t)\log(1 - p)\big] = -\log p .$$

What learning sees is the gradient with respect to $z$. With $\sigma'(z) = p(1 - p)$:

$$\frac{\partial L_\text{SE}}{\partial z} = (p - t)\, p\, (1 - p), \qquad \frac{\partial L_\text{CE}}{\partial z} = p - t .$$

The extra factor $p(1-p)$ is the trouble with squared error: when the model is confidently *wrong* ($p \to 0$ for $t = 1$) the
squared-error gradient vanishes, and learning stalls exactly where it should be fastest. Cross-entropy's gradient is
largest there. Below, both losses come from `nn.functional` and both gradients from `autograd`:"""),
    ("code", r"""z = autograd.linspace(-7, 7, 701).requires_grad_()
p = z.sigmoid()
target = autograd.ones(701)
losses = {"squared error": 0.5 * F.mse_loss(p, target, reduction="none"),
          "cross-entropy": F.binary_cross_entropy(p, target, reduction="none")}
grads = {name: autograd.grad(loss.sum(), z, retain_graph=True)[0].numpy() for name, loss in losses.items()}

pn = p.detach().numpy()
for at in (0.01, 0.5, 0.99):
    i = np.abs(pn - at).argmin()
    print(f"p = {pn[i]:.2f}: " + "   ".join(f"{name} dL/dz = {grads[name][i]:+.4f}" for name in losses))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, loss in losses.items():
    axes[0].plot(pn, loss.detach().numpy(), label=name)
    axes[1].plot(pn, np.abs(grads[name]), label=name)
axes[0].set(title="loss for target $t = 1$", xlabel="predicted probability $p$", ylim=(0, 4))
axes[1].set(title="gradient sent back, $|\\partial L / \\partial z|$", xlabel="predicted probability $p$")
for ax in axes:
    ax.legend()
plt.tight_layout()
plt.show()"""),
    ("md", r"""With $K$ classes the output is a softmax over $K$ logits, $p_k = e^{z_k} / \sum_j e^{z_j}$, and the cross-entropy of an example
of class $y$ is $-\log p_y$. Its gradient is just as simple:

$$\frac{\partial L}{\partial z_k} = p_k - [k = y],$$

the predicted probabilities minus the one-hot target. `nn.functional.cross_entropy` takes the logits and averages over the
batch (so each row of the gradient is divided by the batch size $N$):"""),
    ("code", r"""autograd.manual_seed(0)
logits = autograd.randn(5, 10, requires_grad=True)
labels = autograd.tensor([3, 0, 9, 3, 7])
F.cross_entropy(logits, labels).backward()

probs = F.softmax(logits.detach(), dim=1).numpy()
onehot = np.eye(10)[labels.numpy()]
by_formula = (probs - onehot) / 5
print("largest difference between autograd and (softmax - one-hot) / N:",
      f"{np.abs(logits.grad.numpy() - by_formula).max():.1e}")"""),
    ("md", r"""## 2. The learning rate

Gradient descent repeats $w \leftarrow w - \eta\, \nabla L(w)$. How large may the step $\eta$ be? On a parabola
$L(w) = \tfrac{a}{2} w^2$ the gradient is $a w$, so one step gives

$$w \leftarrow (1 - \eta a)\, w .$$

It converges when $|1 - \eta a| < 1$, that is $0 < \eta < 2/a$; fastest at $\eta = 1/a$ (one step); slowly for small $\eta$;
it zig-zags across the minimum when $1/a < \eta < 2/a$ and diverges beyond $2/a$. In a network the curvature differs from one
direction to the next, and the steepest direction sets the limit. Here $a = 1$:"""),
    ("code", r"""def descend(eta, w0=4.0, a=1.0, steps=12):
    w = autograd.tensor(w0, requires_grad=True)
    path = [w.item()]
    for _ in range(steps):
        loss = 0.5 * a * w ** 2
        (g,) = autograd.grad(loss, w)
        with autograd.no_grad():
            w -= eta * g
        path.append(w.item())
    return np.array(path)

ETAS = [("too small", 0.1), ("good", 0.8), ("zig-zag", 1.8), ("too large", 2.1)]
fig, axes = plt.subplots(1, len(ETAS), figsize=(14, 3.2), sharey=True)
ws = np.linspace(-6, 6, 200)
for ax, (name, eta) in zip(axes, ETAS):
    path = descend(eta)
    ax.plot(ws, 0.5 * ws ** 2, c="lightgray")
    ax.plot(path, 0.5 * path ** 2, "o-", ms=4)
    ax.set(title=f"{name}: $\\eta$ = {eta}", xlabel="$w$", ylim=(-0.5, 18))
    print(f"eta = {eta}: w after 12 steps = {path[-1]:+.4f}")
axes[0].set_ylabel("$L(w)$")
plt.tight_layout()
plt.show()"""),
    ("md", r"""The same on a real problem: a small MLP (64-32-10, ReLU) on the handwritten digits (8×8 images as 64 numbers in
$[0, 1]$, 10 classes), trained by full-batch gradient descent from the same initial weights with three learning rates."""),
    ("code", r"""digits = data.digits()
train_set, val_set, test_set = data.train_val_test_split(digits, (0.7, 0.15, 0.15), seed=0)
X_train, y_train = next(iter(data.DataLoader(train_set, batch_size=len(train_set))))
print("training set:", X_train.shape, y_train.shape)

def small_mlp():
    autograd.manual_seed(0)     # the same initial weights every time
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))

def full_batch_gd(lr, steps=100):
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(steps):
        loss = F.cross_entropy(model(X_train), y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return model, history

LRS = {"too small": 0.05, "good": 1.0, "too large": 4.0}
fig, ax = plt.subplots(figsize=(6, 3.8))
for name, lr in LRS.items():
    model, history = full_batch_gd(lr)
    with autograd.no_grad():
        alive = (model[1](model[0](X_train)) > 0).any(0).sum().item()   # hidden units active on some image
    print(f"lr = {lr:4}: loss {history[0]:.3f} -> {history[-1]:.3f} (lowest {min(history):.3f}); "
          f"{alive} of 32 hidden units still active")
    ax.plot(history, label=f"{name}, lr = {lr}")
ax.axhline(np.log(10), ls="--", c="gray", label="guessing ($\\ln 10$)")
ax.set(title="small MLP on digits, full-batch GD", xlabel="step", ylabel="training loss", yscale="log")
ax.legend()
plt.show()"""),
    ("md", r"""Too small, and 100 steps barely move the loss. Too large, and the first steps overshoot (the loss jumps up), and
the big updates push almost every hidden ReLU into the region where it outputs 0 for every image: a "dead" unit has a zero gradient and
never recovers, so the network is stuck at the loss of guessing, $\ln 10$. The good rate is not far below the one that breaks."""),
    ("md", r"""## 3. Batch, online and mini-batch learning

The loss over a training set is an average over examples, $L = \frac1N \sum_i \ell_i$, so its gradient is an average too. How many examples
to average before each step?

* **Batch** (full-batch gradient descent): all $N$; one exact step per epoch.
* **Online** (stochastic gradient descent in its original sense): one example, so $N$ noisy steps per epoch.
* **Mini-batch**: $B$ examples (here 32), so $N/B$ steps per epoch, each averaging away some noise, and each a matrix product that
  uses the hardware well.

`data.DataLoader` serves the examples in a shuffled order, in batches of the size we ask for. To keep online learning quick we
train on 500 of the training images, with the small MLP from the same initial weights each time; each method gets a learning
rate that suits it (smaller steps for noisier gradients) and as many epochs as it needs to get somewhere: batch 100, mini-batch
20, online 6."""),
    ("code", r"""subset, _ = data.random_split(train_set, [500, len(train_set) - 500], seed=0)
X_sub, y_sub = next(iter(data.DataLoader(subset, batch_size=len(subset))))

def train(batch_size, lr, epochs, log_every):
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = data.DataLoader(subset, batch_size=batch_size, shuffle=True, seed=0)
    updates, log, seconds = 0, [], 0.0
    for epoch in range(epochs):
        start = time.perf_counter()
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            updates += 1
            if updates % log_every == 0:   # the loss on all 500 images (not timed)
                seconds += time.perf_counter() - start
                with autograd.no_grad():
                    log.append((updates, updates * batch_size / len(subset), F.cross_entropy(model(X_sub), y_sub).item()))
                start = time.perf_counter()
        seconds += time.perf_counter() - start
    return np.array(log), seconds / epochs

METHODS = {"batch (B = 500)": dict(batch_size=500, lr=0.5, epochs=100, log_every=1),
           "mini-batch (B = 32)": dict(batch_size=32, lr=0.2, epochs=20, log_every=2),
           "online (B = 1)": dict(batch_size=1, lr=0.02, epochs=6, log_every=50)}
runs = {}
for name, kw in METHODS.items():
    runs[name], per_epoch = train(**kw)
    updates, epochs, loss = runs[name][-1]
    print(f"{name:20} lr {kw['lr']:4}: {epochs:3.0f} epochs, {updates:5.0f} updates -> training loss {loss:.3f}; "
          f"{1000 * per_epoch:5.1f} ms per epoch, {per_epoch * epochs:.2f} s in all")"""),
    ("code", r"""fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, log in runs.items():
    axes[0].plot(log[:, 1], log[:, 2], label=name)
    axes[1].plot(log[:, 0], log[:, 2], label=name)
axes[0].set(title="per epoch (examples seen / N)", xlabel="epochs", xlim=(0, 20))
axes[1].set(title="per update", xlabel="updates", xscale="log")
for ax in axes:
    ax.set(ylabel="training loss", yscale="log")
    ax.legend()
plt.tight_layout()
plt.show()"""),
    ("md", r"""Per **epoch**, online learning is far ahead: it takes 500 small steps where batch learning takes one. Per **update**, batch learning
is ahead: each of its steps follows the exact gradient, and online steps are noisy (the wiggles in its curve). Mini-batches sit in
between on both axes, and win on the clock: a step on 32 examples costs little more than a step on one (it is one matrix
product, not 32 separate steps), so an epoch of mini-batches takes a small fraction of the time of an online epoch, and reaches
a low loss soonest. That is why nearly all training today is mini-batch SGD (or one of the optimizers of the next notebook,
which refine its update).

### What to take away

* Cross-entropy with a sigmoid or softmax output gives the gradient $p - t$: large when the model is wrong, unlike squared error.
* On a quadratic (and near a minimum every smooth loss is one) gradient descent converges only for a learning rate below
  $2/\text{curvature}$ of the steepest direction; the best rate is a bit below that limit.
* Batch, online and mini-batch learning trade the accuracy of each step against the number of steps per epoch."""),
]
