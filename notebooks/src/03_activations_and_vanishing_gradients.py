"""Cells of notebooks/03_activations_and_vanishing_gradients.ipynb (build with: python notebooks/_build.py 03)."""

CELLS = [
    ("md", r"""# Activation functions and vanishing gradients

1. The classic **activation functions** (step, sigmoid, tanh, ReLU) and their derivatives, computed by `autograd`.
2. Why gradients **vanish** in a deep sigmoid network: the delta rule multiplies by $\sigma'(z) \le \tfrac14$ once per layer.
3. **Measured**: gradient norms layer by layer in a 10-layer network on handwritten digits, sigmoid against ReLU with
   He (Kaiming) initialisation, and what that does to training.
4. **Gradient flow** during training, step by step and layer by layer: sigmoid, ReLU with He initialisation, and
   sigmoid with batch normalisation.""",
     r"""# 活性化関数と勾配消失問題

1. 代表的な**活性化関数** (ステップ関数、シグモイド、tanh、ReLU) と、`autograd` で計算したその微分。
2. 深いシグモイドのネットワークで勾配が**消失**する理由: デルタ則は 1 層ごとに $\sigma'(z) \le \tfrac14$ を掛ける。
3. **実測**: 手書き数字を学習する 10 層のネットワークで、層ごとの勾配ノルムを測り、シグモイドと He (Kaiming) の初期化の ReLU を
   比べ、それが訓練に何をもたらすかを見る。
4. 訓練中の**勾配の流れ**を、ステップごと・層ごとに: シグモイド、He の初期化の ReLU、そしてバッチ正規化を加えたシグモイド。"""),
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

from denpa.fonts import use_japanese_font
use_japanese_font()  # titles and labels may be Japanese: add a font that has kana and kanji
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. Four activation functions

| name | $f(z)$ | $f'(z)$ |
| --- | --- | --- |
| step | $1$ if $z > 0$, else $0$ | $0$ (undefined at $0$) |
| sigmoid | $\sigma(z) = 1 / (1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z)) \le \tfrac14$ |
| tanh | $\tanh z = 2\sigma(2z) - 1$ | $1 - \tanh^2 z \le 1$ |
| ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |

We let `autograd` compute the derivatives: with $y_i = f(z_i)$ elementwise, the gradient of $\sum_i y_i$ with respect
to $z$ is the vector of $f'(z_i)$.""",
     r"""## 1. 四つの活性化関数

| 名前 | $f(z)$ | $f'(z)$ |
| --- | --- | --- |
| ステップ関数 | $z > 0$ なら $1$、そうでなければ $0$ | $0$ ($0$ では定義されない) |
| シグモイド | $\sigma(z) = 1 / (1 + e^{-z})$ | $\sigma(z)\,(1 - \sigma(z)) \le \tfrac14$ |
| tanh | $\tanh z = 2\sigma(2z) - 1$ | $1 - \tanh^2 z \le 1$ |
| ReLU | $\max(0, z)$ | $z > 0$ なら $1$、そうでなければ $0$ |

微分は `autograd` に計算させます。要素ごとに $y_i = f(z_i)$ とすると、$\sum_i y_i$ の $z$ についての勾配は $f'(z_i)$ を並べたベクトルです。"""),
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

The data: 1,797 handwritten digits, $8 \times 8$ grey-scale images flattened to 64 features, 10 classes.""",
     r"""注目すべき点が三つあります。

* ステップ関数の微分はどこでも $0$ です。その手前にあるものには勾配がまったく届きません (ノートブック 2)。
* シグモイドの微分は最大でも $\tfrac14$ ($z = 0$ のとき) で、$|z| > 5$ ではほぼ $0$ です。*飽和*したユニットは、
  勾配をほとんど後ろへ通しません。tanh も同じ形で、中心での傾きが 4 倍です。
* ReLU の微分は、正の入力に対しては大きさによらずちょうど $1$、それ以外では $0$ です。

## 2. 勾配が消失する理由

ノートブック 1 のデルタ則を行列の形で書くと、誤差は 1 層ずつ後ろへ送られます。

$$\delta^{(l)} = f'\big(z^{(l)}\big) \odot \big(W^{(l+1)\top}\, \delta^{(l+1)}\big), \qquad \frac{\partial L}{\partial W^{(l)}} = \delta^{(l)}\, a^{(l-1)\top}$$

最後の層 $L$ から第 $l$ 層までさかのぼると、このような因子が $L - l$ 回掛かります。シグモイドではそれぞれが $f' \le \tfrac14$ を含みます。
さらに PyTorch の `nn.Linear` の既定の初期化 (重みは $\pm 1/\sqrt{n_\text{in}}$ の一様分布、分散 $1/(3 n_\text{in})$) では、
$W^\top$ を掛けるとベクトルのノルムもおよそ $1/\sqrt{3}$ に縮みます。そのため勾配は 1 層ごとにほぼ 1 桁ずつ小さくなり、
9 層さかのぼると最後の層の $10^{-8}$ になってしまいます。

**He の初期化** (He ら, 2015; `nn.init.kaiming_normal_`) は、ReLU のネットワーク用に分散 $2 / n_\text{in}$ で重みを引きます。
ReLU は入力のおよそ半分をゼロにするので、信号の二乗平均は半分になります。係数 $2$ がそれを元に戻すので、活性は順伝播の間
その大きさを保ち、デルタも逆伝播の間その大きさを保ちます。

## 3. 手書き数字で測る

データは 1,797 枚の手書き数字で、$8 \times 8$ の濃淡画像を平らにした 64 個の特徴量、10 クラスです。"""),
    ("code", r"""digits = data.digits()
train_set, val_set, test_set = data.train_val_test_split(digits, (0.7, 0.15, 0.15), seed=0)
print(len(train_set), "training,", len(val_set), "validation,", len(test_set), "test images")
x_batch, y_batch = next(iter(data.DataLoader(train_set, batch_size=256, shuffle=True, seed=0)))
print("a batch:", x_batch.shape, x_batch.dtype, y_batch.shape, y_batch.dtype)"""),
    ("md", r"""A 10-layer MLP (64 → 64 → … → 64 → 10: nine hidden layers of 64 units, ten `nn.Linear` layers) in three versions:
sigmoid with the default initialisation, ReLU with the default initialisation, and ReLU with He initialisation (zero
biases). For one batch we compute the cross-entropy loss, backpropagate, and read the norm of each layer's weight
gradient $\lVert \partial L / \partial W^{(l)} \rVert$. We also record the spread (standard deviation) of each layer's
activations on the way forward.""",
     r"""10 層の MLP (64 → 64 → … → 64 → 10: 64 ユニットの隠れ層が 9 層、`nn.Linear` 層が 10 層) を 3 種類用意します。
既定の初期化のシグモイド、既定の初期化の ReLU、He の初期化 (バイアスはゼロ) の ReLU です。1 バッチについて交差エントロピー損失を計算し、
逆伝播して、各層の重みの勾配のノルム $\lVert \partial L / \partial W^{(l)} \rVert$ を読み取ります。順伝播の途中で、各層の活性の
広がり (標準偏差) も記録します。"""),
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
network and the ReLU network with He initialisation.""",
     r"""シグモイドのネットワークの第 1 層が受け取る勾配は、最後の層よりおよそ 7 桁も小さく、最初のほうの層はほとんど動きません。
既定の初期化の ReLU は 1 層あたりでは良くなりますが、活性が順伝播の間に縮み、それにつれて勾配も縮みます。He の初期化では、
どちらも最初の層から最後の層まで同じ水準を保ちます。

これが学習にとって何を意味するか: 同じデータ、同じ学習率で、シグモイドのネットワークと He の初期化の ReLU のネットワークを、
ミニバッチ SGD で 10 エポック訓練します。"""),
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
initialisation learns.""",
     r"""シグモイドのネットワークは、当て推量の損失 ($\ln 10 \approx 2.30$、10 クラスから一つ) にとどまったままです。勾配が $10^{-8}$ では
最初の層はほとんど変わらず、後ろの層もそこから渡されるものでは分類できません。He の初期化の ReLU のネットワークは学習します。"""),
    ("md", r"""## 4. Gradient flow during training

One batch is a snapshot. `denpa.train.gradient_flow.GradientFlow` records each layer's gradient norm at *every*
optimizer step, and with `update_ratio=True` also $\lVert \Delta W \rVert / \lVert W \rVert$, how far one step moves the
layer relative to its size. It attaches to the optimizer, so the training loop does not change; `flow.plot()` (or
`flow.history.plot_gradient_flow()`) draws one line per layer on a log scale.

Three 10-layer networks, two epochs each: sigmoid with the default initialisation, ReLU with He initialisation, and
the sigmoid network again with **batch normalisation** (`nn.BatchNorm1d` after each hidden `Linear`). Batch norm
rescales each unit's input to mean 0 and variance 1 over the mini-batch, so the sigmoid works near $z = 0$, where
$\sigma'$ is largest, and the scale of the weights no longer compounds from layer to layer.""",
     r"""## 4. 訓練中の勾配の流れ

1 バッチの結果は一瞬の写真にすぎません。`denpa.train.gradient_flow.GradientFlow` は、オプティマイザの*各*ステップで
各層の勾配ノルムを記録し、`update_ratio=True` なら $\lVert \Delta W \rVert / \lVert W \rVert$ (1 ステップで層が自身の大きさに比べて
どれだけ動くか) も記録します。オプティマイザに取り付けるので、訓練ループは変わりません。`flow.plot()` (または
`flow.history.plot_gradient_flow()`) は層ごとに 1 本の線を対数目盛りで描きます。

10 層のネットワーク三つを、それぞれ 2 エポック訓練します。既定の初期化のシグモイド、He の初期化の ReLU、そして
シグモイドのネットワークに**バッチ正規化** (各隠れ層の `Linear` の後に `nn.BatchNorm1d`) を加えたものです。
バッチ正規化は各ユニットの入力をミニバッチ上で平均 0、分散 1 にそろえるので、シグモイドは $\sigma'$ が最大になる $z = 0$ の
近くで働き、重みの大きさが層から層へ積み重なることもなくなります。"""),
    ("code", r"""from denpa.train.gradient_flow import GradientFlow

def deep_mlp_bn(seed=0):
    # the sigmoid network with batch normalisation between each hidden Linear and its sigmoid
    autograd.manual_seed(seed)
    sizes = [64] + [WIDTH] * (DEPTH - 1) + [10]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < DEPTH - 1:
            layers += [nn.BatchNorm1d(n_out), nn.Sigmoid()]
    return nn.Sequential(*layers)

FLOW_MODELS = {"sigmoid, default init": lambda: deep_mlp(*VARIANTS["sigmoid, default init"]),
               "ReLU, He init": lambda: deep_mlp(*VARIANTS["ReLU, He init"]),
               "sigmoid + batch norm": deep_mlp_bn}
flows = {}
for name, make in FLOW_MODELS.items():
    model = make()
    opt = optim.SGD(model.parameters(), lr=0.02)
    flows[name] = GradientFlow(model, opt, update_ratio=True)   # records at every opt.step()
    loader = data.DataLoader(train_set, batch_size=32, shuffle=True, seed=0)
    for epoch in range(2):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    flows[name].detach()
    first, last = flows[name].layers[0], flows[name].layers[-1]   # both are Linear layers
    h = flows[name].history
    print(f"{name:22} {len(h)} steps; mean |grad| first Linear {np.nanmean(h['grad_norm/' + first]):.1e}, "
          f"last {np.nanmean(h['grad_norm/' + last]):.1e}; validation accuracy {accuracy(model, val_set):.1%}")"""),
    ("code", r"""from IPython.display import display

for name, flow in flows.items():
    fig = flow.plot(title=name)   # flow.history.plot_gradient_flow() draws the same, without layer types
    grads, ratios = fig.axes
    grads.set(xlabel="step", ylabel="gradient norm per layer")
    ratios.set(xlabel="step", ylabel="update ratio per layer")
    for ax in fig.axes:
        ax.legend(fontsize=6, ncol=3)
    fig.set_dpi(72)   # dozens of noisy lines: a lower resolution keeps the notebook file small
    display(fig)"""),
    ("md", r"""In the sigmoid network the ten lines are spread over many orders of magnitude for the whole run, the first layers
at the bottom: their updates are a vanishing fraction of their weights, so they never learn. With ReLU and He
initialisation the lines lie close together. Batch normalisation pulls the sigmoid network's lines together too
(its `BatchNorm1d` layers have their own lines: their scale and shift parameters are learnt as well), and the same
network that could not learn at all now trains.""",
     r"""シグモイドのネットワークでは、10 本の線が訓練の間ずっと何桁にもわたって散らばり、最初の層ほど下にあります。
その更新量は重みに比べてごくわずかで、最初の層はいつまでも学習しません。He の初期化の ReLU では、線が互いに近くにそろいます。
バッチ正規化もシグモイドのネットワークの線を寄せ集め (`BatchNorm1d` 層にも線があります。そのスケールとシフトのパラメータも
学習されるからです)、まったく学習できなかった同じネットワークが訓練できるようになります。"""),
    ("md", r"""### What to take away

* Backpropagation multiplies one factor $f'(z)\,W^\top$ per layer; if those factors are below 1 the gradient vanishes
  exponentially with depth (and above 1 it explodes).
* Sigmoid's $f' \le \tfrac14$ makes vanishing almost certain in deep networks; ReLU's $f' = 1$ on active units does not shrink
  the gradient, and He initialisation keeps the signal's scale from layer to layer.
* Batch normalisation keeps each layer's inputs in the range where the activation's derivative is large (section 4);
  residual connections (notebook 10) give the gradient a path around each layer.""",
     r"""### まとめ

* 誤差逆伝播法は 1 層ごとに因子 $f'(z)\,W^\top$ を一つ掛けます。その因子が 1 より小さければ、勾配は深さとともに指数関数的に
  消失します (1 より大きければ爆発します)。
* シグモイドの $f' \le \tfrac14$ のため、深いネットワークではほぼ確実に勾配消失問題が起こります。ReLU は活性なユニットで $f' = 1$ なので
  勾配を縮めず、He の初期化は信号の大きさを層から層へ保ちます。
* バッチ正規化は、各層の入力を活性化関数の微分が大きい範囲に保ちます (4 節)。残差接続 (ノートブック 10) は、
  勾配に各層を迂回する道を与えます。"""),
]

JA_CODE = {
    'opened from notebooks/ without `pip install -e .`: use the checkout one level up': '`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う',
    'titles and labels may be Japanese: add a font that has kana and kanji': '題名やラベルは日本語のことがある: かなと漢字をもつフォントを加える',
    'sigmoid, default init': 'シグモイド、既定の初期化',
    'ReLU, default init': 'ReLU、既定の初期化',
    'ReLU, He init': 'ReLU、He の初期化',
    'largest derivative': '微分の最大値',
    'first reached at z = ': '最初に達するのは z = ',
    '"zero everywhere"': '"どこでもゼロ"',
    'activation $f(z)$': '活性化関数 f(z)',
    "derivative $f'(z)$ (by autograd)": "微分 f'(z) (autograd による)",
    '"training,"': '"枚が訓練用、"',
    '"validation,"': '"枚が検証用、"',
    '"test images"': '"枚がテスト用"',
    '"a batch:"': '"1 バッチ:"',
    'forward by hand, to look at each activation': '各層の活性を見るため、順伝播を手で行う',
    ' |dL/dW| layer 1: ': ' |dL/dW| 層 1: ',
    '   layer ': '   層 ',
    'ratio ': '比 ',
    'gradient norm per layer (one batch)': '層ごとの勾配ノルム (1 バッチ)',
    '"layer"': '"層"',
    'activation spread per layer (forward)': '層ごとの活性の広がり (順伝播)',
    '"hidden layer"': '"隠れ層"',
    'std of activations': '活性の標準偏差',
    ' training loss ': ' 訓練損失 ',
    'validation accuracy ': '検証正解率 ',
    'chance ($\\\\ln 10$)': '偶然の水準 (ln 10)',
    '-layer MLP on digits, SGD': ' 層の MLP で数字を学習 (SGD)',
    '"epoch"': '"エポック"',
    '"training loss"': '"訓練損失"',
    'the sigmoid network with batch normalisation between each hidden Linear and its sigmoid': 'シグモイドのネットワークの、各隠れ層の Linear とシグモイドの間にバッチ正規化を入れたもの',
    '"sigmoid + batch norm"': '"シグモイド + バッチ正規化"',
    'records at every opt.step()': 'opt.step() のたびに記録する',
    ' steps; mean |grad| first Linear ': ' ステップ; 平均 |grad| 最初の Linear ',
    'last ': '最後 ',
    '"step"': '"ステップ"',
    'gradient norm per layer': '層ごとの勾配ノルム',
    'update ratio per layer': '層ごとの更新比',
    'both are Linear layers': 'どちらも Linear 層',
    'flow.history.plot_gradient_flow() draws the same, without layer types': 'flow.history.plot_gradient_flow() も同じ図を描く (層の種類は表示しない)',
    'dozens of noisy lines: a lower resolution keeps the notebook file small': 'ぶれの多い線が何十本もあるので、解像度を下げてノートブックのファイルを小さく保つ',
}
