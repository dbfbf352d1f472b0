"""Shape ops: views and rearrangements. Views share their input's version
counter, so an in-place change through either is seen by backward."""
from __future__ import annotations

from ..grad_mode import state
from ..node import Node, Var, forward_trace
from .util import as_var, check_dim, is_int, norm_axes
from .declare import op
from .labels import call
from .cast import promoted


def _view(x, out):
    """Share ``x``'s memory bookkeeping: an in-place change of either bumps both versions,
    and backward through the view refuses to run once its base changed under it."""
    vc = x._vc
    out._vc = vc
    out._base = x if x._base is None else x._base
    node = out.grad_fn
    if node is not None:
        node.vc = (vc, vc.copy())
    return out


def _size_args(shape, op="reshape", lowest=-1):
    """Sizes given as ``f(2, 3)`` or ``f((2, 3))``: integers no smaller than ``lowest``, or the error naming ``op``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for i, s in enumerate(shape):
        if not is_int(s):
            raise TypeError(f"{op}: {'dims' if op == 'permute' else 'sizes'} must be integers, got {type(s).__name__} "
                            f"{s!r} at position {i} of {shape}")
    shape = tuple(int(s) for s in shape)
    for i, s in enumerate(shape):
        if s < lowest:
            allowed = "-1 (inferred) or a non-negative size" if lowest == -1 else "a non-negative size"
            raise ValueError(f"{op}: invalid size {s} at position {i} of {shape}; each must be {allowed}")
    return shape


class _ToShape(Node):
    """Base of the ops that give ``x`` a target ``shape`` (reshape, broadcast_to); keeps the input's shape."""

    __slots__ = ("shape", "in_shape")

    def label_args(self) -> str:
        return call(*map(str, self.shape))

    def __init__(self, shape):
        self.shape = shape


class Reshape(_ToShape):
    """``x`` in a new shape; backward: ``g`` reshaped to the input's shape."""

    __slots__ = ()
    label = "reshape"

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(f"reshape: shape {tuple(self.shape)} is invalid for input of shape {tuple(x.shape)} ({x.size} elements)") from None

    def backward(self, g, xs, out, F):
        return (F.reshape(g, self.in_shape),)


@op(names=("view",), methods=("reshape", "view"))
def reshape(x, *shape):
    """Same data, new shape; one dimension may be -1.

    >>> import autograd
    >>> autograd.arange(6.0).reshape(2, 3).shape
    (2, 3)
    """
    x = as_var(x)
    shape = _size_args(shape, "reshape")
    if shape == x.shape and not (x._rg and state.enabled):
        return x  # a recorded tensor still gets its own view (retain_grad and hooks on it must not reach x)
    if shape.count(-1) > 1:
        raise ValueError(f"reshape: only one dimension can be inferred (-1), got shape {shape} for input of shape "
                         f"{tuple(x.shape)}")
    return _view(x, Reshape(shape).apply1(x))




@op()
def flatten(x, start_dim: int = 0, end_dim: int = -1):
    """Axes ``start_dim`` to ``end_dim`` (inclusive) merged into one (``torch.flatten``); a 0-d tensor becomes 1-d.

    >>> import autograd
    >>> autograd.zeros(2, 3, 4).flatten(1).shape
    (2, 12)
    """
    x = as_var(x)
    s, e = check_dim("flatten", start_dim, x.ndim), check_dim("flatten", end_dim, x.ndim)
    if x.ndim == 0:
        return reshape(x, 1)
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for a tensor of {x.ndim} dimensions")
    n = 1
    for d in x.shape[s:e + 1]:
        n *= d
    return reshape(x, x.shape[:s] + (n,) + x.shape[e + 1:])


@op()
def squeeze(x, dim=None, *, axis=None):
    """Drop axes of size 1 (only ``dim`` when given; a non-1 ``dim`` is left as PyTorch does)."""
    x = as_var(x)
    dim = axis if dim is None else dim
    if dim is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    axes = norm_axes("squeeze", tuple(dim) if isinstance(dim, (list, tuple)) else dim, x.ndim)
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1)))


@op()
def unsqueeze(x, dim: int):
    """Insert an axis of size 1 at ``dim`` (negative counts from the end of the result)."""
    x = as_var(x)
    nd = x.ndim + 1
    if not is_int(dim):
        raise TypeError(f"unsqueeze: dim must be an integer, got {type(dim).__name__} {dim!r}")
    if not -nd <= dim < nd:
        raise IndexError(f"unsqueeze: dim {dim} is out of range for a result of {nd} dimensions")
    d = dim % nd
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


@op(methods=())
def expand_dims(x, axis):
    """NumPy's ``expand_dims``: axes of size 1 inserted at ``axis`` (an int or a tuple, positions in the result).

    >>> import autograd
    >>> autograd.expand_dims(autograd.zeros(2, 3), (0, -1)).shape
    (1, 2, 3, 1)
    """
    if isinstance(axis, (tuple, list)):
        # axes index the result (as NumPy): normalise against its rank, then insert from the lowest
        x = as_var(x)
        for a in norm_axes("expand_dims", tuple(axis), x.ndim + len(axis)):
            x = unsqueeze(x, a)
        return x
    return unsqueeze(x, axis)


class BroadcastTo(_ToShape):
    """``x`` broadcast to ``shape``; backward: ``g`` summed back to the input's shape."""

    __slots__ = ()
    label = "broadcast_to"

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return _broadcast(x, self.shape)
        except ValueError:
            raise ValueError(f"expand: cannot broadcast a tensor of shape {tuple(x.shape)} to {tuple(self.shape)}") from None

    def backward(self, g, xs, out, F):
        return (F.unbroadcast(g, self.in_shape),)


def _broadcast(x, shape):
    from ..backend import array_module

    return array_module(x).broadcast_to(x, shape)


@op()
def broadcast_to(x, *shape):
    """A read-only broadcast view; the gradient is summed back to the input's shape (-1 keeps a dimension)."""
    x = as_var(x)
    shape = _size_args(shape, "broadcast_to")
    if -1 in shape:
        return expand(x, *shape)
    if shape == x.shape:
        return x
    return _view(x, BroadcastTo(shape).apply1(x))


@op()
def expand(x, *sizes):
    """PyTorch's expand: like broadcast_to, with -1 keeping a dimension."""
    x = as_var(x)
    sizes = _size_args(sizes, "expand")
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: the number of sizes ({len(sizes)}) must be at least the tensor's dimensions ({x.ndim})")
    for i in range(lead):
        if sizes[i] == -1:
            raise ValueError(f"expand: the size -1 is not allowed in a leading, new dimension ({i}) of {sizes}; "
                             f"give its size (the tensor has shape {tuple(x.shape)})")
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


@op()
def expand_as(x, other):
    """``x`` broadcast to ``other``'s shape (``Tensor.expand_as``); the gradient sums back.

    >>> import autograd
    >>> autograd.tensor([1.0, 2.0, 3.0]).expand_as(autograd.zeros(2, 3))
    tensor([[1., 2., 3.],
            [1., 2., 3.]])
    """
    if not isinstance(other, Var):
        raise TypeError(f"expand_as: other must be a Tensor, got {type(other).__name__}; use expand(*sizes) for sizes")
    return broadcast_to(x, other.shape)


class Permute(Node):
    """Axes reordered by ``dims``; backward: ``g`` permuted by the inverse order."""

    __slots__ = ("dims",)
    label = "permute"

    def label_args(self) -> str:
        return call(*map(str, self.dims))

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, g, xs, out, F):
        inv = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inv[d] = i
        return (F.transpose(g, tuple(inv)),)


@op()
def permute(x, *dims):
    """Reorder axes: ``x.permute(2, 0, 1)``."""
    x = as_var(x)
    dims = _size_args(dims, "permute", lowest=-(1 << 62))
    if len(dims) != x.ndim:
        raise ValueError(f"permute: dims {dims} name {len(dims)} axes, but the tensor of shape {tuple(x.shape)} has "
                         f"{x.ndim}; give each axis once")
    dims = tuple(check_dim("permute", d, x.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise ValueError(f"permute: dims {dims} repeat an axis; give each of the {x.ndim} axes once")
    if dims == tuple(range(x.ndim)):
        return x
    return _view(x, Permute(dims).apply1(x))


def reverse_axes(x):
    """``x.T``: every axis reversed, a view (the axes are made here, so no argument checks run)."""
    n = x.ndim
    if n < 2:
        return x
    return _view(x, Permute(tuple(range(n - 1, -1, -1))).apply1(x))


@op()
def transpose(x, dim0=None, dim1=None, *, axes=None):
    """Swap two axes (PyTorch), or with ``axes`` permute as NumPy's transpose; no args reverses 2-D."""
    x = as_var(x)
    if axes is not None:
        return permute(x, *axes)
    if isinstance(dim0, (tuple, list)):
        return permute(x, *dim0)
    if dim0 is None and dim1 is None:
        return permute(x, *range(x.ndim - 1, -1, -1))
    nd = x.ndim
    dim0, dim1 = check_dim("transpose", dim0, nd), check_dim("transpose", dim1, nd)
    if nd == 0:
        return x
    dims = list(range(nd))
    dims[dim0 % nd], dims[dim1 % nd] = dims[dim1 % nd], dims[dim0 % nd]
    return permute(x, *dims)


@op(names=("swapdims",), methods=("swapaxes", "swapdims"))
def swapaxes(x, axis0: int, axis1: int):
    """Axes ``axis0`` and ``axis1`` swapped (``torch.swapaxes``, alias ``swapdims``): :func:`transpose`.

    >>> import autograd
    >>> autograd.zeros(2, 3, 4).swapaxes(0, 2).shape
    (4, 3, 2)
    """
    return transpose(x, axis0, axis1)




@op()
def t(x):
    """A 2-D tensor transposed; 0-d and 1-d tensors as they are (``torch.t``).

    >>> import autograd
    >>> autograd.tensor([[1.0, 2.0], [3.0, 4.0]]).t()
    tensor([[1., 3.],
            [2., 4.]])
    """
    x = as_var(x)
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor of at most 2 dimensions, got {x.ndim}; use transpose(dim0, dim1)")
    return transpose(x) if x.ndim == 2 else x


class Tile(Node):
    """``x`` repeated ``reps`` times along each axis; backward: the copies' gradients summed."""

    __slots__ = ("reps", "in_shape", "orig_shape")
    label = "tile"

    def label_args(self) -> str:
        return call(*map(str, self.reps))

    def __init__(self, reps):
        self.reps = reps

    def forward(self, x):
        from ..backend import array_module

        self.in_shape = (1,) * (len(self.reps) - x.ndim) + x.shape
        return array_module(x).tile(x, self.reps)

    def backward(self, g, xs, out, F):
        # view the result as (r0, s0, r1, s1, ...) and sum the repeat axes
        split = []
        for r, s in zip(self.reps, self.in_shape):
            split += [r, s]
        g = F.sum(F.reshape(g, tuple(split)), axis=tuple(range(0, len(split), 2)))
        return (F.reshape(g, self.orig_shape),)


@op()
def tile(x, *reps):
    """Repeat the whole tensor along each axis (NumPy's tile)."""
    x = as_var(x)
    reps = _size_args(reps, "tile", lowest=0)
    reps = (1,) * (x.ndim - len(reps)) + reps
    node = Tile(reps)
    node.orig_shape = x.shape
    return node.apply1(x)


@op()
def repeat(x, *sizes):
    """PyTorch's ``Tensor.repeat``: tile with at least as many sizes as dimensions."""
    x = as_var(x)
    sizes = _size_args(sizes, "repeat", lowest=0)
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: number of repeat sizes ({len(sizes)}) can not be smaller than the number of dimensions ({x.ndim})")
    return tile(x, *sizes)


class Flip(Node):
    """``x`` reversed along ``axes``; backward: ``g`` reversed along them."""

    __slots__ = ("axes",)
    label = "flip"

    def label_args(self) -> str:
        return call("axis=" + str(self.axes))

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        from ..backend import array_module

        return array_module(x).flip(x, self.axes)

    def backward(self, g, xs, out, F):
        return (F.flip(g, self.axes),)


@op()
def flip(x, dims=None, *, axis=None):
    """Reverse the order of elements along ``dims`` (all axes when None)."""
    x = as_var(x)
    dims = axis if dims is None else dims
    if isinstance(dims, list):
        dims = tuple(dims)
    return Flip(norm_axes("flip", dims, x.ndim)).apply1(x)


class Concat(Node):
    """Inputs joined along ``axis``; backward: ``g`` split into each input's slice."""

    __slots__ = ("axis", "sizes")
    label = "cat"

    def label_args(self) -> str:
        return call(f"axis={self.axis}")

    def forward(self, *xs):
        from ..backend import array_module

        self.sizes = [x.shape[self.axis] for x in xs]
        return array_module(xs[0]).concatenate(xs, axis=self.axis)

    def backward(self, g, xs, out, F):
        grads, start = [], 0
        lead = (slice(None),) * self.axis
        for p, n in zip(self.parents, self.sizes):
            grads.append(g[lead + (slice(start, start + n),)] if p is not None else None)
            start += n
        return tuple(grads)


def _seq_check(op, tensors):
    if isinstance(tensors, Var):  # iterating it would silently join its rows
        raise TypeError(f"{op}: expected a list or tuple of tensors, got a single Tensor of shape "
                        f"{tuple(tensors.shape)}; pass [t] (or use t itself)")
    tensors = [as_var(t) for t in tensors]
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    return tensors


@op(names=("concatenate", "concat"), methods=())
def cat(tensors, dim: int = 0, *, axis=None):
    """Join tensors along an existing axis."""
    tensors = _seq_check("cat", tensors)
    dim = dim if axis is None else axis
    nd = tensors[0].ndim
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise ValueError(f"cat: zero-dimensional tensor (at position {i}) cannot be concatenated; use stack, "
                             f"or reshape it to (1,) first")
    d = check_dim("cat", dim, nd)
    for i, t in enumerate(tensors):
        if t.ndim != nd:
            raise ValueError(f"cat: tensors must have the same number of dimensions: tensor 0 has shape "
                             f"{tuple(tensors[0].shape)} but tensor {i} has shape {tuple(t.shape)}")
        if t.shape[:d] + t.shape[d + 1:] != tensors[0].shape[:d] + tensors[0].shape[d + 1:]:
            raise ValueError(
                f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has shape "
                f"{tuple(tensors[0].shape)} but tensor {i} has shape {tuple(t.shape)}"
            )
    node = Concat()
    node.axis = d
    return node.applyn(*promoted(*tensors))




@op(methods=())
def stack(tensors, dim: int = 0, *, axis=None):
    """Join tensors along a new axis."""
    tensors = _seq_check("stack", tensors)
    dim = dim if axis is None else axis
    if not is_int(dim):
        raise TypeError(f"stack: dim must be an integer, got {type(dim).__name__} {dim!r}")
    if not -tensors[0].ndim - 1 <= dim <= tensors[0].ndim:
        raise IndexError(f"stack: dim {dim} is out of range for stacking tensors of {tensors[0].ndim} dimensions "
                         f"(expected a dim in [{-tensors[0].ndim - 1}, {tensors[0].ndim}])")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: expects each tensor to be equal size, but got {tuple(tensors[0].shape)} at entry 0 and {tuple(t.shape)} at entry {i}")
    return cat([unsqueeze(t, dim) for t in tensors], dim=dim if dim >= 0 else dim)


class Split(Node):
    """All the pieces of ``split`` from one node: backward joins their gradients into one array (zeros for a
    piece nothing reached), instead of one full-size gradient per piece as slicing would give."""

    __slots__ = ("axis", "bounds", "out_shapes")

    def __init__(self, axis, bounds):
        self.axis, self.bounds = axis, bounds

    def forward(self, x):
        lead = (slice(None),) * self.axis
        return [x[lead + (slice(a, b),)] for a, b in self.bounds]

    def join(self, pieces, F):
        """The pieces' gradients as the input's: concatenated along the axis."""
        return F.concatenate(pieces, self.axis)

    def backward(self, g, xs, out, F):
        pieces = list(g)  # one gradient per piece (a MultiGrad), None where nothing arrived
        for i, p in enumerate(pieces):
            if p is None:
                shape, dtype, xp = self.out_shapes[i]
                z = xp.zeros(shape, dtype)
                pieces[i] = _wrap_like(z, None) if F.graph else z
        return (self.join(pieces, F),)

    def apply(self, x):
        """Run on Tensor ``x``: a tuple of views of it, each the output of one selector node."""
        from ..function import _Select

        pieces = self.forward(x.array)
        record = x._rg and state.enabled
        if record:
            self.parents = (x.grad_fn or x,)
            self.saved = self.out = self.vc = None
            self.out_shapes = tuple((p.shape, p.dtype, x._module()) for p in pieces)
            if state.anomaly:
                self.trace = forward_trace()
        n = len(pieces)
        return tuple(_view(x, x._wrap(p, _Select.make(self, i, n) if record else None)) for i, p in enumerate(pieces))


class Unbind(Split):
    """``unbind``: the pieces are single positions with the axis dropped; backward stacks them."""

    __slots__ = ()

    def forward(self, x):
        lead = (slice(None),) * self.axis
        return [x[lead + (i,)] for i in range(x.shape[self.axis])]

    def join(self, pieces, F):
        """The pieces' gradients as the input's: stacked along the axis they were taken from."""
        return F.stack(pieces, self.axis)


def _wrap_like(data, node):
    from ..tensor import wrap_like

    return wrap_like(data, node)


@op()
def split(x, split_size_or_sections, dim: int = 0):
    """Split into pieces of ``split_size`` (the last may be smaller) or of the given list of sizes.

    >>> import autograd
    >>> [p.shape for p in autograd.arange(5.0).split(2)]
    [(2,), (2,), (1,)]
    """
    x = as_var(x)
    if x.ndim == 0:
        raise ValueError("split: expects at least a 1-dimensional tensor, got a 0-d tensor; reshape it first")
    d = check_dim("split", dim, x.ndim)
    n = x.shape[d]
    if not is_int(split_size_or_sections) and not (isinstance(split_size_or_sections, (list, tuple)) and
                                                   all(is_int(s) for s in split_size_or_sections)):
        raise TypeError(f"split: split_size_or_sections must be an integer or a list of integers, got "
                        f"{type(split_size_or_sections).__name__} {split_size_or_sections!r}")
    if is_int(split_size_or_sections):
        split_size_or_sections = int(split_size_or_sections)
        if split_size_or_sections <= 0:
            raise ValueError(f"split: split_size must be positive, got {split_size_or_sections}")
        sizes = [split_size_or_sections] * (n // split_size_or_sections)
        if n % split_size_or_sections:
            sizes.append(n % split_size_or_sections)
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise ValueError(f"split: sections {sizes} must be non-negative sizes")
        if sum(sizes) != n:
            raise ValueError(f"split: sections {sizes} sum to {sum(sizes)}, but dimension {d} has size {n}")
    bounds, start = [], 0
    for s in sizes:
        bounds.append((start, start + s))
        start += s
    return Split(d, bounds).apply(x)


@op()
def unbind(x, dim: int = 0):
    """The slices of ``x`` along ``dim``, that dimension removed, as PyTorch's (one node for all of them).

    >>> import autograd
    >>> a, b = autograd.tensor([[1.0, 2.0], [3.0, 4.0]]).unbind(1)
    >>> a, b
    (tensor([1., 3.]), tensor([2., 4.]))
    """
    x = as_var(x)
    if x.ndim == 0:
        raise ValueError("unbind: a 0-d tensor has no dimension to unbind; use item() or reshape it first")
    return Unbind(check_dim("unbind", dim, x.ndim), None).apply(x)


@op()
def chunk(x, chunks: int, dim: int = 0):
    """Split into ``chunks`` pieces of equal size (the last may be smaller), as PyTorch."""
    x = as_var(x)
    if not is_int(chunks):
        raise TypeError(f"chunk: chunks must be an integer, got {type(chunks).__name__} {chunks!r}")
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    if x.ndim == 0:
        raise ValueError("chunk: expects at least a 1-dimensional tensor, got a 0-d tensor; reshape it first")
    n = x.shape[check_dim("chunk", dim, x.ndim)]
    size = -(-n // chunks) if n else 1
    return split(x, size, dim)


class Pad(Node):
    """``x`` padded with a constant by ``widths``; backward: the inner part of ``g``."""

    __slots__ = ("widths", "value", "mode")
    label = "pad"

    def label_args(self) -> str:
        return call(str(self.widths), f"value={self.value:g}" if self.value else "")

    def forward(self, x):
        from ..backend import array_module

        xp = array_module(x)
        if not self.widths:  # a 0-d tensor: np.pad rejects an empty pad_width
            return x.copy()
        return xp.pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, g, xs, out, F):
        idx = tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(self.widths))
        return (g[idx],)


@op(methods=())
def pad(x, pad, mode: str = "constant", value: float = 0.0):
    """PyTorch's ``F.pad``: ``pad`` lists (left, right) widths starting from the last dimension."""
    x = as_var(x)
    if not isinstance(pad, (tuple, list)) or not all(is_int(p) for p in pad):
        raise TypeError(f"pad: pad must be a tuple of integers (left, right, ...), got {pad!r}")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"pad: value must be a number, got {type(value).__name__} {value!r}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: pad length {len(pad)} must be even and at most 2 * ndim ({2 * x.ndim})")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {pad} is not supported; slice the tensor instead")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise ValueError(f"pad: unknown mode {mode!r}; expected 'constant', 'reflect', 'replicate' or 'circular'")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode != "constant":
        # the other modes are gathers: index each axis by its padded arange, so backward is getitem's scatter-add
        xp = x._module()
        idx = [xp.pad(xp.arange(n), w, mode={"replicate": "edge", "reflect": "reflect", "circular": "wrap"}[mode])
               for n, w in zip(x.shape, widths)]
        return x[xp.ix_(*idx)] if idx else x
    node = Pad()
    node.widths, node.value, node.mode = tuple(widths), value, mode
    return node.apply1(x)


@op()
def narrow(x, dim: int, start, length: int):
    """The ``length`` entries of ``x`` from ``start`` along ``dim``: a view (``x[..., start:start + length]``).

    ``start`` may be negative (counted from the end) or a 0-d integer tensor, as in PyTorch.

    >>> import autograd
    >>> autograd.arange(6).reshape(2, 3).narrow(1, 1, 2)
    tensor([[1, 2],
            [4, 5]])
    """
    x = as_var(x)
    if x.ndim == 0:
        raise RuntimeError("narrow: cannot be applied to a 0-dim tensor; reshape it to (1,) first")
    d = check_dim("narrow", dim, x.ndim)
    if isinstance(start, Var):
        if start.ndim != 0 or start.dtype.kind not in "iu":
            raise TypeError(f"narrow: start must be an integer or a 0-d integer tensor, got a {start.dtype} "
                            f"tensor of shape {tuple(start.shape)}")
        start = int(start.item())
    for name, v in (("start", start), ("length", length)):
        if not is_int(v):
            raise TypeError(f"narrow: {name} must be an integer, got {type(v).__name__} {v!r}")
    size = x.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"narrow: start {start} is out of range for dimension {d} of size {size} "
                         f"(expected a start in [{-size}, {size}])")
    start = start % size if size and start < 0 else start
    if length < 0 or start + length > size:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension {d} of size {size} "
                           f"(shape {tuple(x.shape)})")
    return x[(slice(None),) * d + (slice(start, start + length),)]
