"""Cells of notebooks/01_backprop_by_hand.ipynb (build with: python notebooks/_build.py 01)."""

CELLS = [
    ("md", r"""# Backpropagation by hand, then by `autograd`

A network with two inputs, two hidden neurons and one output (a *2-2-1* network), built from
`autograd.Scalar`s so that every number is visible. We

1. run it forward on one example,
2. derive the **delta rule**, the recursion that carries the error back one layer at a time,
3. compute every gradient by hand with it and compare with what `backward()` gives (and with finite differences),
4. write the same rule with matrices and compare with `autograd.Tensor`,
5. draw the graph with each value and gradient on it, and watch the backward pass step by step,
6. take a few steps of gradient descent.

Nothing to install but denpa itself (and Graphviz's `dot` for the drawing).""",
     r"""# 誤差逆伝播法を手で計算し、次に `autograd` で確かめる

入力 2 個、隠れニューロン 2 個、出力 1 個のネットワーク (*2-2-1* ネットワーク) を、すべての数値が見えるように
`autograd.Scalar` で組み立てます。次の順に進めます。

1. 一つの例について順伝播を計算する。
2. 誤差を 1 層ずつ後ろへ送る漸化式、**デルタ則**を導く。
3. デルタ則ですべての勾配を手計算し、`backward()` の結果 (および数値微分) と比べる。
4. 同じ規則を行列で書き、`autograd.Tensor` と比べる。
5. 値と勾配を書き込んだ計算グラフを描き、逆伝播を 1 ステップずつ見る。
6. 勾配降下法を数ステップ実行する。

denpa 本体のほかに必要なものはありません (グラフの描画には Graphviz の `dot` を使います)。"""),
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
plain numbers: we will not change them.""",
     r"""## 1. ネットワークと順伝播

第 $l$ 層は、一つ前の層の活性 $a^{(l-1)}$ ($a^{(0)} = x$ は入力) を受け取って次を計算します。

$$z^{(l)}_j = \sum_k w^{(l)}_{jk}\, a^{(l-1)}_k + b^{(l)}_j, \qquad a^{(l)}_j = \sigma\big(z^{(l)}_j\big), \qquad \sigma(z) = \frac{1}{1 + e^{-z}}$$

$w^{(l)}_{jk}$ は第 $l-1$ 層のニューロン $k$ から第 $l$ 層のニューロン $j$ への重みです。このネットワークは
第 $l = 1$ 層 (隠れニューロン 2 個) と第 $l = 2$ 層 (出力ニューロン 1 個、$\hat y = a^{(2)}_1$) からなり、パラメータは全部で
9 個です。目標値 $t$ に対する損失は二乗誤差

$$L = \tfrac12\, (\hat y - t)^2$$

とします。各パラメータは名前付きの `Scalar` です (後の描画でこの名前を使います)。入力と目標値はふつうの数で、
これらは変えません。"""),
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

Now the same by hand, in plain floats (only the forward values are read from the Scalars):""",
     r"""## 2. デルタ則

ニューロンの**デルタ**を、損失のそのニューロンの重み付き入力についての微分と定義します。

$$\delta^{(l)}_j = \frac{\partial L}{\partial z^{(l)}_j}$$

**出力層.** $L$ は $\hat y = \sigma(z^{(2)}_1)$ を通して $z^{(2)}_1$ に依存し、$\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$ なので

$$\delta^{(2)}_1 = \frac{\partial L}{\partial \hat y}\,\sigma'\big(z^{(2)}_1\big) = (\hat y - t)\; a^{(2)}_1 \big(1 - a^{(2)}_1\big)$$

です。

**1 層さかのぼる.** $z^{(l)}_k$ は $a^{(l)}_k$ を通してのみ損失に影響し、$a^{(l)}_k$ は重み $w^{(l+1)}_{jk}$ で第 $l+1$ 層の
すべてのニューロン $j$ に入力されます。連鎖律はこれらの経路を足し合わせます。

$$\boxed{\;\delta^{(l)}_k = \sigma'\big(z^{(l)}_k\big) \sum_j w^{(l+1)}_{jk}\, \delta^{(l+1)}_j\;}$$

第 $l$ 層のデルタは、第 $l+1$ 層のデルタを同じ重みに沿って送り返し、活性化関数の微分を掛けたものです。
より深いネットワークでは、この一歩が層から層へと繰り返されます。

**パラメータの勾配.** $\partial z^{(l)}_j / \partial w^{(l)}_{jk} = a^{(l-1)}_k$、$\partial z^{(l)}_j / \partial b^{(l)}_j = 1$ より

$$\frac{\partial L}{\partial w^{(l)}_{jk}} = \delta^{(l)}_j\, a^{(l-1)}_k, \qquad \frac{\partial L}{\partial b^{(l)}_j} = \delta^{(l)}_j$$

です。重みの勾配は、*その重みが入力するニューロンのデルタと、その重みが運ぶ活性の積* です。
一度の逆向きの走査ですべてのデルタが一回ずつ計算されるので、すべての勾配をまとめて求めても、順伝播一回の数倍の手間で済みます。

では同じことを、ふつうの浮動小数点数で手計算してみましょう (Scalar から読むのは順伝播の値だけです)。"""),
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
the values the ops saved for backward, which would otherwise be freed: the drawing in section 4 shows them.)""",
     r"""`L.backward()` は $L$ からグラフを逆向きにたどり、途中のすべての `Scalar` の `.grad` を埋めます。パラメータだけでなく、
途中の $z$ にも勾配が入り、それがちょうどデルタです。(`retain_graph=True` は、演算が逆伝播のために保存した値を
解放せずに残します。4 節の描画でそれを表示します。)"""),
    ("code", r"""L.backward(retain_graph=True)

print(" " * 8, "delta rule".rjust(12), "autograd".rjust(12))
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
$h^2$, until rounding takes over), so we compare with a tolerance.""",
     r"""三つ目の、独立した確認です。各パラメータを $\pm h$ だけずらして順伝播をやり直し、中心差分
$\big(L(p + h) - L(p - h)\big) / 2h$ を計算します。これは近似にすぎない (誤差は $h^2$ に比例して小さくなり、やがて丸め誤差が
勝つ) ので、許容誤差を付けて比べます。"""),
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
tensors (so the numbers match the Python floats of the `Scalar`s) and compare:""",
     r"""## 3. 同じ規則を行列で

1 層分のデルタをベクトルに、重みを行列 $W^{(l)}$ (行 $j$、列 $k$) にまとめると、デルタ則は 3 行の線形代数になります
($\odot$ は要素ごとの積)。

$$\delta^{(L)} = \nabla_{a^{(L)}} L \odot \sigma'(z^{(L)}), \qquad
\delta^{(l)} = \big(W^{(l+1)\top} \delta^{(l+1)}\big) \odot \sigma'(z^{(l)}), \qquad
\frac{\partial L}{\partial W^{(l)}} = \delta^{(l)}\, a^{(l-1)\top}$$

`autograd.Tensor` は層全体についてこれを一度に行います。同じネットワークを float64 のテンソルで作り
(`Scalar` の Python の浮動小数点数と数値が一致するように)、比べます。"""),
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
can be read off the picture: find the `sigmoid` nodes and the sums feeding them.""",
     r"""## 4. 値と勾配を書き込んだグラフ

`autograd.draw` は順伝播が記録したグラフを描きます。`show_values=True` と `show_grads=True` を指定すると、各ノードに
値と $\partial L / \partial(\text{ノード})$ が表示されるので、上で計算したデルタを図から読み取れます。`sigmoid` のノードと、
そこに入る和のノードを探してください。"""),
    ("code", r"""autograd.draw(L, show_values=True, show_grads=True, rankdir="LR")"""),
    ("md", r"""### Back-propagation as it happens

`backward()` does not compute all the deltas at once: the engine visits the graph's nodes one at a time, from the
loss back to the leaves, and each visit applies one local rule of the chain rule (the backward of a `pow`, a `sub`,
a `sigmoid`, ...) and sends the result along the node's input edges. `autograd.viz.draw_steps` replays the
engine's own walk (it watches the real engine through `autograd.engine.observe`, it does not re-implement it) and
draws the graph after each step: the node just processed is highlighted, every edge already walked carries the
gradient sent along it, and each node shows the gradient that has arrived so far.

Here are the items in the order the engine processes them; the two kinds of `SigmoidBackward` are where the
deltas of section 2 appear: the output's $\delta^{(2)}_1$ first, then each hidden $\delta^{(1)}_k$, one layer back.""",
     r"""### 誤差逆伝播をその場で見る

`backward()` はすべてのデルタを一度に計算するわけではありません。エンジンはグラフのノードを損失から葉へ向かって一つずつ訪れ、
訪れるたびに連鎖律の局所的な規則を一つ (`pow`、`sub`、`sigmoid` などの逆伝播) 適用して、結果をそのノードの入力側の辺に送ります。
`autograd.viz.draw_steps` はエンジン自身の走査を再生し (`autograd.engine.observe` を通して本物のエンジンを観察するのであって、
走査を作り直しているのではありません)、各ステップの後のグラフを描きます。いま処理したノードが強調され、
すでに通った辺にはその辺に沿って送られた勾配が書かれ、各ノードにはそれまでに届いた勾配が表示されます。

下はエンジンが処理する順に並べた項目です。2 種類の `SigmoidBackward` が、2 節のデルタが現れる所です。
まず出力の $\delta^{(2)}_1$、次に 1 層さかのぼって各隠れニューロンの $\delta^{(1)}_k$ です。"""),
    ("code", r"""steps = autograd.viz.draw_steps(L, rankdir="LR", legend=False, lang="en")  # the slider's captions: English
print(len(steps.order), "items processed, in the engine's order:")
print(", ".join(f"{k}:{name}" for k, name in enumerate(steps.order, 1)))
sigmoid_steps = [k for k, name in enumerate(steps.order, 1) if name == "SigmoidBackward"]
print("SigmoidBackward at steps", sigmoid_steps)"""),
    ("md", r"""After the step that processes the output's `SigmoidBackward`, the edge leaving it carries
$\partial L / \partial z^{(2)}_1 = \delta^{(2)}_1$ (compare with `delta2` above); nothing below it has a gradient yet:""",
     r"""出力の `SigmoidBackward` を処理したステップの後では、そこから出る辺に $\partial L / \partial z^{(2)}_1 = \delta^{(2)}_1$ が
書かれています (上の `delta2` と比べてください)。それより下のノードにはまだ勾配がありません。"""),
    ("code", r"""print(f"delta2 by hand: {delta2[0]:.6f}")
steps[sigmoid_steps[0]]"""),
    ("md", r"""A few steps later the engine processes a hidden `SigmoidBackward`: the gradient that arrived at $a^{(1)}_k$, which
is $w^{(2)}_{1k}\, \delta^{(2)}_1$, times $\sigma'(z^{(1)}_k)$, leaves as that neuron's delta: the boxed recurrence of
section 2, one edge at a time.""",
     r"""数ステップ後、エンジンは隠れ層の `SigmoidBackward` を処理します。$a^{(1)}_k$ に届いた勾配 $w^{(2)}_{1k}\, \delta^{(2)}_1$ に
$\sigma'(z^{(1)}_k)$ を掛けたものが、そのニューロンのデルタとして出ていきます。2 節の枠で囲んだ漸化式を、辺一本ずつ見ていることになります。"""),
    ("code", r"""print("delta1 by hand:", [round(d, 6) for d in delta1])
steps[sigmoid_steps[1]]"""),
    ("md", r"""Every step is in `steps` (`steps[k]` is the picture after $k$ items, `steps[0]` before the walk). In Jupyter,
evaluating `steps` on its own shows them all with a slider; `steps.save(path)` writes the same slider to an HTML
file that opens from disk with no server. We save it rather than show it here, to keep this notebook small:""",
     r"""すべてのステップは `steps` に入っています (`steps[k]` は $k$ 個の項目を処理した後の図、`steps[0]` は走査の前)。Jupyter で
`steps` だけをセルで評価すると、スライダー付きで全ステップを表示します。`steps.save(path)` は同じスライダーを HTML ファイルに
書き出し、サーバーなしでそのまま開けます。このノートブックを小さく保つため、ここでは表示せずに保存します。"""),
    ("code", r"""import os, tempfile

path = steps.save(os.path.join(tempfile.mkdtemp(), "backprop_2-2-1.html"))
print(f"{len(steps)} drawings, {os.path.getsize(path):,} bytes: open {os.path.basename(path)} in a browser")"""),
    ("md", r"""## 5. Gradient descent

Learning is now one line per parameter: step against the gradient, with a learning rate $\eta$,

$$p \leftarrow p - \eta\, \frac{\partial L}{\partial p} .$$

Two details, as in PyTorch: `backward()` *adds* into `.grad`, so the gradients are reset before each
backward; and the update changes `p.data`, the plain number inside, so it is not recorded in the graph.""",
     r"""## 5. 勾配降下法

学習は、パラメータ 1 個につき 1 行で書けます。学習率 $\eta$ で、勾配と逆の向きに一歩進むだけです。

$$p \leftarrow p - \eta\, \frac{\partial L}{\partial p}$$

PyTorch と同じく、注意点が二つあります。`backward()` は `.grad` に*加算*するので、逆伝播の前に毎回勾配をゼロに戻します。
また、更新は `p.data` (中のふつうの数) を書き換えるので、グラフには記録されません。"""),
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

The next notebook starts from the other end: the perceptron, and why a hidden layer is needed at all.""",
     r"""### まとめ

* 誤差逆伝播法がニューロンごとに覚えておくべきものは、ニューロンのデルタ $\delta = \partial L / \partial z$ だけです。
  ある層のデルタは、次の層のデルタを重みに沿って送り返し、$\sigma'(z)$ を掛けたものです。
* 重みの勾配は、その出力側の端のデルタと入力側の端の活性の積です。
* `backward()` は、どんなグラフに対してもこれを機械的に行います。数値は手計算と最後の桁まで一致し、
  数値微分とはその誤差の範囲で一致します。

次のノートブックは反対の端から始めます。パーセプトロンと、そもそもなぜ隠れ層が必要なのかです。"""),
]

JA_CODE = {
    '"en"': '"ja"',  # draw_steps(lang=...): the Japanese edition's slider speaks Japanese
    "the slider's captions: English": 'スライダーの説明文は日本語',
    'opened from notebooks/ without `pip install -e .`: use the checkout one level up': '`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う',
    'one example': '一つの例',
    'its target': 'その目標値',
    "z_j = sum_k w_jk a_k + b_j, a_j = sigmoid(z_j); the z's are returned too, to look at later": 'z_j = sum_k w_jk a_k + b_j, a_j = sigmoid(z_j)。後で見るために z も返す',
    '"hidden: z1 ="': '"隠れ層: z1 ="',
    '"output: z2 ="': '"出力層: z2 ="',
    'loss L = ': '損失 L = ',
    "sigma'(z) written with a = sigma(z)": "sigma'(z) を a = sigma(z) で書いたもの",
    'layer 0 is the input': '第 0 層は入力',
    'output layer': '出力層',
    "hidden layer, from delta2: sigma'(z1_k) * sum_j w2_jk * delta2_j": "隠れ層 (delta2 から): sigma'(z1_k) * sum_j w2_jk * delta2_j",
    'step ': 'ステップ ',
    '(the delta)': '(デルタ)',
    '"delta rule by hand == autograd"': '"手計算のデルタ則 == autograd"',
    'the forward pass in plain floats, with parameter `name` set to `value`': 'パラメータ `name` を `value` にした順伝播 (ふつうの浮動小数点数で)',
    'finite differences agree for all ': '数値微分は全 ',
    ' parameters; largest difference ': ' 個のパラメータで一致; 最大の差 ',
    'the three lines above, in NumPy': '上の 3 行を NumPy で',
    'matrix delta rule': '行列のデルタ則',
    'loss: Tensor ': '損失: Tensor ',
    '"delta rule"': '"デルタ則"',
    "items processed, in the engine's order:": '個の項目を、エンジンが処理する順に:',
    'SigmoidBackward at steps': 'SigmoidBackward のステップ:',
    'delta2 by hand: ': '手計算の delta2: ',
    'delta1 by hand:': '手計算の delta1:',
    ' drawings, ': ' 枚の図、',
    ' bytes: open ': ' バイト: ブラウザで ',
    ' in a browser': ' を開く',
}
