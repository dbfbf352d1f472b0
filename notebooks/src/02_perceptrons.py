"""Cells of notebooks/02_perceptrons.ipynb (build with: python notebooks/_build.py 02)."""

CELLS = [
    ("md", r"""# Perceptrons, XOR, and why networks have hidden layers

1. A **perceptron** computes AND with weights we set by hand.
2. The **perceptron learning rule** finds such weights by itself.
3. **XOR** defeats any single perceptron (and any single neuron trained by gradient descent).
4. One **hidden layer** solves XOR, first with hand-set weights, then learned by backpropagation with `nn`.""",
     r"""# パーセプトロン、XOR、そしてネットワークに隠れ層がある理由

1. **パーセプトロン**が、手で決めた重みで AND を計算する。
2. **パーセプトロンの学習則**が、そのような重みを自分で見つける。
3. **XOR** は、どんな単体のパーセプトロンにも (勾配降下法で訓練した単体のニューロンにも) 計算できない。
4. **隠れ層**を一つ加えると XOR が解ける。まず手で決めた重みで、次に `nn` を使い誤差逆伝播法で学習して。"""),
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

autograd.manual_seed(0)
from denpa.fonts import use_japanese_font
use_japanese_font()  # titles and labels may be Japanese: add a font that has kana and kanji
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. A perceptron computes AND

Rosenblatt's perceptron (1958) weighs its inputs, adds them, and fires when the sum passes a threshold $\theta$:

$$y = \mathrm{step}(w_1 x_1 + w_2 x_2 - \theta), \qquad \mathrm{step}(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}$$

With $w_1 = w_2 = 1$ and $\theta = 1.5$ the sum exceeds the threshold only when both inputs are 1: that is AND.
The four inputs are the rows of a $4 \times 2$ matrix, so one matrix product evaluates all of them
(`autograd.step` is the step function). `data.and_gate()` and `data.xor()` hold the four inputs and the targets.""",
     r"""## 1. パーセプトロンで AND を計算する

Rosenblatt のパーセプトロン (1958) は、入力に重みを掛けて足し合わせ、その和がしきい値 $\theta$ を超えると発火します。

$$y = \mathrm{step}(w_1 x_1 + w_2 x_2 - \theta), \qquad \mathrm{step}(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}$$

$w_1 = w_2 = 1$、$\theta = 1.5$ とすると、和がしきい値を超えるのは両方の入力が 1 のときだけです。これが AND です。
4 通りの入力を $4 \times 2$ 行列の各行にすれば、一回の行列積で全部を評価できます (`autograd.step` がステップ関数です)。
`data.and_gate()` と `data.xor()` に、4 通りの入力と目標値が入っています。"""),
    ("code", r"""and_set, xor_set = data.and_gate(), data.xor()
X = and_set.data                    # the four inputs, a 4 x 2 matrix (the same in both sets)
T_AND = and_set.targets.float()     # 0, 0, 0, 1
T_XOR = xor_set.targets.float()     # 0, 1, 1, 0

w = autograd.tensor([1.0, 1.0])
theta = 1.5
y = autograd.step(X @ w - theta)

print(" x1  x2 | w.x - theta | y | AND")
for xi, zi, yi, ti in zip(X.numpy(), (X @ w - theta).numpy(), y.numpy(), T_AND.numpy()):
    print(f"{xi[0]:3.0f} {xi[1]:3.0f} | {zi:11.1f} | {yi:.0f} | {ti:.0f}")
assert (y.numpy() == T_AND.numpy()).all()"""),
    ("md", r"""Geometrically, the perceptron splits the plane along the line $w_1 x_1 + w_2 x_2 = \theta$: it answers 1 on one side,
0 on the other. A helper draws that split (the shaded region is where the model answers 1) for any model we
pass it as a function from points to outputs:""",
     r"""幾何的には、パーセプトロンは直線 $w_1 x_1 + w_2 x_2 = \theta$ で平面を二つに分け、片側では 1、反対側では 0 と答えます。
この分け方を描く補助関数を用意します (色の付いた領域がモデルが 1 と答える所です)。モデルは、点を出力に写す関数として渡します。"""),
    ("code", r"""GRID = np.linspace(-0.5, 1.5, 201)
G1, G2 = np.meshgrid(GRID, GRID)
POINTS = autograd.tensor(np.stack([G1.ravel(), G2.ravel()], axis=1).astype("float32"))

def plot_regions(ax, predict, targets, title, X=X):
    # predict: (N, 2) tensor -> (N,) outputs in [0, 1]; shades the region where the output is > 0.5
    out = predict(POINTS).detach().numpy().reshape(G1.shape)
    ax.contourf(G1, G2, out, levels=[-0.01, 0.5, 1.01], colors=["#f4f4f4", "#cfe3f7"])
    ax.contour(G1, G2, out, levels=[0.5], colors="#1f77b4", linewidths=1.5)
    pts, t = X.numpy(), targets.numpy()
    ax.scatter(pts[t == 1, 0], pts[t == 1, 1], s=120, c="#1f77b4", edgecolors="k", label="target 1")
    ax.scatter(pts[t == 0, 0], pts[t == 0, 1], s=120, c="white", edgecolors="k", label="target 0")
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")

fig, ax = plt.subplots(figsize=(4, 4))
plot_regions(ax, lambda P: autograd.step(P @ w - theta), T_AND, "AND: $x_1 + x_2 > 1.5$")
ax.legend(loc="upper left", fontsize=8)
plt.show()"""),
    ("md", r"""## 2. The perceptron learning rule

Writing the threshold as a bias, $b = -\theta$, the perceptron is $y = \mathrm{step}(w \cdot x + b)$. To *learn* $w$ and $b$,
show it the examples one at a time; after each, with the error $e = t - y \in \{-1, 0, 1\}$ and a learning rate $\eta$,

$$w \leftarrow w + \eta\, e\, x, \qquad b \leftarrow b + \eta\, e .$$

A right answer changes nothing. A wrong one moves the line toward the misclassified point's side. The step has
no useful derivative (it is 0 wherever it is defined), so this rule is not gradient descent; but the
*perceptron convergence theorem* guarantees that, when some line separates the two classes, it stops
making mistakes after finitely many updates.""",
     r"""## 2. パーセプトロンの学習則

しきい値をバイアス $b = -\theta$ として書くと、パーセプトロンは $y = \mathrm{step}(w \cdot x + b)$ です。$w$ と $b$ を*学習*するには、
例を一つずつ見せます。各例の後で、誤差 $e = t - y \in \{-1, 0, 1\}$ と学習率 $\eta$ を使って

$$w \leftarrow w + \eta\, e\, x, \qquad b \leftarrow b + \eta\, e$$

と更新します。正解なら何も変わりません。間違えると、直線が誤分類した点の側へ動きます。ステップ関数には役に立つ微分が
ない (定義されている所ではどこでも 0) ので、この規則は勾配降下法ではありません。それでも*パーセプトロンの収束定理*により、
二つのクラスを分ける直線が存在するなら、有限回の更新の後には間違えなくなることが保証されています。"""),
    ("code", r"""def train_perceptron(X, T, eta=0.1, epochs=20):
    w, b = autograd.zeros(2), autograd.zeros(())
    mistakes = []
    for epoch in range(epochs):
        wrong = 0
        for x, t in zip(X, T):
            e = t - autograd.step(x @ w + b)
            if e.item() != 0:
                wrong += 1
                w = w + eta * e * x
                b = b + eta * e
        mistakes.append(wrong)
    return w, b, mistakes

w_and, b_and, mistakes_and = train_perceptron(X, T_AND)
print("mistakes per epoch:", mistakes_and)
print("learned w =", w_and.numpy().round(2), " b =", round(b_and.item(), 2))
print("outputs:", autograd.step(X @ w_and + b_and).numpy(), " targets:", T_AND.numpy())"""),
    ("md", r"""It settles after a few epochs on a line of its own (any line that separates the points will do).

## 3. XOR: no single line works

XOR is 1 when exactly one input is 1. Suppose a perceptron computed it. Then

$$(0,0) \mapsto 0:\ b \le 0, \qquad (1,0) \mapsto 1:\ w_1 + b > 0, \qquad (0,1) \mapsto 1:\ w_2 + b > 0, \qquad (1,1) \mapsto 0:\ w_1 + w_2 + b \le 0 .$$

Adding the middle two gives $w_1 + w_2 + 2b > 0$, so $w_1 + w_2 + b > -b \ge 0$, contradicting the last one.
No weights exist, and the learning rule, which only ever moves a line, cycles forever:""",
     r"""数エポックで、自分なりの直線に落ち着きます (点を分ける直線ならどれでも構いません)。

## 3. XOR: どんな直線でもうまくいかない

XOR は、ちょうど一方の入力だけが 1 のときに 1 になります。パーセプトロンがこれを計算できたとすると

$$(0,0) \mapsto 0:\ b \le 0, \qquad (1,0) \mapsto 1:\ w_1 + b > 0, \qquad (0,1) \mapsto 1:\ w_2 + b > 0, \qquad (1,1) \mapsto 0:\ w_1 + w_2 + b \le 0$$

です。真ん中の二つを足すと $w_1 + w_2 + 2b > 0$、よって $w_1 + w_2 + b > -b \ge 0$ となり、最後の式と矛盾します。
そのような重みは存在せず、直線を動かすことしかできない学習則は永久に同じ所を回り続けます。"""),
    ("code", r"""w_xor, b_xor, mistakes_xor = train_perceptron(X, T_XOR, epochs=30)
print("XOR mistakes per epoch:", mistakes_xor)

fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
axes[0].plot(range(1, 21), mistakes_and, "o-", label="AND")
axes[0].plot(range(1, 31), mistakes_xor, "s-", label="XOR")
axes[0].set(title="perceptron rule: mistakes per epoch", xlabel="epoch", ylabel="mistakes (of 4)")
axes[0].legend()
plot_regions(axes[1], lambda P: autograd.step(P @ w_and + b_and), T_AND, "learned AND")
plot_regions(axes[2], lambda P: autograd.step(P @ w_xor + b_xor), T_XOR, "XOR after 30 epochs")
plt.tight_layout()
plt.show()"""),
    ("md", r"""Swapping the step for a sigmoid and using gradient descent does not help: a single neuron
$\sigma(w \cdot x + b)$ still draws one straight line. Trained on XOR with the binary cross-entropy, the best it can do is
to answer $0.5$ everywhere, a loss of $\ln 2 \approx 0.693$:""",
     r"""ステップ関数をシグモイドに替えて勾配降下法を使っても解決しません。単体のニューロン $\sigma(w \cdot x + b)$ が引けるのは、
やはり一本の直線だけです。二値交差エントロピーで XOR を訓練すると、できる最善はどこでも $0.5$ と答えることで、
損失は $\ln 2 \approx 0.693$ になります。"""),
    ("code", r"""neuron = nn.Linear(2, 1)
opt = optim.SGD(neuron.parameters(), lr=1.0)
for step in range(500):
    loss = nn.functional.binary_cross_entropy_with_logits(neuron(X).squeeze(1), T_XOR)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"single neuron on XOR: loss {loss.item():.4f} (ln 2 = {np.log(2):.4f})")
print("outputs:", neuron(X).sigmoid().squeeze(1).detach().numpy().round(3))"""),
    ("md", r"""## 4. A hidden layer solves XOR

XOR is "OR, but not AND". Two hidden perceptrons compute OR and AND, and an output perceptron combines them:

$$h_1 = \mathrm{step}(x_1 + x_2 - 0.5)\ \ (\text{OR}), \qquad h_2 = \mathrm{step}(x_1 + x_2 - 1.5)\ \ (\text{AND}), \qquad y = \mathrm{step}(h_1 - h_2 - 0.5) .$$

The hidden layer maps the four inputs to new points $(h_1, h_2)$, and there the two classes *are* separated by a line.""",
     r"""## 4. 隠れ層が XOR を解く

XOR は「OR であって AND でない」です。二つの隠れパーセプトロンが OR と AND を計算し、出力のパーセプトロンがそれを組み合わせます。

$$h_1 = \mathrm{step}(x_1 + x_2 - 0.5)\ \ (\text{OR}), \qquad h_2 = \mathrm{step}(x_1 + x_2 - 1.5)\ \ (\text{AND}), \qquad y = \mathrm{step}(h_1 - h_2 - 0.5)$$

隠れ層は 4 通りの入力を新しい点 $(h_1, h_2)$ に写し、そこでは二つのクラスが直線で*分けられます*。"""),
    ("code", r"""W_h = autograd.tensor([[1.0, 1.0], [1.0, 1.0]])   # rows: the OR unit, the AND unit
b_h = autograd.tensor([-0.5, -1.5])
w_o = autograd.tensor([1.0, -1.0])
b_o = -0.5

def xor_net(P):
    H = autograd.step(P @ W_h.T + b_h)
    return autograd.step(H @ w_o + b_o)

H = autograd.step(X @ W_h.T + b_h)
print(" x1  x2 | h1 (OR)  h2 (AND) | y | XOR")
for xi, hi, yi, ti in zip(X.numpy(), H.numpy(), xor_net(X).numpy(), T_XOR.numpy()):
    print(f"{xi[0]:3.0f} {xi[1]:3.0f} | {hi[0]:7.0f} {hi[1]:9.0f} | {yi:.0f} | {ti:.0f}")
assert (xor_net(X).numpy() == T_XOR.numpy()).all()

fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
plot_regions(axes[0], xor_net, T_XOR, "input space: two lines")
plot_regions(axes[1], lambda P: autograd.step(P @ w_o + b_o), T_XOR, "hidden space $(h_1, h_2)$: one line", X=H)
axes[1].set(xlabel="$h_1$ (OR)", ylabel="$h_2$ (AND)")
plt.tight_layout()
plt.show()"""),
    ("md", r"""### Learning the hidden layer

Nobody tells the hidden units what to compute, so the perceptron rule (which needs each unit's error) cannot train
them. Backpropagation can, but only through an activation with a useful derivative: the step's gradient is zero
everywhere, so no error signal would reach the first layer:""",
     r"""### 隠れ層を学習する

隠れユニットが何を計算すべきかは誰も教えてくれないので、各ユニットの誤差を必要とするパーセプトロンの学習則では
訓練できません。誤差逆伝播法なら訓練できますが、それは役に立つ微分をもつ活性化関数を通してだけです。
ステップ関数の勾配はどこでもゼロなので、誤差の信号は第 1 層に届きません。"""),
    ("code", r"""z = autograd.tensor([-1.0, 0.5, 2.0], requires_grad=True)
autograd.step(z).sum().backward()
print("d step(z) / dz =", z.grad.numpy())"""),
    ("md", r"""So we use a smooth activation, $\tanh$, and a 2-4-1 network (`nn.Sequential` of `nn.Linear` layers), trained by
full-batch gradient descent with Adam on the binary cross-entropy of the output logit $z$,

$$L = -\frac14 \sum_{k=1}^{4} \big[t_k \log \sigma(z_k) + (1 - t_k) \log (1 - \sigma(z_k))\big],$$

which `nn.functional.binary_cross_entropy_with_logits` computes from $z$ directly (stable for large $|z|$).""",
     r"""そこで滑らかな活性化関数 $\tanh$ と 2-4-1 のネットワーク (`nn.Linear` 層の `nn.Sequential`) を使い、出力ロジット $z$ の
二値交差エントロピー

$$L = -\frac14 \sum_{k=1}^{4} \big[t_k \log \sigma(z_k) + (1 - t_k) \log (1 - \sigma(z_k))\big]$$

を、Adam によるフルバッチの勾配降下法で最小化します。`nn.functional.binary_cross_entropy_with_logits` はこれを $z$ から
直接計算します ($|z|$ が大きくても数値的に安定です)。"""),
    ("code", r"""autograd.manual_seed(0)
mlp = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
opt = optim.Adam(mlp.parameters(), lr=0.05)
losses = []
for step in range(400):
    loss = nn.functional.binary_cross_entropy_with_logits(mlp(X).squeeze(1), T_XOR)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())

probs = mlp(X).sigmoid().squeeze(1).detach().numpy()
print(f"loss: {losses[0]:.4f} -> {losses[-1]:.4f}")
print("outputs:", probs.round(3), " targets:", T_XOR.numpy())
assert ((probs > 0.5) == (T_XOR.numpy() == 1)).all()

fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
axes[0].plot(losses)
axes[0].axhline(np.log(2), ls="--", c="gray", label="single neuron's best ($\\ln 2$)")
axes[0].set(title="2-4-1 MLP on XOR", xlabel="step", ylabel="loss", yscale="log")
axes[0].legend()
plot_regions(axes[1], lambda P: mlp(P).sigmoid().squeeze(1), T_XOR, "learned regions")
plt.tight_layout()
plt.show()"""),
    ("md", r"""### What to take away

* A perceptron (or any single neuron) draws one straight line, so it can learn AND but not XOR.
* A hidden layer re-maps the inputs until a line suffices; stacking layers is what makes networks expressive.
* The step function has no gradient, so training hidden layers needs a smooth activation and backpropagation:
  the next notebook looks at activation functions, and at what their derivatives do to gradients in deep networks.""",
     r"""### まとめ

* パーセプトロン (あるいは単体のニューロン) が引けるのは一本の直線だけなので、AND は学習できても XOR は学習できません。
* 隠れ層は入力を写し直し、直線で足りるようにします。層を重ねることが、ネットワークの表現力の源です。
* ステップ関数には勾配がないので、隠れ層の訓練には滑らかな活性化関数と誤差逆伝播法が必要です。
  次のノートブックでは活性化関数と、その微分が深いネットワークの勾配に何をもたらすかを見ます。"""),
]

JA_CODE = {
    'opened from notebooks/ without `pip install -e .`: use the checkout one level up': '`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う',
    'titles and labels may be Japanese: add a font that has kana and kanji': '題名やラベルは日本語のことがある: かなと漢字をもつフォントを加える',
    'the four inputs, a 4 x 2 matrix (the same in both sets)': '4 通りの入力、4 x 2 行列 (どちらのデータでも同じ)',
    'predict: (N, 2) tensor -> (N,) outputs in [0, 1]; shades the region where the output is > 0.5': 'predict: (N, 2) のテンソル -> [0, 1] の (N,) 個の出力。出力が 0.5 を超える領域に色を付ける',
    '"target 1"': '"目標値 1"',
    '"target 0"': '"目標値 0"',
    '"mistakes per epoch:"': '"エポックごとの誤り数:"',
    '"learned w ="': '"学習した w ="',
    '"outputs:"': '"出力:"',
    '" targets:"': '" 目標値:"',
    '"XOR mistakes per epoch:"': '"XOR のエポックごとの誤り数:"',
    'perceptron rule: mistakes per epoch': 'パーセプトロンの学習則: エポックごとの誤り数',
    '"epoch"': '"エポック"',
    'mistakes (of 4)': '誤り数 (4 個中)',
    'learned AND': '学習した AND',
    'XOR after 30 epochs': '30 エポック後の XOR',
    'single neuron on XOR: loss ': '単体のニューロンで XOR: 損失 ',
    'rows: the OR unit, the AND unit': '各行: OR のユニット、AND のユニット',
    'input space: two lines': '入力空間: 2 本の直線',
    'hidden space $(h_1, h_2)$: one line': '隠れ層の空間 (h₁, h₂): 1 本の直線',
    '"loss: ': '"損失: ',
    "single neuron's best ($\\\\ln 2$)": '単体のニューロンの最善 (ln 2)',
    '"step"': '"ステップ"',
    '"loss"': '"損失"',
    'learned regions': '学習した領域',
    '2-4-1 MLP on XOR': 'XOR を学習する 2-4-1 MLP',
}
