"""Cells of notebooks/09_gan.ipynb and notebooks/ja/09_gan.ipynb (build with: python notebooks/_build.py 09)."""

CELLS = [
    ("md", r"""# A generative adversarial network (GAN)

Two networks learn against each other. The **generator** $G$ turns random noise $z$ into samples; the
**discriminator** $D$ looks at a sample and says how likely it is to be real. $D$ is trained to tell real from
generated, $G$ to fool $D$. Nothing new is needed to train them: one loss, one `backward()`, one optimizer step each,
exactly as for a classifier. What is new is *where the gradient goes*: the generator's loss is computed by the
discriminator, so back-propagation runs through $D$'s layers into $G$.

1. The data: a mixture of eight Gaussians on a circle.
2. The two networks, the two losses, and the path of the gradient from $D$ into $G$, drawn as arrows.
3. Training: both losses, and the generated samples as training proceeds.
4. The same on $8 \times 8$ handwritten digits.""",
     r"""# 敵対的生成ネットワーク (GAN)

二つのネットワークが競い合いながら学習します。**生成器** (generator) $G$ はランダムなノイズ $z$ からサンプルを作り、
**識別器** (discriminator) $D$ はサンプルを見て、それが本物である確からしさを答えます。$D$ は本物と生成されたものを
見分けるように、$G$ は $D$ をだますように訓練されます。訓練に新しい道具は要りません。分類器と同じく、
損失を一つ計算し、`backward()` を一回呼び、オプティマイザを一歩進める、をそれぞれについて行うだけです。
新しいのは**勾配の通り道**です。生成器の損失は識別器が計算するので、誤差逆伝播法は $D$ の層を通り抜けて $G$ まで届きます。

1. データ: 円周上に並んだ 8 個のガウス分布の混合。
2. 二つのネットワーク、二つの損失、そして $D$ から $G$ への勾配の流れ (矢印で描きます)。
3. 訓練: 二つの損失と、訓練が進むにつれて変わる生成サンプル。
4. 同じことを $8 \times 8$ の手書き数字で。"""),
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
from denpa.fonts import use_japanese_font

use_japanese_font()  # titles and labels may be Japanese: add a font that has kana and kanji
F = nn.functional
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. The data

Eight small Gaussian blobs, evenly spaced on a circle of radius 2. A generator that has learned this distribution
must put its samples on all eight blobs, not just on some of them (missing modes is the classic GAN failure,
*mode collapse*).""",
     r"""## 1. データ

半径 2 の円周上に等間隔に並んだ、小さな 8 個のガウス分布です。この分布を学習した生成器は、8 個の山のうち
いくつかだけではなく、すべてにサンプルを置かなければなりません (一部の山を取りこぼすのは GAN の典型的な失敗で、
**モード崩壊** (mode collapse) と呼ばれます)。"""),
    ("code", r"""rng = np.random.default_rng(0)
K = 8
angles = 2 * np.pi * np.arange(K) / K
CENTRES = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)

def real_batch(n):
    # pick a blob for each sample, then add a little noise around its centre
    return (CENTRES[rng.integers(0, K, n)] + 0.05 * rng.normal(size=(n, 2))).astype("float32")

def modes_covered(samples, radius=0.25):
    # how many blobs have a sample near them, and what share of samples lie near some blob
    d = np.linalg.norm(samples[:, None, :] - CENTRES[None], axis=2)
    near = d.min(axis=1) < radius
    return len(set(d.argmin(axis=1)[near])), near.mean()

shown = real_batch(1000)
fig, ax = plt.subplots(figsize=(3.6, 3.6))
ax.scatter(shown[:, 0], shown[:, 1], s=3, alpha=0.5)
ax.set(title="real data: 8 Gaussians", aspect="equal", xlim=(-3, 3), ylim=(-3, 3))
plt.show()"""),
    ("md", r"""## 2. Two networks, two losses

$G$ maps 4-dimensional Gaussian noise to a point in the plane; $D$ maps a point to one logit $s$, with
$D(x) = \sigma(s)$ the probability that $x$ is real. Both are small MLPs.

**The discriminator** is an ordinary binary classifier: real samples have target 1, generated ones target 0, and its
loss is the binary cross-entropy

$$L_D = -\log D(x) - \log\big(1 - D(G(z))\big) .$$

When we train $D$ we call `G(z).detach()`: the generated batch becomes a constant, so $L_D$'s gradient stops at $D$'s
input and never reaches $G$.

**The generator** wants $D(G(z))$ close to 1. Its loss is the cross-entropy with target 1 (the *non-saturating* loss
of Goodfellow et al., 2014, which gives stronger gradients early on than minimising $\log(1 - D(G(z)))$):

$$L_G = -\log D\big(G(z)\big) .$$

Here there is no `detach()`. `L_G.backward()` runs the chain rule backwards through $D$'s layers to the generated
point $x = G(z)$, and on through $G$'s layers to $G$'s weights:

$$\frac{\partial L_G}{\partial \theta_G} = \underbrace{\frac{\partial L_G}{\partial x}}_{\text{computed through } D}\;\frac{\partial x}{\partial \theta_G} .$$

$D$'s parameters receive gradients from this backward pass too; only $G$'s optimizer steps on it, and $D$'s
gradients are zeroed before $D$'s own next step. The vector $-\partial L_G / \partial x$ at each generated point is
the direction in which $D$ tells $G$ to move it. We draw it for an untrained pair after a short head start for $D$:""",
     r"""## 2. 二つのネットワークと二つの損失

$G$ は 4 次元のガウスノイズを平面上の点に写し、$D$ は点を一つのロジット $s$ に写します。$D(x) = \sigma(s)$ が
$x$ が本物である確率です。どちらも小さな MLP です。

**識別器**はふつうの二値分類器です。本物のサンプルの目標値は 1、生成されたサンプルの目標値は 0 で、損失は
二値交差エントロピー

$$L_D = -\log D(x) - \log\big(1 - D(G(z))\big)$$

です。$D$ を訓練するときは `G(z).detach()` を使います。生成されたバッチは定数になり、$L_D$ の勾配は $D$ の入力で止まって
$G$ には届きません。

**生成器**は $D(G(z))$ を 1 に近づけたいので、損失は目標値 1 の交差エントロピーです (Goodfellow ら, 2014 の
**非飽和** (non-saturating) 損失。$\log(1 - D(G(z)))$ を最小化するより、訓練の初期に強い勾配が得られます)。

$$L_G = -\log D\big(G(z)\big)$$

こちらには `detach()` がありません。`L_G.backward()` は連鎖律を $D$ の層に沿って生成された点 $x = G(z)$ まで逆向きにたどり、
さらに $G$ の層を通って $G$ の重みまで進みます。

$$\frac{\partial L_G}{\partial \theta_G} = \underbrace{\frac{\partial L_G}{\partial x}}_{D \text{ を通って計算}}\;\frac{\partial x}{\partial \theta_G}$$

この逆伝播で $D$ のパラメータにも勾配が入りますが、それを使って一歩進むのは $G$ のオプティマイザだけで、$D$ の勾配は
$D$ 自身の次のステップの前にゼロに戻されます。生成された各点での $-\partial L_G / \partial x$ は、$D$ が $G$ に
「この点をこちらへ動かせ」と教える向きです。$D$ だけを少し先に訓練した、まだ学習していない組で描いてみます。"""),
    ("code", r"""NOISE = 4

def make_pair(seed=0):
    autograd.manual_seed(seed)
    G = nn.Sequential(nn.Linear(NOISE, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    D = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
    return G, D

def d_loss(D, real, fake):
    # real -> target 1, generated -> target 0; `fake` is detached by the caller
    ones, zeros = autograd.ones(len(real), 1), autograd.zeros(len(fake), 1)
    return F.binary_cross_entropy_with_logits(D(real), ones) + F.binary_cross_entropy_with_logits(D(fake), zeros)

def g_loss(D, fake):
    # the generator wants D to say "real" (target 1) about its samples
    return F.binary_cross_entropy_with_logits(D(fake), autograd.ones(len(fake), 1))

G, D = make_pair()
opt_D = optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
for _ in range(100):  # a head start for D only, so that its opinion is worth drawing
    loss = d_loss(D, autograd.tensor(real_batch(128)), G(autograd.randn(128, NOISE)).detach())
    opt_D.zero_grad()
    loss.backward()
    opt_D.step()

fake = G(autograd.randn(64, NOISE))
fake.retain_grad()  # keep dL_G/dx on this non-leaf tensor, to draw it
loss_G = g_loss(D, fake)
G.zero_grad()
D.zero_grad()
loss_G.backward()
first_G = G[0].weight.grad.norm().item()
first_D = D[0].weight.grad.norm().item()
print(f"after L_G.backward(): |grad| of G's first layer {first_G:.2e}, of D's first layer {first_D:.2e}")

# D's verdict on a grid, and the direction each generated point is pushed
g = np.linspace(-3, 3, 121)
GX, GY = np.meshgrid(g, g)
with autograd.no_grad():
    verdict = D(autograd.tensor(np.stack([GX.ravel(), GY.ravel()], 1).astype("float32"))).sigmoid().numpy()
pts, push = fake.detach().numpy(), -fake.grad.numpy()
push = 0.5 * push / np.linalg.norm(push, axis=1, keepdims=True)   # directions only, all drawn the same length
fig, ax = plt.subplots(figsize=(4.6, 4))
cs = ax.contourf(GX, GY, verdict.reshape(GX.shape), levels=20, cmap="RdBu_r")
fig.colorbar(cs, ax=ax, label="D(x): probability real")
ax.scatter(shown[:300, 0], shown[:300, 1], s=2, c="k", alpha=0.4, label="real")
ax.scatter(pts[:, 0], pts[:, 1], s=10, c="yellow", edgecolors="k", lw=0.3, label="generated")
ax.quiver(pts[:, 0], pts[:, 1], push[:, 0], push[:, 1], color="yellow", angles="xy", scale_units="xy", scale=1,
          width=0.004)
ax.set(title="$-\\partial L_G / \\partial x$: where D pushes G's samples", aspect="equal")
ax.legend(loc="lower left", fontsize=8)
plt.show()"""),
    ("md", r"""The arrows point up the slope of $D$'s verdict, toward where $D$ believes real data lives. The generator does
not see the real data at all: everything it learns arrives as these gradients, through the discriminator.

## 3. Training

Each step: one step for $D$ on a real batch and a generated (detached) batch, then one step for $G$ through $D$.
Adam with $\beta_1 = 0.5$, a common choice for GANs (a shorter momentum memory suits the moving target).""",
     r"""矢印は $D$ の判定の斜面を登る向き、つまり $D$ が「本物のデータはここにある」と考える方を向いています。
生成器は本物のデータをまったく見ていません。生成器が学ぶことはすべて、識別器を通って届くこの勾配だけです。

## 3. 訓練

1 ステップごとに、本物のバッチと (detach した) 生成バッチで $D$ を一歩、続いて $D$ を通した勾配で $G$ を一歩進めます。
オプティマイザは $\beta_1 = 0.5$ の Adam で、GAN でよく使われる設定です (目標が動き続けるので、モーメンタムの記憶は
短めのほうが合います)。"""),
    ("code", r"""def train_gan(G, D, sample_real, steps, batch=128, lr=1e-3, snapshot_at=(), noise=NOISE):
    opt_G = optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_D = optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    z_fixed = autograd.randn(1000, noise)  # the same noise at every snapshot, to watch the same samples move
    losses_D, losses_G, snapshots = [], [], {}
    for step in range(1, steps + 1):
        fake = G(autograd.randn(batch, noise))
        loss_D = d_loss(D, autograd.tensor(sample_real(batch)), fake.detach())  # no gradient into G
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
        loss_G = g_loss(D, fake)  # through D into G
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
        losses_D.append(loss_D.item())
        losses_G.append(loss_G.item())
        if step in snapshot_at:
            with autograd.no_grad():
                snapshots[step] = G(z_fixed).numpy()
    return losses_D, losses_G, snapshots

G, D = make_pair()
SNAPSHOTS = (1, 250, 1000, 3000)
start = time.perf_counter()
losses_D, losses_G, snaps = train_gan(G, D, real_batch, steps=3000, snapshot_at=SNAPSHOTS)
print(f"3000 steps in {time.perf_counter() - start:.1f} s")
for step, s in snaps.items():
    modes, share = modes_covered(s)
    print(f"step {step:4d}: samples near {modes} of {K} blobs; {share:.0%} of samples lie near a blob")

def smooth(v, n=50):
    return np.convolve(v, np.ones(n) / n, mode="valid")

fig = plt.figure(figsize=(13, 3.4))
ax = fig.add_subplot(1, 5, 1)
ax.plot(smooth(losses_D), label="$L_D$ (discriminator)")
ax.plot(smooth(losses_G), label="$L_G$ (generator)")
ax.axhline(2 * np.log(2), ls=":", c="gray", label="$2 \\ln 2$")
ax.axhline(np.log(2), ls="--", c="gray", label="$\\ln 2$")
ax.set(title="losses (moving average)", xlabel="step")
ax.legend(fontsize=7)
for i, (step, s) in enumerate(snaps.items(), start=2):
    ax = fig.add_subplot(1, 5, i)
    ax.scatter(CENTRES[:, 0], CENTRES[:, 1], s=60, facecolors="none", edgecolors="gray")
    ax.scatter(s[:, 0], s[:, 1], s=2, alpha=0.5, c="C1")
    ax.set(title=f"step {step}", aspect="equal", xlim=(-3, 3), ylim=(-3, 3), xticks=[], yticks=[])
plt.tight_layout()
plt.show()"""),
    ("md", r"""The losses do not fall to zero as a classifier's would: each network's progress is the other's setback. At the
game's balance point $D$ cannot tell the two apart, $D(x) = \tfrac12$ everywhere, and then $L_D = 2\ln 2$ and
$L_G = \ln 2$ (the dotted and dashed lines); the curves stay in their neighbourhood instead of falling to zero. The
samples, not the losses, show the progress: from one blob of noise, to a ring, to the eight modes.

## 4. Handwritten digits

The same two functions, `train_gan` and the losses, on the $8 \times 8$ digits (64 pixels scaled to $[-1, 1]$).
The generator ends in `tanh` to produce pixels in that range. A few thousand steps on a CPU give recognisable
strokes, not perfect digits.""",
     r"""損失は分類器のようにゼロへは下がりません。一方の進歩はもう一方にとっての後退だからです。
このゲームの釣り合いの点では $D$ は両者を見分けられず、どこでも $D(x) = \tfrac12$ となり、そのとき
$L_D = 2\ln 2$、$L_G = \ln 2$ です (点線と破線)。曲線はゼロへ下がらず、その近くにとどまります。進歩を示すのは損失ではなくサンプルです。
ひとかたまりのノイズから輪になり、そして 8 個の山に分かれていきます。

## 4. 手書き数字

同じ `train_gan` と同じ損失を、$8 \times 8$ の手書き数字 (64 画素を $[-1, 1]$ に変換) に使います。
生成器の最後を `tanh` にして、画素がこの範囲に収まるようにします。CPU で数千ステップ訓練すると、完璧な数字ではありませんが、
それと分かる筆跡が現れます。"""),
    ("code", r"""digits = data.digits()
pixels = digits.data.numpy().reshape(len(digits), 64).astype("float32")
pixels = 2 * (pixels - pixels.min()) / (pixels.max() - pixels.min()) - 1  # to [-1, 1], tanh's range

def real_digits(n):
    return pixels[rng.integers(0, len(pixels), n)]

autograd.manual_seed(1)
DIGIT_NOISE = 16
G_digits = nn.Sequential(nn.Linear(DIGIT_NOISE, 128), nn.ReLU(), nn.Linear(128, 64), nn.Tanh())
D_digits = nn.Sequential(nn.Linear(64, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
start = time.perf_counter()
ld, lg, digit_snaps = train_gan(G_digits, D_digits, real_digits, steps=2000, batch=64, lr=2e-3,
                                snapshot_at=(200, 2000), noise=DIGIT_NOISE)
print(f"2000 steps in {time.perf_counter() - start:.1f} s")

fig, axes = plt.subplots(3, 10, figsize=(10, 3.3))
rows = [("real", real_digits(10)), ("step 200", digit_snaps[200][:10]), ("step 2000", digit_snaps[2000][:10])]
for r, (label, images) in enumerate(rows):
    for c in range(10):
        axes[r, c].imshow(images[c].reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
        axes[r, c].set(xticks=[], yticks=[])
    axes[r, 0].set_ylabel(label, fontsize=9)
plt.suptitle("8x8 digits: real, and generated as training proceeds")
plt.tight_layout()
plt.show()"""),
    ("md", r"""### What to take away

* A GAN is two networks trained by ordinary back-propagation and gradient descent; only the losses are new.
* The generator never sees data. Its gradient is computed **through the discriminator**: `loss_G.backward()` runs back
  through $D$'s layers to the generated samples and on into $G$. `detach()` is what keeps the discriminator's own
  update from reaching $G$.
* The losses hover around the balance point; judge a GAN by its samples (here: how many of the eight modes it covers).""",
     r"""### まとめ

* GAN は、ふつうの誤差逆伝播法と勾配降下法で訓練される二つのネットワークです。新しいのは損失だけです。
* 生成器はデータを一度も見ません。生成器の勾配は**識別器を通って**計算されます。`loss_G.backward()` は $D$ の層を
  生成サンプルまで逆にたどり、さらに $G$ へと進みます。識別器自身の更新が $G$ に届かないようにしているのが `detach()` です。
* 損失は釣り合いの点の周りを行き来します。GAN の良し悪しはサンプルで判断します (ここでは 8 個の山のうちいくつを覆うか)。"""),
]

JA_CODE = {
    "titles and labels may be Japanese: add a font that has kana and kanji": "題名やラベルは日本語のことがある: かなと漢字をもつフォントを加える",
    "opened from notebooks/ without `pip install -e .`: use the checkout one level up":
        "`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う",
    "pick a blob for each sample, then add a little noise around its centre": "サンプルごとに山を選び、その中心の周りに少しノイズを加える",
    "how many blobs have a sample near them, and what share of samples lie near some blob":
        "近くにサンプルがある山の数と、どれかの山の近くにあるサンプルの割合",
    "real data: 8 Gaussians": "本物のデータ: 8 個のガウス分布",
    "real -> target 1, generated -> target 0; `fake` is detached by the caller": "本物 -> 目標値 1、生成 -> 目標値 0。`fake` は呼び出し側で detach 済み",
    'the generator wants D to say "real" (target 1) about its samples': "生成器は自分のサンプルを D に「本物」(目標値 1) と言わせたい",
    "a head start for D only, so that its opinion is worth drawing": "D だけを先に少し訓練して、描く価値のある判定にしておく",
    "keep dL_G/dx on this non-leaf tensor, to draw it": "葉でないこのテンソルにも dL_G/dx を残して描けるようにする",
    "after L_G.backward(): |grad| of G's first layer": "L_G.backward() の後: G の第 1 層の勾配ノルム",
    ", of D's first layer": "、D の第 1 層",
    "D's verdict on a grid, and the direction each generated point is pushed": "格子上での D の判定と、生成された各点が押される向き",
    "D(x): probability real": "D(x): 本物である確率",
    '"real"': '"本物"',
    '"generated"': '"生成"',
    '"step"': '"ステップ"',
    "step ": "ステップ ",
    r"$-\\partial L_G / \\partial x$: where D pushes G's samples": "−∂L_G/∂x: D が G のサンプルを押す向き",
    "the same noise at every snapshot, to watch the same samples move": "どのスナップショットでも同じノイズを使い、同じサンプルの動きを見る",
    "no gradient into G": "G には勾配を流さない",
    "through D into G": "D を通って G へ",
    "3000 steps in ": "3000 ステップ: ",
    "2000 steps in ": "2000 ステップ: ",
    ": samples near ": ": サンプルのある山 ",
    " blobs; ": " 個; サンプルの ",
    " of ": " / ",
    " of samples lie near a blob": " がどれかの山の近くにある",
    "$L_D$ (discriminator)": "L_D (識別器)",
    "$L_G$ (generator)": "L_G (生成器)",
    "losses (moving average)": "損失 (移動平均)",
    "to [-1, 1], tanh's range": "[-1, 1] (tanh の値域) に変換",
    "8x8 digits: real, and generated as training proceeds": "8x8 の数字: 本物と、訓練が進むにつれて生成されたもの",
    'directions only, all drawn the same length': '向きだけを示す (矢印はすべて同じ長さ)',
}
