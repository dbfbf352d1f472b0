"""Cells of notebooks/04_loss_and_gradient_descent.ipynb (build with: python notebooks/_build.py 04)."""

CELLS = [
    ("md", r"""# Loss functions and gradient descent

1. **Squared error against cross-entropy** for a classifier: the loss, and the gradient it sends back, as functions of
   the predicted probability.
2. **The learning rate**: too small, good, too large, on a parabola (where the answer is exact) and on handwritten digits.
3. **Batch, online and mini-batch** learning: how much one epoch buys, how much one update buys, and what each costs.""",
     r"""# 損失関数と勾配降下法

1. 分類器での**二乗誤差と交差エントロピー**: 損失と、それが送り返す勾配を、予測確率の関数として比べる。
2. **学習率**: 小さすぎる、ちょうどよい、大きすぎるを、放物線 (答えが正確に分かる) と手書き数字で試す。
3. **バッチ学習、オンライン学習、ミニバッチ学習**: 1 エポックで何が得られ、1 回の更新で何が得られ、それぞれにどれだけかかるか。"""),
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
from denpa.fonts import use_japanese_font
use_japanese_font()  # titles and labels may be Japanese: add a font that has kana and kanji
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. Squared error or cross-entropy?

A classifier's output unit computes a logit $z$ and a probability $p = \sigma(z)$ that the example is in the class. For an example
whose target is $t = 1$, compare

$$L_\text{SE} = \tfrac12 (p - t)^2 \qquad\text{and}\qquad L_\text{CE} = -\big[t \log p + (1 - t)\log(1 - p)\big] = -\log p .$$

What learning sees is the gradient with respect to $z$. With $\sigma'(z) = p(1 - p)$:

$$\frac{\partial L_\text{SE}}{\partial z} = (p - t)\, p\, (1 - p), \qquad \frac{\partial L_\text{CE}}{\partial z} = p - t .$$

The extra factor $p(1-p)$ is the trouble with squared error: when the model is confidently *wrong* ($p \to 0$ for $t = 1$) the
squared-error gradient vanishes, and learning stalls exactly where it should be fastest. Cross-entropy's gradient is
largest there. Below, both losses come from `nn.functional` and both gradients from `autograd`:""",
     r"""## 1. 二乗誤差か交差エントロピーか

分類器の出力ユニットは、ロジット $z$ と、例がそのクラスに属する確率 $p = \sigma(z)$ を計算します。目標値が $t = 1$ の例について

$$L_\text{SE} = \tfrac12 (p - t)^2 \qquad\text{と}\qquad L_\text{CE} = -\big[t \log p + (1 - t)\log(1 - p)\big] = -\log p$$

を比べます。学習に効くのは $z$ についての勾配です。$\sigma'(z) = p(1 - p)$ を使うと

$$\frac{\partial L_\text{SE}}{\partial z} = (p - t)\, p\, (1 - p), \qquad \frac{\partial L_\text{CE}}{\partial z} = p - t$$

です。余分な因子 $p(1-p)$ が二乗誤差の問題点です。モデルが自信をもって*間違えている*とき ($t = 1$ なのに $p \to 0$)、
二乗誤差の勾配は消えてしまい、最も速く学ぶべき所で学習が止まります。交差エントロピーの勾配はそこで最大になります。
以下では、どちらの損失も `nn.functional` から、どちらの勾配も `autograd` から求めます。"""),
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
batch (so each row of the gradient is divided by the batch size $N$):""",
     r"""$K$ クラスの場合、出力は $K$ 個のロジットのソフトマックス $p_k = e^{z_k} / \sum_j e^{z_j}$ で、クラス $y$ の例の交差エントロピーは
$-\log p_y$ です。その勾配も同じく単純です。

$$\frac{\partial L}{\partial z_k} = p_k - [k = y]$$

つまり予測確率から one-hot の目標値を引いたものです。`nn.functional.cross_entropy` はロジットを受け取り、バッチで平均します
(そのため勾配の各行はバッチサイズ $N$ で割られます)。"""),
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
direction to the next, and the steepest direction sets the limit. Here $a = 1$:""",
     r"""## 2. 学習率

勾配降下法は $w \leftarrow w - \eta\, \nabla L(w)$ を繰り返します。一歩の大きさ $\eta$ はどこまで大きくしてよいでしょうか。放物線
$L(w) = \tfrac{a}{2} w^2$ では勾配は $a w$ なので、一歩で

$$w \leftarrow (1 - \eta a)\, w$$

となります。収束するのは $|1 - \eta a| < 1$、つまり $0 < \eta < 2/a$ のときです。$\eta = 1/a$ で最も速く (一歩で) 収束し、
$\eta$ が小さいとゆっくり進み、$1/a < \eta < 2/a$ では最小点をまたいでジグザグに進み、$2/a$ を超えると発散します。
ネットワークでは曲率が方向ごとに異なり、最も急な方向が上限を決めます。ここでは $a = 1$ です。"""),
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
$[0, 1]$, 10 classes), trained by full-batch gradient descent from the same initial weights with three learning rates.""",
     r"""同じことを実際の問題で試します。手書き数字 (8×8 の画像を $[0, 1]$ の 64 個の数で表し、10 クラス) を小さな MLP (64-32-10、ReLU) で、
同じ初期重みから三つの学習率でフルバッチの勾配降下法により訓練します。"""),
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
never recovers, so the network is stuck at the loss of guessing, $\ln 10$. The good rate is not far below the one that breaks.""",
     r"""小さすぎると、100 ステップでも損失はほとんど動きません。大きすぎると、最初の数ステップで行き過ぎ (損失が跳ね上がり)、
大きな更新によって隠れ層の ReLU のほとんどが、どの画像に対しても 0 を出力する領域に押し込まれます。「死んだ」ユニットの勾配は
ゼロで、二度と回復しないので、ネットワークは当て推量の損失 $\ln 10$ から抜け出せなくなります。ちょうどよい学習率は、
壊れてしまう学習率からそれほど下ではありません。"""),
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
20, online 6.""",
     r"""## 3. バッチ学習、オンライン学習、ミニバッチ学習

訓練データ全体の損失は例についての平均 $L = \frac1N \sum_i \ell_i$ なので、その勾配も平均です。一歩進む前に、いくつの例について
平均を取るべきでしょうか。

* **バッチ学習** (フルバッチの勾配降下法): $N$ 個すべて。1 エポックに正確な一歩を 1 回。
* **オンライン学習** (本来の意味での確率的勾配降下法): 例 1 個。1 エポックにノイズの多い $N$ 歩。
* **ミニバッチ学習**: $B$ 個 (ここでは 32)。1 エポックに $N/B$ 歩で、それぞれがノイズをある程度平均して消し、
  しかもハードウェアを有効に使える一つの行列積になります。

`data.DataLoader` は例をシャッフルした順に、指定した大きさのバッチにして渡します。オンライン学習を手早く済ませるため、
訓練画像のうち 500 枚で、毎回同じ初期重みの小さな MLP を訓練します。それぞれの方法には合った学習率 (勾配のノイズが多いほど
小さな歩幅) と、ある程度進むのに必要なエポック数を与えます。バッチ学習 100、ミニバッチ学習 20、オンライン学習 6 です。"""),
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
* Batch, online and mini-batch learning trade the accuracy of each step against the number of steps per epoch.""",
     r"""**エポック**あたりでは、オンライン学習がはるかに先行します。バッチ学習が 1 歩進む間に、小さな 500 歩を進むからです。
**更新**あたりでは、バッチ学習が先行します。一歩一歩が正確な勾配に従い、オンライン学習の一歩はノイズを含む (曲線のぶれ) からです。
ミニバッチ学習はどちらの軸でも中間にあり、時計の上では勝ちます。32 個の例での一歩は 1 個での一歩とほとんど変わらない手間で
済む (32 回の別々の歩みではなく、一回の行列積) ので、ミニバッチの 1 エポックはオンライン学習の 1 エポックのごく一部の時間で終わり、
最も早く低い損失に達します。今日の訓練のほとんどがミニバッチ SGD (あるいはその更新を改良した、次のノートブックのオプティマイザ)
なのはこのためです。

### まとめ

* シグモイドやソフトマックスの出力と交差エントロピーの組み合わせは、勾配 $p - t$ を与えます。二乗誤差と違い、モデルが間違っているほど大きくなります。
* 二次関数の上では (そして最小点の近くでは滑らかな損失はどれも二次関数です)、勾配降下法が収束するのは、学習率が最も急な方向の
  $2/\text{曲率}$ より小さいときだけです。最良の学習率はその上限の少し下にあります。
* バッチ学習、オンライン学習、ミニバッチ学習は、一歩ごとの正確さと 1 エポックあたりの歩数を交換しています。"""),
]

JA_CODE = {
    'opened from notebooks/ without `pip install -e .`: use the checkout one level up': '`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う',
    'titles and labels may be Japanese: add a font that has kana and kanji': '題名やラベルは日本語のことがある: かなと漢字をもつフォントを加える',
    '"squared error"': '"二乗誤差"',
    '"cross-entropy"': '"交差エントロピー"',
    'loss for target $t = 1$': '目標値 t = 1 に対する損失',
    'predicted probability $p$': '予測確率 p',
    'gradient sent back, $|\\\\partial L / \\\\partial z|$': '送り返される勾配 |∂L/∂z|',
    'largest difference between autograd and (softmax - one-hot) / N:': 'autograd と (softmax - one-hot) / N の最大の差:',
    '"too small"': '"小さすぎる"',
    '"good"': '"ちょうどよい"',
    '"zig-zag"': '"ジグザグ"',
    '"too large"': '"大きすぎる"',
    ': $\\\\eta$ = ': ': η = ',
    ': loss ': ': 損失 ',
    ': w after 12 steps = ': ': 12 ステップ後の w = ',
    '"training set:"': '"訓練データ:"',
    'the same initial weights every time': '毎回同じ初期重み',
    'hidden units active on some image': 'どれかの画像で活性な隠れユニット',
    ' (lowest ': ' (最小 ',
    ' of 32 hidden units still active': ' 個 (32 個中) の隠れユニットがまだ活性',
    'guessing ($\\\\ln 10$)': '当て推量 (ln 10)',
    'small MLP on digits, full-batch GD': '数字を学習する小さな MLP、フルバッチの勾配降下法',
    '"step"': '"ステップ"',
    '"training loss"': '"訓練損失"',
    'the loss on all 500 images (not timed)': '500 枚すべてでの損失 (時間には含めない)',
    'batch (B = 500)': 'バッチ学習 (B = 500)',
    'mini-batch (B = 32)': 'ミニバッチ学習 (B = 32)',
    'online (B = 1)': 'オンライン学習 (B = 1)',
    ' epochs, ': ' エポック、',
    ' updates -> training loss ': ' 回の更新 -> 訓練損失 ',
    ' ms per epoch, ': ' ミリ秒/エポック、合計 ',
    ' s in all': ' 秒',
    'per epoch (examples seen / N)': 'エポックあたり (見た例の数 / N)',
    '"epochs"': '"エポック"',
    'per update': '更新あたり',
    '"updates"': '"更新回数"',
}
