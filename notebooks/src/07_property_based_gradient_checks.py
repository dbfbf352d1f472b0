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
   with `gradgradcheck`."""),
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
the check itself:"""),
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
straddles 0 is slightly off; the tolerances absorb that."""),
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
so the denominator never vanishes."""),
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
bound."""),
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
pytest would show exactly this."""),
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
formula above, `x.clamp(-delta, delta)`. A subclass keeps the forward and replaces the backward:"""),
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
discards such inputs instead of failing on them."""),
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
  tries them first next time, so a bug, once found, is retried until it is fixed."""),
]
