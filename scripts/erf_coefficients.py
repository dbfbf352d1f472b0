"""Fit the polynomial pieces of autograd.backend's NumPy erf and print them as Python tables.

Run: ``python scripts/erf_coefficients.py`` (needs mpmath for the 50-digit reference; the library itself does not).

The pieces (a = |x|):

- a < 1: ``erf(x) = x * P(x*x)``, P a polynomial in ``t = 2*x*x - 1`` (so t is in [-1, 1]);
- lo <= a < hi: ``erf(a) = 1 - exp(-a*a) * Q(a)``, Q a polynomial in ``t = (2a - lo - hi) / (hi - lo)``;
- a >= the last hi: erf is 1 to the dtype's precision.

Each polynomial is a truncated Chebyshev series (50-digit interpolation at 64 nodes), converted to powers of t (t stays in
[-1, 1], where these coefficients fall fast, so Horner's rule in powers of t loses nothing). The degree is the
smallest whose error in erf itself, on a dense grid, is below a tolerance set per dtype (see ``main``).
"""
from __future__ import annotations

import mpmath
import numpy as np

mpmath.mp.dps = 50


def _p_ref(u):  # erf(sqrt(u)) / sqrt(u), its limit 2/sqrt(pi) at 0
    u = mpmath.mpf(u)
    if u == 0:
        return 2 / mpmath.sqrt(mpmath.pi)
    r = mpmath.sqrt(u)
    return mpmath.erf(r) / r


def _q_ref(a):
    a = mpmath.mpf(a)
    return mpmath.erfc(a) * mpmath.exp(a * a)


def _chebyshev(f, lo, hi, n=64):
    """The first ``n`` Chebyshev coefficients of ``f`` on [lo, hi], in 50 digits (interpolation at n nodes)."""
    theta = [mpmath.pi * (j + mpmath.mpf(1) / 2) / n for j in range(n)]
    vals = [f((mpmath.cos(th) * (hi - lo) + lo + hi) / 2) for th in theta]
    c = [2 * mpmath.fsum(v * mpmath.cos(k * th) for v, th in zip(vals, theta)) / n for k in range(n)]
    c[0] /= 2
    return c


def _to_powers(cheb):
    """Chebyshev coefficients -> coefficients of powers of t (lowest first), in 50 digits."""
    out = [mpmath.mpf(0)] * len(cheb)
    prev, cur = [mpmath.mpf(1)], [mpmath.mpf(0), mpmath.mpf(1)]  # T0, T1
    for k, ck in enumerate(cheb):
        tk = prev if k == 0 else cur
        for i, v in enumerate(tk):
            out[i] += ck * v
        if k >= 1:
            nxt = [mpmath.mpf(0)] + [2 * v for v in cur]  # T_{k+1} = 2 t T_k - T_{k-1}
            for i, v in enumerate(prev):
                nxt[i] -= v
            prev, cur = cur, nxt
    return out


def _fit(f, lo, hi, weight, tol, max_degree=40):
    """Powers-of-t coefficients (lowest first, rounded to float) of the lowest-degree truncated Chebyshev series
    of ``f`` on [lo, hi] whose weighted error is below ``tol``; ``weight(v)`` turns an error in the fitted
    function into an error in erf."""
    grid = [mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * i / 600 for i in range(601)]
    ref = [f(v) for v in grid]
    w = [weight(float(v)) for v in grid]
    t_grid = [(2 * v - lo - hi) / (hi - lo) for v in grid]
    cheb = _chebyshev(f, lo, hi)
    for deg in range(2, max_degree):
        power = [float(c) for c in _to_powers(cheb[:deg + 1])]
        # the truncation and coefficient rounding error, in 50 digits (the dtype's rounding in Horner's rule comes on top)
        err = max(abs(mpmath.polyval([mpmath.mpf(c) for c in power[::-1]], t) - r) * wi
                  for t, r, wi in zip(t_grid, ref, w))
        if err < tol:
            return power, float(err)
    raise RuntimeError(f"no fit below {tol} on [{lo}, {hi}]")


def tables(edges, tol):
    p, err = _fit(_p_ref, 0.0, 1.0, lambda u: np.sqrt(u) / max(float(mpmath.erf(np.sqrt(u))), 1e-300) if u else 1.0, tol)
    out = {"P": (p, err), "Q": []}
    for lo, hi in zip(edges[:-1], edges[1:]):
        q, err = _fit(_q_ref, lo, hi, lambda a: np.exp(-a * a), tol)
        out["Q"].append((lo, hi, q, err))
    return out


def main():
    # float64: below one unit roundoff (its float64 coefficients cannot do much better); float32: a quarter of
    # one, so the fit adds little to float32's rounding in Horner's rule
    for name, eps, edges in (("float64", 2.0 ** -53, (1.0, 2.0, 3.0, 4.0, 6.0)),
                             ("float32", 2.0 ** -24 / 4, (1.0, 2.25, 4.0))):
        t = tables(edges, eps)
        p, err = t["P"]
        print(f"# {name}: |x| < 1, degree {len(p) - 1}, fit error {err:.2e}")
        print(f"_ERF_P_{name[5:]} = ({', '.join(repr(float(c)) for c in p)})")
        print(f"_ERF_Q_{name[5:]} = (")
        for lo, hi, q, err in t["Q"]:
            print(f"    # [{lo}, {hi}): degree {len(q) - 1}, fit error {err:.2e}")
            print(f"    ({lo!r}, {hi!r}, ({', '.join(repr(float(c)) for c in q)})),")
        print(")")


if __name__ == "__main__":
    main()
