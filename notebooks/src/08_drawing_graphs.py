"""Cells of notebooks/08_drawing_graphs.ipynb (build with: python notebooks/_build.py 08)."""

CELLS = [
    ("md", r"""# Drawing the graph your code built

Every op you run on a `Scalar` or a `Tensor` that requires grad is recorded in a graph, and `backward()`
walks that graph in reverse. `autograd.draw` shows it:

1. a small expression of **Scalars**, with each value and its gradient on the picture (as in micrograd),
   and the same graph as `backward()` sees it;
2. a **tensor MLP** built from `nn` modules: ops grouped by the module that ran them, parameters under
   their names, then the same model **collapsed** to one box per layer, and the backward pass **step by step**;
3. a deep model, cut down to size with `max_nodes`, and what each op **saved** for backward.

`draw` returns a `graphviz.Digraph`, which Jupyter shows inline. Rendering needs Graphviz's `dot` program
(`apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`) and the Python package
(`pip install denpa[viz]`); the DOT text, `.source`, needs neither.""",
     r"""# コードが作った計算グラフを描く

勾配を必要とする `Scalar` や `Tensor` に対して実行した演算は、すべてグラフに記録され、`backward()` はそのグラフを逆向きにたどります。
`autograd.draw` はそれを図にします。

1. **Scalar** の小さな式。各値とその勾配を図に書き込み (micrograd のように)、同じグラフを `backward()` から見た形でも描きます。
2. `nn` のモジュールで作った**テンソルの MLP**: 演算を実行したモジュールごとにまとめ、パラメータには名前を付け、
   さらに同じモデルを層ごとに 1 個の箱へ**折りたたみ**、逆伝播を **1 ステップずつ**追います。
3. `max_nodes` で大きさを抑えた深いモデルと、各演算が逆伝播のために**保存**したもの。

`draw` は `graphviz.Digraph` を返し、Jupyter はそれをその場に表示します。描画には Graphviz の `dot` プログラム
(`apt-get install graphviz`、`brew install graphviz`、`conda install graphviz`) と Python パッケージ (`pip install denpa[viz]`) が必要です。
DOT のテキスト `.source` にはどちらも要りません。"""),
    ("code", r"""import math, os, shutil, tempfile

try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

import nn
from autograd import Scalar

print("denpa autograd", autograd.__version__, "| Graphviz dot:", shutil.which("dot") or "not found")"""),
    ("md", r"""## 1. A neuron of Scalars

One neuron with two inputs and a tanh, the example micrograd made famous:
$o = \tanh(x_1 w_1 + x_2 w_2 + b)$. Every number is a `Scalar` with a name, so the picture can say which is
which. After `o.backward()` each node carries $\partial o / \partial(\text{node})$.""",
     r"""## 1. Scalar で作ったニューロン

入力が二つで tanh をもつニューロン一つ、micrograd で有名になった例です: $o = \tanh(x_1 w_1 + x_2 w_2 + b)$。
どの数も名前付きの `Scalar` なので、図の上でどれがどれか分かります。`o.backward()` の後、各ノードには $\partial o / \partial(\text{ノード})$ が入ります。"""),
    ("code", r"""x1, x2 = Scalar(2.0, name="x1"), Scalar(0.0, name="x2")
w1, w2 = Scalar(-3.0, name="w1"), Scalar(1.0, name="w2")
b = Scalar(6.8813735870195432, name="b")

n = x1 * w1 + x2 * w2 + b
o = n.tanh()
o.name = "o"
o.backward()

autograd.draw(o, rankdir="LR")"""),
    ("md", r"""Read it from left to right. Blue boxes are leaves (`Scalar`s you made, which require grad), grey boxes
are ops, each showing the value it computed (`data`) and the gradient that reached it (`grad`), and the
green box is the output. For Scalars both are on by default (`show_values`, `show_grads`).

The gradients follow the chain rule one node at a time: $\partial o/\partial n = 1 - o^2 = 0.5$; an `add`
passes its gradient unchanged to both inputs, so every term of the sum gets 0.5; a `mul` sends each input
the gradient times the *other* input, so $w_1$ gets $0.5 \cdot x_1 = 1$ and $x_1$ gets $0.5 \cdot w_1 = -1.5$.
The numbers on the picture are the ones `backward()` stored:""",
     r"""左から右へ読みます。青い箱は葉 (自分で作った、勾配を必要とする `Scalar`)、灰色の箱は演算で、それぞれが計算した値 (`data`) と
届いた勾配 (`grad`) を表示します。緑の箱が出力です。Scalar では両方とも既定で表示されます (`show_values`、`show_grads`)。

勾配は連鎖律に従ってノードを一つずつ進みます: $\partial o/\partial n = 1 - o^2 = 0.5$。`add` は勾配をそのまま両方の入力に渡すので、
和の各項は 0.5 を受け取ります。`mul` は各入力に、勾配に*もう一方の*入力を掛けたものを送るので、$w_1$ は $0.5 \cdot x_1 = 1$ を、
$x_1$ は $0.5 \cdot w_1 = -1.5$ を受け取ります。図の数値は `backward()` が格納したものです。"""),
    ("code", r"""assert math.isclose(o.data, 1 / math.sqrt(2))
for s, expected in [(n, 1 - o.data ** 2), (w1, 0.5 * x1.data), (x1, 0.5 * w1.data), (w2, 0.5 * x2.data), (b, 0.5)]:
    print(f"{s.name or 'n':>2}: grad {s.grad:+.6f}   by hand {expected:+.6f}")
    assert math.isclose(s.grad, expected, abs_tol=1e-12)"""),
    ("md", r"""### The same graph as `backward()` sees it

`backward=True` draws the gradient graph instead, the way PyTorch's `grad_fn.next_functions` describe it:
each backward function points to the ones it feeds, from the output (where `backward()` starts with
$\partial o/\partial o = 1$) down to `AccumulateGrad`, which adds the arriving gradient into a leaf's
`.grad`. A leaf used twice would show *two* arrows in, and its node would say the gradients are summed.""",
     r"""### 同じグラフを `backward()` から見る

`backward=True` を指定すると、PyTorch の `grad_fn.next_functions` が表すのと同じように、勾配のグラフを描きます。
各逆伝播関数は、自分が勾配を送る先の関数を指します。出力 (`backward()` が $\partial o/\partial o = 1$ から始める所) から、
届いた勾配を葉の `.grad` に加える `AccumulateGrad` までです。二度使われた葉には矢印が*二本*入り、そのノードには勾配が合計されることが書かれます。"""),
    ("code", r"""a = Scalar(3.0, name="a")
y = a * a + a   # a is used three times: dy/da = 2a + 1 = 7
y.backward()
print("dy/da =", a.grad)
autograd.draw(y, backward=True)"""),
    ("md", r"""Numbers mixed into an expression (`2 * a`, `a + 1`) are *constants*: the graph does not need them for
gradients, so they are drawn as dashed boxes, with their value while an op still holds it for its
backward (an `add` never needs its constant, so it shows as `constant`).""",
     r"""式に混ぜた数 (`2 * a`、`a + 1`) は*定数*です。勾配の計算にグラフは定数を必要としないので、破線の箱で描かれ、
演算が逆伝播のためにまだ保持している間はその値も表示されます (`add` は定数を必要としないので、`constant` とだけ表示されます)。"""),
    ("code", r"""c = (2.0 * a + 1.0).relu()
autograd.draw(c, rankdir="LR", show_grads=False, legend=False)"""),
    ("md", r"""## 2. A tensor MLP: module clusters

Tensors draw the same way. Op nodes show their output's shape; leaves their shape and dtype (and device,
when not the CPU). When the ops run inside `nn.Module`s, each module call becomes a cluster titled by its
path in the model (`0`, `2`, ... in a `Sequential`; `encoder.layers.1` in a deeper model), nested as the
modules nest, and each parameter is named as in `model.named_parameters()`.""",
     r"""## 2. テンソルの MLP: モジュールのクラスタ

テンソルも同じように描けます。演算のノードには出力の形が、葉には形と dtype (CPU 以外ならデバイスも) が表示されます。
演算が `nn.Module` の中で実行されると、モジュールの呼び出しごとに、モデル内での経路 (`Sequential` なら `0`、`2`、…、
より深いモデルなら `encoder.layers.1`) を題名にしたクラスタになり、モジュールの入れ子のとおりに入れ子になります。
各パラメータには `model.named_parameters()` と同じ名前が付きます。"""),
    ("code", r"""autograd.manual_seed(0)
model = nn.Sequential(
    nn.Sequential(nn.Linear(4, 16), nn.ReLU()),   # a block inside the model
    nn.Linear(16, 16), nn.Tanh(),
    nn.Linear(16, 3),
)
x = autograd.randn(8, 4)
target = autograd.tensor([0, 1, 2, 0, 1, 2, 0, 1])
loss = nn.functional.cross_entropy(model(x), target)
loss.backward()
print(f"loss {loss.item():.4f}; parameters:", [name for name, _ in model.named_parameters()])
autograd.draw(loss)"""),
    ("md", r"""Each `Linear` is three ops: `permute(1, 0)` makes `weight.T`, then `matmul` and `add`. The dashed
`(8, 4) float32` box is the input batch: it needs no gradient, so the graph keeps it only because `matmul`
saved it for its backward.

### Collapsed

A model of thousands of ops reads better as a few boxes. `collapse=` draws whole module calls as single
nodes: a depth (`0` the whole model, `1` its children, ...) or a set of module types. Each box says how many
ops and parameters it hides and the shape it outputs.""",
     r"""`Linear` はそれぞれ三つの演算です。`permute(1, 0)` で `weight.T` を作り、続いて `matmul` と `add` です。破線の `(8, 4) float32` の
箱は入力のバッチです。勾配は必要ないので、グラフがそれを保持しているのは `matmul` が逆伝播のために保存したからにすぎません。

### 折りたたみ

数千の演算からなるモデルは、少数の箱にしたほうが読みやすくなります。`collapse=` はモジュールの呼び出し全体を一つのノードとして描きます。
深さ (`0` はモデル全体、`1` はその子、…) か、モジュールの型の集合を指定します。各箱には、隠している演算とパラメータの数、
そして出力の形が表示されます。"""),
    ("code", r"""autograd.draw(loss, collapse=1)"""),
    ("code", r"""autograd.draw(loss, collapse={nn.Linear}, rankdir="LR")"""),
    ("md", r"""### Back-propagation, step by step

`draw(..., backward=True, step=k)` draws the gradient graph after the engine has processed its first `k` items, in
the engine's own order (taken from the engine as it runs, through `autograd.engine.observe`): the item processed
at step `k` is highlighted, the edges already walked carry the gradient sent along them (for tensors, its shape
and norm), and leaves show what has accumulated so far. `draw_steps` gives every step at once. A small model,
drawn *before* `backward()`, since the replay needs the values the ops saved:""",
     r"""### 誤差逆伝播を 1 ステップずつ

`draw(..., backward=True, step=k)` は、エンジンが最初の `k` 個の項目を処理した後の勾配グラフを、エンジン自身の順序で描きます
(順序は実行中のエンジンから `autograd.engine.observe` を通して取り出します)。ステップ `k` で処理した項目が強調され、
すでに通った辺には送られた勾配 (テンソルならその形とノルム) が書かれ、葉にはそれまでに積算された勾配が表示されます。
`draw_steps` は全ステップをまとめて返します。再生には演算が保存した値が必要なので、小さなモデルを `backward()` の*前*に描きます。"""),
    ("code", r"""autograd.manual_seed(0)
small = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
small_loss = (small(autograd.randn(5, 3)) ** 2).mean()
small_steps = autograd.viz.draw_steps(small_loss, params=small, legend=False, lang="en")
print(f"{len(small_steps.order)} steps:", ", ".join(small_steps.order))
tanh_step = small_steps.order.index("TanhBackward") + 1
autograd.draw(small_loss, backward=True, step=tanh_step, params=small, legend=False, lang="en")"""),
    ("md", r"""At that step the gradient has come back through the second layer and `tanh`; the first layer's weights have
nothing yet. The last step, where every leaf has its gradient, agrees with what `backward()` then stores:""",
     r"""このステップでは、勾配は第 2 層と `tanh` を通って戻ってきたところで、第 1 層の重みにはまだ何も届いていません。
すべての葉に勾配がそろう最後のステップは、その後 `backward()` が格納する値と一致します。"""),
    ("code", r"""small_loss.backward()
print("|dL/dW1| after backward():", f"{small[0].weight.grad.norm().item():.4f}")
small_steps[len(small_steps) - 1]"""),
    ("md", r"""## 3. Big graphs, saved tensors, files

A deep model draws fine as DOT text (a 5,000-op graph takes a fraction of a second; see
`benchmarks/draw.py`), but the picture is only readable in pieces. `max_nodes` keeps the nodes nearest the
outputs and says, in the picture, how much it left out (`max_depth` cuts by distance instead).""",
     r"""## 3. 大きなグラフ、保存されたテンソル、ファイル

深いモデルも DOT テキストとしては問題なく描けます (5,000 演算のグラフでも 1 秒かかりません。`benchmarks/draw.py` を参照)。
しかし図として読めるのは一部分ずつです。`max_nodes` は出力に近いノードだけを残し、どれだけ省いたかを図の中に書きます
(`max_depth` は代わりに距離で切ります)。"""),
    ("code", r"""autograd.manual_seed(1)
deep = nn.Sequential(*[layer for _ in range(20) for layer in (nn.Linear(16, 16), nn.Tanh())])
out = deep(autograd.randn(4, 16)).sum()
autograd.draw(out, max_nodes=12, legend=False)"""),
    ("md", r"""`show_saved=True` lists what each op keeps for its backward: `matmul` both inputs, `tanh` its output,
`add` nothing. After `backward()` those arrays are freed, which is why a second backward needs
`retain_graph=True`; the picture says so too.""",
     r"""`show_saved=True` は、各演算が逆伝播のために保持しているものを列挙します。`matmul` は両方の入力、`tanh` は出力、`add` は何もなしです。
`backward()` の後、それらの配列は解放されます。二回目の逆伝播に `retain_graph=True` が必要なのはそのためで、図にもそう表示されます。"""),
    ("code", r"""w = autograd.randn(3, 2, requires_grad=True)
w.name = "W"
h = (autograd.randn(4, 3) @ w).tanh()
s = (h + 1).sum()
autograd.draw(s, show_saved=True, rankdir="LR")"""),
    ("code", r"""s.backward()
autograd.draw(s, show_saved=True, show_grads=True, rankdir="LR")"""),
    ("md", r"""To keep a picture, `save` picks the format from the file name, and `.source` is the DOT text for any
other Graphviz tool:""",
     r"""図を残すには、`save` がファイル名から形式を選びます。`.source` は、ほかの Graphviz ツールで使える DOT テキストです。"""),
    ("code", r"""g = autograd.draw(s)
with tempfile.TemporaryDirectory() as d:
    for name in ("graph.svg", "graph.png", "graph.pdf"):
        path = g.save(os.path.join(d, name))
        print(f"{name}: {os.path.getsize(path):,} bytes")
print(g.source[:300], "...")"""),
    ("md", r"""### What to take away

* `autograd.draw(y)` shows every op and leaf behind `y` once, however many times it is used; with
  Scalars every value and gradient is on the picture, so the chain rule can be checked by eye.
* `backward=True` shows the same graph as the backward pass walks it, ending where gradients accumulate.
* `step=k` (and `draw_steps`) replays the engine's own walk: the graph after each of its steps, with the gradients
  known so far.
* Module calls become clusters, parameters get their names, and `collapse` turns a large model into a
  handful of boxes; `max_nodes` / `max_depth` keep huge graphs drawable and say what they cut.""",
     r"""### まとめ

* `autograd.draw(y)` は、`y` の背後にあるすべての演算と葉を、何回使われていても一度ずつ表示します。Scalar ではすべての値と勾配が
  図に載るので、連鎖律を目で確かめられます。
* `backward=True` は、同じグラフを逆伝播がたどるとおりに、勾配が積算される所まで表示します。
* `step=k` (と `draw_steps`) はエンジン自身の走査を再生し、各ステップの後のグラフを、その時点で分かっている勾配とともに示します。
* モジュールの呼び出しはクラスタになり、パラメータには名前が付き、`collapse` は大きなモデルを一握りの箱にまとめます。
  `max_nodes` / `max_depth` は巨大なグラフも描けるようにし、何を切ったかを示します。"""),
]

JA_CODE = {
    '"en"': '"ja"',  # draw_steps(lang=...): the slider's captions in Japanese
    'opened from notebooks/ without `pip install -e .`: use the checkout one level up': '`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う',
    '"not found"': '"見つからない"',
    '   by hand ': '   手計算 ',
    'a is used three times: dy/da = 2a + 1 = 7': 'a は 3 回使われる: dy/da = 2a + 1 = 7',
    'a block inside the model': 'モデルの中のブロック',
    '; parameters:': '; パラメータ:',
    ' steps:': ' ステップ:',
    'loss ': '損失 ',
    '"|dL/dW1| after backward():"': '"backward() 後の |dL/dW1|:"',
    ' bytes': ' バイト',
}
