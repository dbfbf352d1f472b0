"""Cells of notebooks/05_optimizers.ipynb (build with: python notebooks/_build.py 05)."""

CELLS = [
    ("md", r"""# Optimizers: SGD, momentum, AdaGrad, RMSprop, Adam

Backpropagation gives the gradient; the optimizer decides what step to take with it. Five classic rules, all in `optim`
with PyTorch's names, arguments and update formulas:

1. their **update rules**, side by side;
2. their **paths on a 2-D loss surface** (the Rosenbrock valley), where every step can be drawn;
3. their **training curves** on handwritten digits, same network, same initial weights, same batches.""",
     r"""# オプティマイザ: SGD、モーメンタム、AdaGrad、RMSprop、Adam

誤差逆伝播法が勾配を与え、オプティマイザがそれを使ってどう一歩進むかを決めます。代表的な五つの規則が、PyTorch と同じ名前、
引数、更新式で `optim` に入っています。

1. それぞれの**更新規則**を並べて比べる。
2. 一歩一歩を描ける **2 次元の損失曲面** (Rosenbrock の谷) の上での**経路**。
3. 手書き数字での**学習曲線**。同じネットワーク、同じ初期重み、同じバッチで比べる。"""),
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

F = nn.functional
from denpa.fonts import use_japanese_font
use_japanese_font()  # titles and labels may be Japanese: add a font that has kana and kanji
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. The update rules

For a parameter $\theta$ with gradient $g_t$ at step $t$ and learning rate $\eta$ (all operations elementwise; $\varepsilon$ is a
small constant that avoids division by zero):

| optimizer | state | step |
| --- | --- | --- |
| SGD | none | $\theta \leftarrow \theta - \eta\, g_t$ |
| SGD with momentum $\mu$ | velocity $v$ | $v \leftarrow \mu v + g_t, \quad \theta \leftarrow \theta - \eta\, v$ |
| AdaGrad | sum of squares $s$ | $s \leftarrow s + g_t^2, \quad \theta \leftarrow \theta - \eta\, g_t / (\sqrt{s} + \varepsilon)$ |
| RMSprop | running mean of squares $s$ | $s \leftarrow \alpha s + (1 - \alpha)\, g_t^2, \quad \theta \leftarrow \theta - \eta\, g_t / (\sqrt{s} + \varepsilon)$ |
| Adam | both moments $m, v$ | $m \leftarrow \beta_1 m + (1 - \beta_1) g_t, \quad v \leftarrow \beta_2 v + (1 - \beta_2) g_t^2,$ |
| | | $\hat m = m / (1 - \beta_1^t), \quad \hat v = v / (1 - \beta_2^t), \quad \theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)$ |

* **Momentum** accumulates a velocity: steps that agree add up (speed along a long valley), steps that alternate cancel
  (less zig-zag across it).
* **AdaGrad** divides each coordinate by the root of its summed squared gradients: coordinates with large gradients get
  smaller steps. The sum only grows, so its steps shrink for ever.
* **RMSprop** uses a running average instead of the sum, so the step size adapts without dying out.
* **Adam** is momentum and RMSprop together, with a bias correction for the zero-initialised averages in early steps.
  Its step in each coordinate is about $\eta$ in size, whatever the scale of the gradient.

Each is used the same way: `opt = optim.Adam(params, lr=...)`, then per step `opt.zero_grad()`, `loss.backward()`, `opt.step()`.

## 2. Paths on the Rosenbrock valley

$$f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2$$

has its minimum $f = 0$ at $(1, 1)$, at the end of a long, curved, flat-bottomed valley with steep walls: the gradient
across the valley is huge and along it tiny, a small version of what makes training networks hard. Each optimizer starts
at $(-1.5, 2)$ and takes 600 steps on a single parameter tensor of two numbers. SGD and momentum share a learning rate, so
their difference is momentum alone; the adaptive methods' learning rates (roughly step sizes, for them) were picked by hand.""",
     r"""## 1. 更新規則

ステップ $t$ での勾配が $g_t$ のパラメータ $\theta$ と学習率 $\eta$ について (演算はすべて要素ごと、$\varepsilon$ はゼロ除算を避ける小さな定数):

| オプティマイザ | 状態 | 一歩 |
| --- | --- | --- |
| SGD | なし | $\theta \leftarrow \theta - \eta\, g_t$ |
| モーメンタム $\mu$ 付き SGD | 速度 $v$ | $v \leftarrow \mu v + g_t, \quad \theta \leftarrow \theta - \eta\, v$ |
| AdaGrad | 二乗和 $s$ | $s \leftarrow s + g_t^2, \quad \theta \leftarrow \theta - \eta\, g_t / (\sqrt{s} + \varepsilon)$ |
| RMSprop | 二乗の移動平均 $s$ | $s \leftarrow \alpha s + (1 - \alpha)\, g_t^2, \quad \theta \leftarrow \theta - \eta\, g_t / (\sqrt{s} + \varepsilon)$ |
| Adam | 両方のモーメント $m, v$ | $m \leftarrow \beta_1 m + (1 - \beta_1) g_t, \quad v \leftarrow \beta_2 v + (1 - \beta_2) g_t^2,$ |
| | | $\hat m = m / (1 - \beta_1^t), \quad \hat v = v / (1 - \beta_2^t), \quad \theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)$ |

* **モーメンタム**は速度をため込みます。向きのそろった歩みは足し合わされ (長い谷に沿って加速し)、向きが交互に変わる歩みは打ち消し合います
  (谷を横切るジグザグが減ります)。
* **AdaGrad** は各座標を、その勾配の二乗和の平方根で割ります。勾配の大きい座標ほど歩幅が小さくなります。和は増える一方なので、
  歩幅はいつまでも縮み続けます。
* **RMSprop** は和の代わりに移動平均を使うので、歩幅は適応しつつ消えてしまいません。
* **Adam** はモーメンタムと RMSprop を合わせたもので、ゼロで初期化した平均が最初のうち小さすぎることをバイアス補正で直します。
  各座標での歩幅は、勾配の大きさによらずおよそ $\eta$ です。

使い方はどれも同じです。`opt = optim.Adam(params, lr=...)` とし、各ステップで `opt.zero_grad()`、`loss.backward()`、`opt.step()` を呼びます。

## 2. Rosenbrock の谷の上の経路

$$f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2$$

は $(1, 1)$ で最小値 $f = 0$ をとります。そこは、壁が急で底の平らな、長く曲がった谷の終点です。谷を横切る方向の勾配は巨大で、
谷に沿う方向の勾配はごく小さい。ネットワークの訓練を難しくしているものの小さな見本です。各オプティマイザは $(-1.5, 2)$ から出発し、
2 個の数からなる一つのパラメータテンソルについて 600 ステップ進みます。SGD とモーメンタムは学習率が同じなので、違いはモーメンタムだけです。
適応的な手法の学習率 (これらにとってはおよそ歩幅) は手で選びました。"""),
    ("code", r"""def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2

OPTIMIZERS = {  # name: (class, keyword arguments) for the 2-D problem
    "SGD": (optim.SGD, dict(lr=1e-3)),
    "momentum": (optim.SGD, dict(lr=1e-3, momentum=0.9)),
    "AdaGrad": (optim.Adagrad, dict(lr=1.0)),
    "RMSprop": (optim.RMSprop, dict(lr=0.01)),
    "Adam": (optim.Adam, dict(lr=0.1)),
}
START, STEPS = (-1.5, 2.0), 600

paths, values = {}, {}
for name, (cls, kw) in OPTIMIZERS.items():
    p = autograd.tensor(START, dtype=autograd.float64, requires_grad=True)
    opt = cls([p], **kw)
    path, vals = [p.detach().numpy().copy()], []
    for step in range(STEPS):
        loss = rosenbrock(p)
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(p.detach().numpy().copy())
        vals.append(loss.item())
    paths[name], values[name] = np.array(path), np.array(vals)
    print(f"{name:9} {kw}: after {STEPS} steps at ({path[-1][0]:+.3f}, {path[-1][1]:+.3f}), f = {vals[-1]:.2e}")"""),
    ("code", r"""xs, ys = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
fs = (1 - xs) ** 2 + 100 * (ys - xs ** 2) ** 2

fig, axes = plt.subplots(2, 3, figsize=(14, 8.5))
for ax, (name, path) in zip(axes.flat, paths.items()):
    ax.contourf(xs, ys, np.log10(fs + 1e-3), levels=20, cmap="Blues_r")
    ax.plot(path[:, 0], path[:, 1], ".-", c="orange", ms=3, lw=1)
    ax.plot(*START, "ko")
    ax.plot(1, 1, "r*", ms=14)
    ax.set(title=f"{name}, lr = {OPTIMIZERS[name][1]['lr']}", xlim=(-2, 2), ylim=(-1, 3))
ax = axes.flat[-1]
for name, vals in values.items():
    ax.semilogy(vals, label=name)
ax.set(title="$f$ per step", xlabel="step")
ax.legend()
plt.tight_layout()
plt.show()"""),
    ("md", r"""Plain SGD's learning rate is capped by the steep walls (there the gradient is large, and a step $\eta\,g$ overshoots), so along
the flat floor, where the gradient is small, it crawls. With the *same* learning rate, momentum builds up speed along the valley
and reaches the minimum (the zig-zag at the start is its velocity overshooting across the valley). AdaGrad's first steps are
large (each coordinate moves by about $\eta$), then its sums of squares only grow, its steps shrink, and it stalls halfway.
RMSprop forgets old gradients and keeps moving. Adam's steps are about $\eta$ in each coordinate whatever the size of the
gradient, so it walks down the flat valley floor at a steady pace.

## 3. Training curves on digits

Now a real network: an MLP 64-128-10 with ReLU on the digits, trained for 15 epochs with mini-batches of 32. Every optimizer
starts from the same initial weights and sees the same batches in the same order; each has a learning rate that suits it
(for RMSprop and Adam, their usual default of $10^{-3}$).""",
     r"""ふつうの SGD の学習率は急な壁によって上限が決まります (そこでは勾配が大きく、一歩 $\eta\,g$ が行き過ぎる) ので、勾配の小さい平らな谷底では
這うようにしか進みません。*同じ*学習率でも、モーメンタムは谷に沿って加速し、最小点に到達します (最初のジグザグは、速度が谷を横切って
行き過ぎたものです)。AdaGrad の最初の歩みは大きい (各座標がおよそ $\eta$ ずつ動く) のですが、その後は二乗和が増える一方で歩幅が縮み、
途中で止まってしまいます。RMSprop は古い勾配を忘れるので進み続けます。Adam の歩幅は勾配の大きさによらず各座標でおよそ $\eta$ なので、
平らな谷底を一定の速さで下っていきます。

## 3. 手書き数字での学習曲線

次は実際のネットワークです。ReLU の MLP 64-128-10 を数字について、32 個のミニバッチで 15 エポック訓練します。どのオプティマイザも
同じ初期重みから出発し、同じバッチを同じ順に見ます。学習率はそれぞれに合ったものにします (RMSprop と Adam はふつうの既定値 $10^{-3}$)。"""),
    ("code", r"""digits = data.digits()
train_set, val_set, test_set = data.train_val_test_split(digits, (0.7, 0.15, 0.15), seed=0)
X_val, y_val = next(iter(data.DataLoader(val_set, batch_size=len(val_set))))

DIGIT_OPTIMIZERS = {
    "SGD": (optim.SGD, dict(lr=0.1)),
    "momentum": (optim.SGD, dict(lr=0.05, momentum=0.9)),
    "AdaGrad": (optim.Adagrad, dict(lr=0.05)),
    "RMSprop": (optim.RMSprop, dict(lr=1e-3)),
    "Adam": (optim.Adam, dict(lr=1e-3)),
}
EPOCHS = 15

def run(cls, kw):
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = cls(model.parameters(), **kw)
    loader = data.DataLoader(train_set, batch_size=32, shuffle=True, seed=0)
    train_loss, val_acc = [], []
    for epoch in range(EPOCHS):
        total = 0.0
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        train_loss.append(total / len(train_set))
        with autograd.no_grad():
            val_acc.append((model(X_val).argmax(1) == y_val).float().mean().item())
    return train_loss, val_acc

curves = {name: run(cls, kw) for name, (cls, kw) in DIGIT_OPTIMIZERS.items()}
for name, (loss, acc) in curves.items():
    print(f"{name:9} {DIGIT_OPTIMIZERS[name][1]}: training loss after 1 epoch {loss[0]:.3f}, "
          f"after {EPOCHS} epochs {loss[-1]:.4f}; validation accuracy {acc[-1]:.1%}")

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for name, (loss, acc) in curves.items():
    axes[0].semilogy(range(1, EPOCHS + 1), loss, "o-", ms=3, label=name)
    axes[1].plot(range(1, EPOCHS + 1), acc, "o-", ms=3, label=name)
axes[0].set(title="training loss", xlabel="epoch")
axes[1].set(title="validation accuracy", xlabel="epoch", ylim=(0.8, 1.0))
axes[0].legend()
plt.tight_layout()
plt.show()"""),
    ("md", r"""On this small, well-scaled problem every optimizer reaches 96-98 % validation accuracy in 15 epochs; they differ in
how fast the training loss falls. Momentum and AdaGrad pull ahead of plain SGD from the first epoch; RMSprop and Adam, at
their usual default learning rate of $10^{-3}$, end a little ahead of it. This does not rank the optimizers in general: each
result depends on the learning rate, and on another problem the order changes. Adam is the usual first choice because its
default learning rate works reasonably across many problems without tuning; SGD with momentum, tuned, is a strong baseline.

### What to take away

* All five use the same gradient; they differ in what they remember (a velocity, squared gradients, or both) and how they
  scale the step by it.
* Momentum helps along long valleys; per-coordinate scaling (AdaGrad, RMSprop, Adam) helps when gradients differ in scale
  across parameters.
* Learning rates are not comparable across optimizers: Adam's $\eta$ is roughly a step size, SGD's multiplies the gradient.""",
     r"""この小さくてスケールのそろった問題では、どのオプティマイザも 15 エポックで検証正解率 96-98 % に達します。違うのは訓練損失の下がる速さです。
モーメンタムと AdaGrad は最初のエポックからふつうの SGD より先に進み、RMSprop と Adam はふつうの既定の学習率 $10^{-3}$ で、
最後には SGD より少し先に出ます。これは一般的なオプティマイザの順位ではありません。結果はどれも学習率次第で、別の問題では順序が変わります。
Adam がまず最初に選ばれるのは、既定の学習率が調整なしでも多くの問題でそこそこうまく働くからです。よく調整したモーメンタム付き SGD は
強力な比較の基準です。

### まとめ

* 五つとも同じ勾配を使います。違うのは何を覚えておくか (速度、勾配の二乗、またはその両方) と、それで歩幅をどう調整するかです。
* モーメンタムは長い谷で役立ちます。座標ごとの調整 (AdaGrad、RMSprop、Adam) は、パラメータによって勾配の大きさが違うときに役立ちます。
* 学習率はオプティマイザの間で比べられません。Adam の $\eta$ はおよそ歩幅ですが、SGD の $\eta$ は勾配に掛ける数です。"""),
]

JA_CODE = {
    'opened from notebooks/ without `pip install -e .`: use the checkout one level up': '`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う',
    'titles and labels may be Japanese: add a font that has kana and kanji': '題名やラベルは日本語のことがある: かなと漢字をもつフォントを加える',
    'name: (class, keyword arguments) for the 2-D problem': '名前: (クラス, キーワード引数)。2 次元の問題用',
    '"momentum"': '"モーメンタム"',
    ': after ': ': ',
    ' steps at (': ' ステップ後の位置 (',
    '$f$ per step': 'ステップごとの f',
    '"step"': '"ステップ"',
    ': training loss after 1 epoch ': ': 1 エポック後の訓練損失 ',
    'after ': '',
    ' epochs ': ' エポック後 ',
    '; validation accuracy ': '; 検証正解率 ',
    '"training loss"': '"訓練損失"',
    '"validation accuracy"': '"検証正解率"',
    '"epoch"': '"エポック"',
}
