"""Cells of notebooks/07_property_based_gradient_checks.ipynb (build with: python notebooks/_build.py 07)."""

CELLS = [
    ("md", r"""# Property-based gradient checks

A backward rule is a claim: "this is the derivative of that forward". `autograd.testing` lets you test
the claim the way denpa tests its own ops:

1. **`gradcheck`** compares the gradients `backward` computes with finite differences, in float64.
2. **Hypothesis strategies** (`tensors`, `broadcastable_tensors`, `valid_axes`) generate the inputs, many
   of them, of many shapes, so the check does not depend on the few numbers you thought of.
3. A **custom `autograd.Function` with a wrong backward**: a hand-picked input misses the bug, Hypothesis
   finds it and shrinks it to the simplest input that shows it; then we fix it and check second derivatives
   with `gradgradcheck`.""",
     r"""# 性質ベースの勾配チェック

逆伝播の規則は「これがあの順伝播の微分である」という主張です。`autograd.testing` を使うと、denpa が自分の演算を
テストするのと同じやり方で、その主張を確かめられます。

1. **`gradcheck`** は、`backward` が計算した勾配を float64 の数値微分と比べます。
2. **Hypothesis のストラテジー** (`tensors`、`broadcastable_tensors`、`valid_axes`) が、さまざまな形の入力を大量に生成するので、
   チェックは自分で思いついた少数の数値に左右されません。
3. **逆伝播を間違えた自作の `autograd.Function`**: 手で選んだ入力ではバグを見逃しますが、Hypothesis はそれを見つけ、
   バグが現れる最も単純な入力まで縮めてくれます。その後バグを直し、`gradgradcheck` で 2 階微分も確かめます。"""),
    ("code", r"""try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import os, sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

import numpy as np
from hypothesis import assume, given, settings
from autograd.testing import GradcheckError, broadcastable_tensors, gradcheck, gradgradcheck, tensors

f64 = autograd.float64
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. What `gradcheck` compares

For a function $f:\mathbb{R}^n \to \mathbb{R}^m$ the Jacobian $J_{rc} = \partial f_r / \partial x_c$ can be
had two ways.

* **Analytically**, from backward: one backward pass with the upstream gradient $e_r$ (a one-hot vector)
  gives row $r$, $e_r^\top J$.
* **Numerically**, by central differences: nudging input $c$ by $\pm\varepsilon$ gives column $c$,
  $$J_{:c} \approx \frac{f(x + \varepsilon e_c) - f(x - \varepsilon e_c)}{2\varepsilon},$$
  whose error shrinks like $\varepsilon^2$ (until rounding takes over, which is why it runs in float64).

`gradcheck(fn, inputs)` builds both and requires them to agree within `atol + rtol * |numerical|`.
Here is a user-defined function, the *softsign* $x / (1 + |x|)$, its two Jacobians side by side, and
the check itself:""",
     r"""## 1. `gradcheck` は何を比べるか

関数 $f:\mathbb{R}^n \to \mathbb{R}^m$ のヤコビ行列 $J_{rc} = \partial f_r / \partial x_c$ は、二通りの方法で求められます。

* **解析的に**、逆伝播から: 上流の勾配を $e_r$ (one-hot ベクトル) とする一回の逆伝播で、第 $r$ 行 $e_r^\top J$ が得られます。
* **数値的に**、中心差分で: 入力 $c$ を $\pm\varepsilon$ だけずらすと、第 $c$ 列

  $$J_{:c} \approx \frac{f(x + \varepsilon e_c) - f(x - \varepsilon e_c)}{2\varepsilon}$$

  が得られます。その誤差は $\varepsilon^2$ に比例して小さくなります (やがて丸め誤差が勝つので、float64 で計算します)。

`gradcheck(fn, inputs)` は両方を作り、`atol + rtol * |数値微分|` の範囲で一致することを求めます。

ユーザーが定義した関数 *softsign* $x / (1 + |x|)$ について、二つのヤコビ行列を並べ、チェックそのものも実行します。"""),
    ("code", r"""def softsign(x):
    return x / (1 + x.abs())

x = autograd.tensor([-2.0, 0.5, 3.0], dtype=f64, requires_grad=True)

analytic = autograd.functional.jacobian(softsign, x).numpy()
eps, n = 1e-6, x.numel()
numeric = np.zeros((n, n))
for c in range(n):
    nudge = np.zeros(n)
    nudge[c] = eps
    numeric[:, c] = (softsign(x.detach() + autograd.tensor(nudge)).numpy()
                     - softsign(x.detach() - autograd.tensor(nudge)).numpy()) / (2 * eps)

print("analytic (from backward):\n", analytic.round(8))
print("numeric (central differences):\n", numeric.round(8))
print("largest difference:", f"{np.abs(analytic - numeric).max():.1e}")
print("gradcheck:", gradcheck(softsign, (x,)))"""),
    ("md", r"""The exact derivative is $1/(1+|x|)^2$ on the diagonal ($1/9$, $4/9$, $1/16$ here), and zero off it
because each output depends on one input only.

## 2. Many inputs: Hypothesis

One input proves little: a bug may live only for negative numbers, or for matrices, or where two
shapes broadcast. `tensors()` is a Hypothesis strategy for float64 tensors that require grad (any shape
up to 3-D by default, values in $[-3, 3]$); `@given` runs the test on many of them. `settings` keeps it
quick (`max_examples`), `deadline=None` because the first call of a test may be slow, and `derandomize=True` (with
`database=None`) so that this notebook shows the same examples on every run; in a test suite, leave Hypothesis random so
that each run explores new inputs.

Softsign has a kink at $0$ (it is differentiable there, but $|x|$ is not), so a finite difference that
straddles 0 is slightly off; the tolerances absorb that.""",
     r"""正確な微分は対角線上で $1/(1+|x|)^2$ (ここでは $1/9$、$4/9$、$1/16$) で、各出力は一つの入力にしか依存しないので、対角線の外はゼロです。

## 2. たくさんの入力: Hypothesis

一つの入力で証明できることはわずかです。バグは負の数のときだけ、行列のときだけ、あるいは二つの形がブロードキャストされる所だけに
潜んでいるかもしれません。`tensors()` は、勾配を必要とする float64 テンソル (既定では 3 次元までの任意の形、値は $[-3, 3]$) を
生成する Hypothesis のストラテジーで、`@given` がそれらの多数についてテストを実行します。`settings` で手早く済ませ (`max_examples`)、
テストの最初の呼び出しは遅いことがあるので `deadline=None` とし、このノートブックが毎回同じ例を示すように `derandomize=True`
(と `database=None`) を指定します。テストスイートでは Hypothesis をランダムのままにして、実行のたびに新しい入力を探らせましょう。

softsign は $0$ に折れ目があります ($0$ でも微分可能ですが、$|x|$ は微分できません)。そのため 0 をまたぐ数値微分は少しずれますが、
許容誤差がそれを吸収します。"""),
    ("code", r"""seen = []

@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(tensors(max_side=3))
def test_softsign_gradient(x):
    seen.append(x.shape)
    assert gradcheck(softsign, (x,))

test_softsign_gradient()
print(f"{len(seen)} examples passed; shapes included", sorted(set(seen), key=len)[:8])"""),
    ("md", r"""Functions of several inputs need inputs whose shapes broadcast together; `broadcastable_tensors(n)`
draws them (from Hypothesis's `mutually_broadcastable_shapes`). Broadcasting is where backward rules
most often go wrong: the gradient of an input of shape $(3,)$ added to a $(4, 3)$ matrix must be summed
back to shape $(3,)$. `gradcheck` checks the shape and dtype of every gradient as well as its values.

Below: a weighted squared error $\sum w\,(p - t)^2 / \sum w$ with positive weights $w = 1 + t^2$,
so the denominator never vanishes.""",
     r"""複数の入力をもつ関数には、形が互いにブロードキャストできる入力が必要です。`broadcastable_tensors(n)` がそれを
(Hypothesis の `mutually_broadcastable_shapes` から) 生成します。逆伝播の規則が最もよく間違えるのがブロードキャストです。
$(4, 3)$ の行列に足された形 $(3,)$ の入力の勾配は、形 $(3,)$ に足し戻さなければなりません。`gradcheck` は各勾配の値だけでなく、
形と dtype も確かめます。

以下は、正の重み $w = 1 + t^2$ による重み付き二乗誤差 $\sum w\,(p - t)^2 / \sum w$ です (分母はゼロになりません)。"""),
    ("code", r"""def weighted_sq_error(pred, target):
    w = 1 + target ** 2
    return (w * (pred - target) ** 2).sum() / w.sum()

seen = []

@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(broadcastable_tensors(2, max_dims=3, max_side=3))
def test_weighted_sq_error_gradient(xs):
    pred, target = xs
    seen.append((pred.shape, target.shape))
    assert gradcheck(weighted_sq_error, (pred, target))

test_weighted_sq_error_gradient()
distinct = sorted(set(seen), key=lambda s: (len(s[0]) + len(s[1]), s))
print(f"{len(seen)} pairs passed, {len(distinct)} distinct pairs of shapes, e.g.", *distinct[-4:])"""),
    ("md", r"""## 3. A custom `Function` with a wrong backward

The Huber loss is quadratic near 0 and linear beyond $\delta$ (so one outlier does not dominate):

$$h(x) = \begin{cases} \tfrac12 x^2 & |x| \le \delta \\ \delta\,(|x| - \tfrac12 \delta) & |x| > \delta \end{cases}
\qquad h'(x) = \begin{cases} x & |x| \le \delta \\ \delta\, \mathrm{sign}(x) & |x| > \delta \end{cases}
= \mathrm{clamp}(x, -\delta, \delta)$$

We write it as a custom `autograd.Function` (PyTorch's API: `forward(ctx, ...)` on tensors without
recording, `ctx.save_for_backward`, and `backward(ctx, grad_output)` returning one gradient per input).
The backward has a plausible bug: it clamps only from above, `x.clamp(max=delta)`, forgetting the lower
bound.""",
     r"""## 3. 逆伝播を間違えた自作の `Function`

Huber 損失は 0 の近くでは二次関数、$\delta$ より外では一次関数です (外れ値一つに支配されないように)。

$$h(x) = \begin{cases} \tfrac12 x^2 & |x| \le \delta \\ \delta\,(|x| - \tfrac12 \delta) & |x| > \delta \end{cases}
\qquad h'(x) = \begin{cases} x & |x| \le \delta \\ \delta\, \mathrm{sign}(x) & |x| > \delta \end{cases}
= \mathrm{clamp}(x, -\delta, \delta)$$

これを自作の `autograd.Function` として書きます (PyTorch の API: 記録なしでテンソルに対して計算する `forward(ctx, ...)`、
`ctx.save_for_backward`、そして入力ごとに勾配を一つ返す `backward(ctx, grad_output)`)。逆伝播には、いかにもありそうなバグがあります。
上からだけ `x.clamp(max=delta)` で抑え、下限を忘れているのです。"""),
    ("code", r"""DELTA = 1.0

class Huber(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x.abs()
        return autograd.where(a <= DELTA, 0.5 * x * x, DELTA * (a - 0.5 * DELTA))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.clamp(max=DELTA)     # BUG: no lower bound

x = autograd.tensor([0.5, -0.3, 2.0], dtype=f64, requires_grad=True)
print("Huber at", x.detach().numpy(), "=", Huber.apply(x).detach().numpy())
print("gradcheck on these hand-picked inputs:", gradcheck(Huber.apply, (x,)))"""),
    ("md", r"""The check passes, because none of the inputs we picked is below $-\delta$. Hypothesis does not share
our blind spot. When a property fails it *shrinks* the input to the simplest one that still fails
(here a 0-d tensor), and attaches it to the error as a note. We catch the error to print it: normally
pytest would show exactly this.""",
     r"""チェックは通ってしまいます。選んだ入力に $-\delta$ より小さいものがないからです。Hypothesis には私たちと同じ盲点はありません。
性質が成り立たないと、Hypothesis は入力をまだ失敗する最も単純なものまで*縮め* (ここでは 0 次元のテンソル)、それを注記として
エラーに付けます。ここではエラーを捕まえて表示しますが、ふつうは pytest がちょうどこれを表示します。"""),
    ("code", r"""def check_gradient_property(op):
    # the property for any one-input op: gradcheck passes on every tensor Hypothesis draws
    @settings(max_examples=100, deadline=None, database=None, derandomize=True)
    @given(tensors(max_side=3))
    def test_gradient(x):
        assert gradcheck(op.apply, (x,))
    test_gradient()

try:
    check_gradient_property(Huber)
except GradcheckError as e:
    print(e.__notes__[0])     # Hypothesis: the shrunk input
    print()
    print(e)                  # gradcheck: which output/input, and both Jacobians
else:
    raise AssertionError("the wrong backward should have been caught")"""),
    ("md", r"""The message names the output and input that disagree and prints both Jacobians: the numerical
derivative at $x = -2$ is $-1 = -\delta$, the analytic one $-2$ (the unclamped $x$). The fix is the
formula above, `x.clamp(-delta, delta)`. A subclass keeps the forward and replaces the backward:""",
     r"""メッセージは食い違っている出力と入力を示し、二つのヤコビ行列を表示します。$x = -2$ での数値微分は $-1 = -\delta$、解析的な値は
$-2$ (抑えていない $x$) です。直し方は上の式どおり `x.clamp(-delta, delta)` です。サブクラスで順伝播はそのままに、逆伝播だけを置き換えます。"""),
    ("code", r"""class FixedHuber(Huber):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.clamp(-DELTA, DELTA)

check_gradient_property(FixedHuber)
print("fixed: the property holds on every example Hypothesis tried")"""),
    ("md", r"""### Second derivatives

The backward above is written with tensor ops (`*`, `clamp`), so it is itself differentiable:
`autograd.grad(..., create_graph=True)` can differentiate through it, and `gradgradcheck` checks that
second derivative against finite differences of the first. $h''(x)$ is $1$ inside $[-\delta, \delta]$ and
$0$ outside, and jumps at $\pm\delta$, where no finite difference can match. Hypothesis's `assume`
discards such inputs instead of failing on them.""",
     r"""### 2 階微分

上の逆伝播はテンソルの演算 (`*`、`clamp`) で書かれているので、それ自体が微分可能です。`autograd.grad(..., create_graph=True)` は
それを通して微分でき、`gradgradcheck` はその 2 階微分を、1 階微分の数値微分と比べます。$h''(x)$ は $[-\delta, \delta]$ の内側で $1$、
外側で $0$ で、$\pm\delta$ で跳びます。そこではどんな数値微分も一致しません。Hypothesis の `assume` は、そのような入力で失敗する代わりに、
その入力を捨てます。"""),
    ("code", r"""kept = []

@settings(max_examples=50, deadline=None, database=None, derandomize=True)
@given(tensors(max_side=3))
def test_huber_second_derivative(x):
    assume(((x.abs() - DELTA).abs() > 1e-3).all())   # stay away from the jumps of h''
    kept.append(x.numel())
    assert gradgradcheck(FixedHuber.apply, (x,))

test_huber_second_derivative()
print(f"gradgradcheck passed on {len(kept)} inputs ({sum(kept)} numbers in all)")

x = autograd.tensor([-2.0, -0.5, 0.5, 2.0], dtype=f64, requires_grad=True)
(g,) = autograd.grad(FixedHuber.apply(x).sum(), x, create_graph=True)
(gg,) = autograd.grad(g.sum(), x)
print("x      ", x.detach().numpy())
print("h'(x)  ", g.detach().numpy())
print("h''(x) ", gg.numpy())"""),
    ("md", r"""### In your test suite

The same tests go in a file under `tests/` as they are (pytest runs the `@given` functions), for
example:

```python
from hypothesis import given, settings
from autograd.testing import gradcheck, gradgradcheck, tensors

@settings(max_examples=100, deadline=None)
@given(tensors(max_side=4))
def test_huber_gradient(x):
    assert gradcheck(FixedHuber.apply, (x,))
```

Things worth knowing:

* Check in **float64**. A float32 input is checked on a float64 copy, with a `GradcheckWarning`: with
  about 7 significant digits a central difference cannot be trusted.
* Keep away from points where the function is not differentiable (`assume`, or strategies whose values
  avoid them); a finite difference across a kink measures the average of two slopes.
* `gradcheck` also runs backward with a zero upstream gradient, which must give zero: a backward that
  forgets to multiply by `grad_output` passes the Jacobian test on a single number (the one-hot upstream
  gradient is 1 there) but fails this one.
* Hypothesis keeps failing examples in a local database (turned off here with `database=None`) and
  tries them first next time, so a bug, once found, is retried until it is fixed.""",
     r"""### 自分のテストスイートで

同じテストは、そのまま `tests/` の下のファイルに入れられます (pytest が `@given` の関数を実行します)。例えば:

```python
from hypothesis import given, settings
from autograd.testing import gradcheck, gradgradcheck, tensors

@settings(max_examples=100, deadline=None)
@given(tensors(max_side=4))
def test_huber_gradient(x):
    assert gradcheck(FixedHuber.apply, (x,))
```

知っておくとよいこと:

* **float64** でチェックします。float32 の入力は、`GradcheckWarning` を出したうえで float64 のコピーでチェックされます。
  有効数字がおよそ 7 桁では、中心差分は信用できません。
* 関数が微分できない点からは離れます (`assume` を使うか、値がそこを避けるストラテジーを使う)。折れ目をまたぐ数値微分は、
  二つの傾きの平均を測ってしまいます。
* `gradcheck` は上流の勾配をゼロにした逆伝播も実行し、結果がゼロになることを求めます。`grad_output` を掛け忘れた逆伝播は、
  数一つについてのヤコビ行列のテストには通ります (そこでは one-hot の上流勾配が 1) が、このテストには失敗します。
* Hypothesis は失敗した例をローカルのデータベースに残し (ここでは `database=None` で無効)、次回まずそれを試すので、
  一度見つかったバグは直るまで繰り返し試されます。"""),
]

JA_CODE = {
    'opened from notebooks/ without `pip install -e .`: use the checkout one level up': '`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う',
    'analytic (from backward):\\n': '解析的 (逆伝播から):\\n',
    'numeric (central differences):\\n': '数値的 (中心差分):\\n',
    '"largest difference:"': '"最大の差:"',
    ' examples passed; shapes included': ' 個の例で合格; 含まれていた形',
    ' pairs passed, ': ' 組で合格、',
    ' distinct pairs of shapes, e.g.': ' 通りの形の組、例えば',
    'BUG: no lower bound': 'バグ: 下限がない',
    '"gradcheck on these hand-picked inputs:"': '"手で選んだこれらの入力での gradcheck:"',
    'the property for any one-input op: gradcheck passes on every tensor Hypothesis draws': '入力一つの任意の演算についての性質: Hypothesis が引くどのテンソルでも gradcheck が通る',
    'Hypothesis: the shrunk input': 'Hypothesis: 縮められた入力',
    'gradcheck: which output/input, and both Jacobians': 'gradcheck: どの出力と入力か、および二つのヤコビ行列',
    'the wrong backward should have been caught': '間違った逆伝播は捕まるはずだった',
    'fixed: the property holds on every example Hypothesis tried': '修正済み: Hypothesis が試したどの例でも性質が成り立つ',
    "stay away from the jumps of h''": "h'' の跳びからは離れる",
    'gradgradcheck passed on ': 'gradgradcheck は ',
    ' inputs (': ' 個の入力で合格 (合計 ',
    ' numbers in all)': ' 個の数)',
}
