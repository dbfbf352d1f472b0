"""scaled_dot_product_attention and multi_head_attention_forward, composed from autograd ops.

Masks follow PyTorch, which uses two conventions: for
``scaled_dot_product_attention`` a boolean mask is True where a query may
attend; for ``multi_head_attention_forward`` (and ``nn.MultiheadAttention``)
True marks what to ignore. Float masks are added to the scores in both.
"""
from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as _np  # shape arithmetic only

from autograd import Tensor
from autograd.backend import array_module
from autograd.ops import cat, chunk, matmul, mean, pad, reshape, softmax, squeeze, swapaxes, unsqueeze, where

from .dropout import dropout
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _masked_softmax(scores):
    """Softmax over the last axis that gives 0, not NaN, for a query whose every key is masked out."""
    xp = array_module(scores.array)
    dead = (scores.array == -xp.inf).all(axis=-1, keepdims=True)
    if not dead.any():
        return softmax(scores, -1)
    return where(dead, 0.0, softmax(where(dead, 0.0, scores), -1))


def _attend(q, k, v, bias, dropout_p, scale, safe):
    """``softmax(q k^T * scale + bias) v`` and the attention weights; ``safe`` zeroes fully masked rows."""
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = matmul(q * scale, swapaxes(k, -2, -1))
    if bias is not None:
        scores = scores + bias
    w = _masked_softmax(scores) if safe and bias is not None else softmax(scores, -1)
    if dropout_p > 0.0:
        w = dropout(w, dropout_p, True)
    return matmul(w, v), w


def _float_mask(mask, dtype, masked_when):
    """A mask as an additive bias: a bool mask gives -inf where it equals ``masked_when``, else 0."""
    data = mask.array if isinstance(mask, Tensor) else mask
    if data.dtype.kind == "b":
        xp = array_module(data)
        return Tensor._wrap(xp.where(data == masked_when, -xp.inf, 0.0).astype(dtype), None)
    if data.dtype.kind != "f":
        raise TypeError(f"attention: only bool and floating-point masks are supported, got dtype {data.dtype}")
    return mask if isinstance(mask, Tensor) else Tensor._wrap(data, None)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: Optional[float] = None) -> Tensor:
    """``softmax(Q K^T / sqrt(E) + mask) V`` over shapes (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev).

    ``attn_mask`` broadcasts to (..., L, S): a bool mask is True where a query
    may attend, a float mask is added to the scores. ``is_causal`` lets query
    ``i`` see keys ``0..i`` (the upper-left triangle). A query that may attend
    to nothing gets zeros. ``dropout_p`` drops attention weights (always
    applied when > 0: pass 0.0 in evaluation, as in PyTorch).

    >>> import autograd
    >>> q = autograd.ones(1, 2, 4)
    >>> v = autograd.tensor([[[1.0], [3.0]]])
    >>> scaled_dot_product_attention(q, q, v)  # equal scores: the mean of the values
    tensor([[[2.],
             [2.]]])
    >>> scaled_dot_product_attention(q, q, v, is_causal=True)
    tensor([[[1.],
             [2.]]])
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError(f"scaled_dot_product_attention: query, key and value need at least 2 dimensions "
                         f"(..., L, E); got shapes {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: expected query (..., L, E), key (..., S, E) and value "
                         f"(..., S, Ev); got {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    length, source = query.shape[-2], key.shape[-2]
    bias = None
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: pass attn_mask or is_causal=True, not both "
                             "(fold the causal triangle into attn_mask instead)")
        xp = array_module(query.array)
        attn_mask = xp.tril(xp.ones((length, source), dtype=bool))
    if attn_mask is not None:
        bias = _float_mask(attn_mask, query.dtype, False)
        try:
            _np.broadcast_shapes(tuple(bias.shape), query.shape[:-2] + (length, source))
        except ValueError:
            raise ValueError(f"scaled_dot_product_attention: attn_mask of shape {tuple(bias.shape)} does not "
                             f"broadcast to the scores' shape {query.shape[:-2] + (length, source)}") from None
    return _attend(query, key, value, bias, dropout_p, scale, safe=True)[0]


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate, q_w, k_w, v_w):
    if not separate:
        if query is key and key is value:  # self-attention: one product, then split
            return chunk(linear(query, in_proj_weight, in_proj_bias), 3, -1)
        q_w, k_w, v_w = chunk(in_proj_weight, 3, 0)
    b_q, b_k, b_v = chunk(in_proj_bias, 3, 0) if in_proj_bias is not None else (None, None, None)
    return linear(query, q_w, b_q), linear(key, k_w, b_k), linear(value, v_w, b_v)


def _heads(x, batch, num_heads):
    """(S, N, E) -> (N, heads, S, E / heads)."""
    return reshape(x, (x.shape[0], batch, num_heads, -1)).permute(1, 2, 0, 3)


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask):
    """Whether the input is batched, with PyTorch's shape rules and clear errors."""
    if query.ndim not in (2, 3):
        raise ValueError(f"multi_head_attention_forward: query should be unbatched 2D or batched 3D tensor but "
                         f"received {query.ndim}-D query tensor of shape {tuple(query.shape)}")
    batched = query.ndim == 3
    what = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"multi_head_attention_forward: for {what} query, key and value must be {query.ndim}-D too; "
                         f"got key {tuple(key.shape)} and value {tuple(value.shape)}")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise ValueError(f"multi_head_attention_forward: for {what} query, key_padding_mask must be "
                         f"{query.ndim - 1}-D, got shape {tuple(key_padding_mask.shape)}")
    if attn_mask is not None and attn_mask.ndim not in (2, 3):
        raise ValueError(f"multi_head_attention_forward: attn_mask must be 2-D (L, S) or 3-D (N * num_heads, L, S), "
                         f"got shape {tuple(attn_mask.shape)}")
    return batched


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Optional[Tensor], in_proj_bias: Optional[Tensor], bias_k: Optional[Tensor],
    bias_v: Optional[Tensor], add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
    out_proj_bias: Optional[Tensor], training: bool = True, key_padding_mask=None, need_weights: bool = True,
    attn_mask=None, use_separate_proj_weight: bool = False, q_proj_weight: Optional[Tensor] = None,
    k_proj_weight: Optional[Tensor] = None, v_proj_weight: Optional[Tensor] = None,
    static_k: Optional[Tensor] = None, static_v: Optional[Tensor] = None, average_attn_weights: bool = True,
    is_causal: bool = False,
) -> Tuple[Tensor, Optional[Tensor]]:
    """Multi-head attention over (L, N, E) query and (S, N, E) key/value (or unbatched (L, E), (S, E)).

    Returns the output (L, N, E) and, with ``need_weights``, the attention
    weights (N, L, S) averaged over heads or (N, num_heads, L, S). Masks mark
    what to *ignore*: ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or
    (N * num_heads, L, S), bool (True = ignore) or float (added). As in
    PyTorch, a fully masked query row gives NaN weights when ``need_weights``
    and zeros otherwise; ``is_causal`` is only a hint and needs ``attn_mask``.

    >>> import autograd
    >>> x = autograd.randn(3, 2, 4)
    >>> w, b = autograd.randn(12, 4), autograd.zeros(12)
    >>> out, weights = multi_head_attention_forward(x, x, x, 4, 2, w, b, None, None, False, 0.0,
    ...                                             autograd.randn(4, 4), None)
    >>> out.shape, weights.shape
    ((3, 2, 4), (2, 3, 3))
    """
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask)
    if not batched:
        query, key, value = unsqueeze(query, 1), unsqueeze(key, 1), unsqueeze(value, 1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask[None]
    length, batch, embed_dim = query.shape
    if embed_dim != embed_dim_to_check:
        raise ValueError(f"multi_head_attention_forward: was expecting embedding dimension of {embed_dim_to_check}, "
                         f"but got query of shape {tuple(query.shape)}")
    if embed_dim % num_heads:
        raise ValueError(f"multi_head_attention_forward: embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    head_dim = embed_dim // num_heads
    if key.shape[:2] != value.shape[:2] or (not use_separate_proj_weight and key.shape != value.shape):
        raise ValueError(f"multi_head_attention_forward: key of shape {tuple(key.shape)} and value of shape "
                         f"{tuple(value.shape)} must agree (in sequence and batch, and in features unless the "
                         "projections are separate)")
    if key.shape[1] != batch:
        raise ValueError(f"multi_head_attention_forward: query has batch size {batch} but key has {key.shape[1]} "
                         f"(shapes {tuple(query.shape)} and {tuple(key.shape)}; batch is dimension 1 here)")
    if is_causal and attn_mask is None:
        raise RuntimeError("multi_head_attention_forward: is_causal=True is a hint that attn_mask is causal, so it "
                           "needs attn_mask; build one with ~tril(ones(L, L)) as a bool mask")
    if not training:
        dropout_p = 0.0

    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                             q_proj_weight, k_proj_weight, v_proj_weight)

    bias = None
    if attn_mask is not None:
        bias = _float_mask(attn_mask, q.dtype, True)
        source = key.shape[0]
        want = (length, source) if bias.ndim == 2 else (batch * num_heads, length, source)
        if tuple(bias.shape) != want:
            raise ValueError(f"multi_head_attention_forward: the shape of the {bias.ndim}-D attn_mask is "
                             f"{tuple(bias.shape)}, but should be {want}")
        if bias.ndim == 3:
            bias = reshape(bias, (batch, num_heads, length, source))
    kpm = None if key_padding_mask is None else _float_mask(key_padding_mask, q.dtype, True)

    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, batch, embed_dim)], 0)
        v = cat([v, bias_v.expand(1, batch, embed_dim)], 0)
        bias = None if bias is None else pad(bias, (0, 1))
        kpm = None if kpm is None else pad(kpm, (0, 1))
    elif (bias_k is None) != (bias_v is None):
        raise ValueError("multi_head_attention_forward: bias_k and bias_v must be given together")

    q = _heads(q, batch, num_heads)
    k = _heads(k, batch, num_heads) if static_k is None else _static(static_k, "static_k", batch, num_heads, head_dim)
    v = _heads(v, batch, num_heads) if static_v is None else _static(static_v, "static_v", batch, num_heads, head_dim)
    if add_zero_attn:
        zeros = Tensor._wrap(array_module(k.array).zeros(k.shape[:2] + (1, head_dim), dtype=k.dtype), None)
        k, v = cat([k, zeros], 2), cat([v, zeros], 2)
        bias = None if bias is None else pad(bias, (0, 1))
        kpm = None if kpm is None else pad(kpm, (0, 1))

    source = k.shape[2]
    if kpm is not None:
        if tuple(kpm.shape) != (batch, source):
            raise ValueError(f"multi_head_attention_forward: key_padding_mask of shape {tuple(kpm.shape)} should be "
                             f"(batch, source length) = {(batch, source)}")
        kpm = reshape(kpm, (batch, 1, 1, source))
        bias = kpm if bias is None else bias + kpm

    out, weights = _attend(q, k, v, bias, dropout_p, None, safe=not need_weights)
    out = reshape(out.permute(2, 0, 1, 3), (length, batch, embed_dim))
    out = linear(out, out_proj_weight, out_proj_bias)
    if not need_weights:
        weights = None
    elif average_attn_weights:
        weights = mean(weights, 1)
    if not batched:
        out = squeeze(out, 1)
        weights = None if weights is None else squeeze(weights, 0)
    return out, weights


def _static(x, name, batch, num_heads, head_dim):
    """A precomputed key or value, (N * num_heads, S, head_dim) -> (N, num_heads, S, head_dim)."""
    if x.ndim != 3 or x.shape[0] != batch * num_heads or x.shape[2] != head_dim:
        raise ValueError(f"multi_head_attention_forward: expected {name} of shape "
                         f"({batch * num_heads}, S, {head_dim}), got {tuple(x.shape)}")
    return reshape(x, (batch, num_heads, x.shape[1], head_dim))
