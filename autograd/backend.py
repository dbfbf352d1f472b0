"""Array modules: the one place that knows NumPy and CuPy by name.

Every op finds the module of its operands' data with :func:`array_module` and
works through it, so a tensor on the GPU (a CuPy array) runs the same op code
as one on the CPU (a NumPy array). CuPy is imported the first time CUDA is
asked for, so CPU-only use never pays for it.

Moving data: :func:`device_of`, :func:`to_device`, :func:`to_host`,
:func:`module_for` (and :func:`on_device` to create data in place). What the
two modules spell differently has one helper each: scatter-add
(:func:`index_add`), strided windows (:func:`as_strided`,
:func:`sliding_window_view`), random draws (:func:`normal`,
:func:`permutation`) and :func:`erf`.
"""
from __future__ import annotations

import importlib.util
import math
import warnings

import numpy as _np

from .buffers import buffers
from .device import Device, cpu, get_default_device

# NumPy warns (RuntimeWarning) on log(0), x / 0, sqrt(-1), overflow; PyTorch's ops are silent and return inf or
# NaN. A filter scoped to NumPy's floating-point messages raised from this project's own modules silences them
# (even under -W error) at no cost per op; np.errstate around every op would cost about 3 us each.
warnings.filterwarnings("ignore", message=r"(divide by zero|invalid value|overflow|underflow) encountered",
                        category=RuntimeWarning, module=r"(autograd|nn|optim|denpa)(\.|$)")

ndarray = _np.ndarray


class _Defaults:
    """The default floating dtype (and its complex partner), one mutable setting read at call time by every
    module that needs it, so :func:`set_default_dtype` reaches them all (a module-level ``default_float``
    imported by value would keep its old value). Hot paths read it only on their integer-input branches."""

    __slots__ = ("float", "complex")

    def __init__(self):
        self.float, self.complex = _np.dtype(_np.float32), _np.dtype(_np.complex64)


#: the process-wide defaults (``DEFAULTS.float``: float32 unless :func:`set_default_dtype` says otherwise)
DEFAULTS = _Defaults()


def set_default_dtype(d) -> None:
    """Make ``d`` (``autograd.float32`` or ``autograd.float64``) the default floating dtype, as
    ``torch.set_default_dtype``: creation functions without ``dtype=``, Python floats in data, integer inputs of
    float functions (``int tensor * 2.5``, ``sigmoid``, integer division) and new layers' parameters use it;
    complex defaults follow (complex64 / complex128). Process-wide, like PyTorch's.

    >>> import autograd
    >>> autograd.set_default_dtype(autograd.float64)
    >>> autograd.tensor([1.5]).dtype, autograd.zeros(2).dtype, (autograd.tensor([1]) * 2.5).dtype
    (dtype('float64'), dtype('float64'), dtype('float64'))
    >>> autograd.set_default_dtype(autograd.float32)
    >>> autograd.get_default_dtype()
    dtype('float32')
    """
    dt = None
    if d is not None and d is not float and not isinstance(d, str):  # PyTorch refuses these too
        try:
            dt = _np.dtype(d)
        except TypeError:
            pass
    if dt is None or dt not in (_np.dtype(_np.float32), _np.dtype(_np.float64)):  # (dtype == None is float64)
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the default type: "
                        f"autograd.float32 or autograd.float64, got {d!r}"
                        + (" (float16 is not supported as the default in denpa)" if dt == _np.float16 else ""))
    DEFAULTS.float = dt
    DEFAULTS.complex = _np.dtype(_np.complex64 if dt == _np.float32 else _np.complex128)


def get_default_dtype():
    """The default floating dtype (``autograd.float32`` unless :func:`set_default_dtype` changed it), as
    ``torch.get_default_dtype``.

    >>> import autograd
    >>> autograd.get_default_dtype() == autograd.float32
    True
    """
    return DEFAULTS.float

_MODULES = {_np.ndarray: _np}  # array type -> its module; CuPy's joins once CUDA is first used

INSTALL_HINT = "install the 'cuda' extra: pip install 'denpa[cuda]' (needs an NVIDIA GPU and CUDA 12)"


def array_module(a):
    """The array module (``numpy`` or ``cupy``) that owns array ``a``."""
    return _MODULES.get(type(a), _np)


# -- CUDA through CuPy, probed once ----------------------------------------------------------------------

_cuda = None  # (cupy or None, number of GPUs, why CUDA is unusable) after the first probe


def _probe():
    global _cuda
    if _cuda is None:
        if importlib.util.find_spec("cupy") is None:  # cheap: nothing is imported
            _cuda = (None, 0, "CuPy is not installed")
        else:
            try:
                import cupy

                n = cupy.cuda.runtime.getDeviceCount()
            except Exception as e:  # a broken install, no driver, no GPU: CuPy raises its own error types
                _cuda = (None, 0, f"CuPy is installed but cannot reach a GPU ({type(e).__name__}: {e})")
            else:
                if n:
                    _MODULES[cupy.ndarray] = cupy
                _cuda = (cupy if n else None, n, "" if n else "CuPy is installed but found no GPU")
    return _cuda


def cuda_device_count() -> int:
    """How many GPUs CuPy sees (0 without CuPy, a driver or a GPU)."""
    return _probe()[1]


def cuda_module(device=None):
    """CuPy, once it is known to work (and ``device``'s GPU to exist); else one clear error saying how to get it."""
    cp, n, why = _probe()
    name = "cuda" if device is None else str(device)
    if cp is None:
        raise RuntimeError(f"device {name!r}: CUDA is unavailable here ({why}). For GPU tensors, {INSTALL_HINT}")
    if device is not None and device.index is not None and device.index >= n:
        raise RuntimeError(f"device {name!r}: there {'is' if n == 1 else 'are'} {n} CUDA device"
                           f"{'' if n == 1 else 's'} here (cuda:0 to cuda:{n - 1})")
    return cp


def _cuda_index(cp, device) -> int:
    return cp.cuda.runtime.getDevice() if device.index is None else device.index


# -- devices of arrays, and moving arrays between them ----------------------------------------------------

_CUDA = {}  # GPU index -> Device, so tensor.device allocates nothing


def device_of(a) -> Device:
    """The device array ``a`` lives on (``cpu`` for NumPy arrays and Python numbers)."""
    if _MODULES.get(type(a), _np) is _np:
        return cpu
    i = a.device.id
    d = _CUDA.get(i)
    if d is None:
        d = _CUDA[i] = Device("cuda", i)
    return d


def module_for(device):
    """The array module that holds data on ``device`` (NumPy for the CPU, CuPy, checked, for CUDA)."""
    device = Device(device)
    return _np if device.type == "cpu" else cuda_module(device)


def resolve(device) -> Device:
    """``device`` (``None``: the default device) as a Device with its index filled in (``cuda`` -> ``cuda:i``)."""
    if device is None:
        device = get_default_device()
    elif type(device) is not Device:
        device = Device(device)
    if device.type == "cpu" or device.index is not None:
        return device
    return Device("cuda", _cuda_index(cuda_module(device), device))


def on_device(device):
    """A context, giving the array module, in which new arrays land on ``device``.

    >>> with on_device("cpu") as xp:
    ...     xp.zeros(2)
    array([0., 0.])
    """
    if type(device) is not Device:
        device = Device(device)
    if device.type == "cpu":
        return _HOST
    cp = cuda_module(device)
    return _Entered(cp.cuda.Device(_cuda_index(cp, device)), cp)


class _Entered:
    """Enter a device context (CuPy's, or none for the host) and hand back the module."""

    __slots__ = ("ctx", "xp")

    def __init__(self, ctx, xp):
        self.ctx, self.xp = ctx, xp

    def __enter__(self):
        if self.ctx is not None:
            self.ctx.__enter__()
        return self.xp

    def __exit__(self, *exc):
        return self.ctx is not None and self.ctx.__exit__(*exc)


_HOST = _Entered(None, _np)  # stateless, so one serves every CPU creation


def to_host(a):
    """``a`` as a NumPy array: ``a`` itself on the CPU, a copy from the GPU."""
    return a if _MODULES.get(type(a), _np) is _np else a.get()


def to_device(a, device):
    """Array ``a`` on ``device``: ``a`` itself when it is there already, else a copy.

    >>> import numpy as np
    >>> a = np.zeros(2)
    >>> to_device(a, "cpu") is a
    True
    """
    device = Device(device)
    if device.type == "cpu":
        return to_host(a)
    cp = cuda_module(device)
    i = _cuda_index(cp, device)
    if type(a) is cp.ndarray and a.device.id == i:
        return a
    with cp.cuda.Device(i):
        return cp.array(a, copy=True)  # host to device, or device to device


def as_array(value, dtype=None):
    """Coerce data to an array; Python floats become the default float (float32 unless changed), as in PyTorch.
    Device arrays stay where they are."""
    if type(value) is _np.ndarray and dtype is None:
        return value
    if isinstance(value, (_np.ndarray, _np.generic)):
        return _np.asarray(value, dtype=dtype)
    xp = _MODULES.get(type(value))
    if xp is None and type(value).__module__.startswith("cupy"):  # a CuPy array from outside, before CUDA's first use
        xp = cuda_module()
    if xp is not None:
        return xp.asarray(value, dtype=dtype)
    a = _np.asarray(value, dtype=dtype)
    if dtype is None and a.dtype == _np.float64:
        a = a.astype(DEFAULTS.float, copy=False)
    return a


def ensure_array(out):
    """NumPy ufuncs return scalars for 0-d input; tensors always hold arrays."""
    return _np.asarray(out) if isinstance(out, _np.generic) else out


def is_float(dtype) -> bool:
    """Whether ``dtype`` (a NumPy/CuPy dtype) is a real floating point type (complex is not)."""
    return dtype.kind == "f"


def mixed_device_error(op: str, *operands):
    """The error for op ``op`` given operands on different devices, or None when they share one.

    Ops do not compare devices before running (that would cost every op); the engine asks this only after an
    op failed, to say why.

    >>> import numpy as np
    >>> mixed_device_error("add", np.zeros(2), 1.0) is None
    True
    """
    devices = []
    for a in operands:
        if type(a) in _MODULES:
            d = device_of(a)
            if d not in devices:
                devices.append(d)
    return RuntimeError(mixed_device_message(op, devices)) if len(devices) > 1 else None


def mixed_device_message(op: str, devices) -> str:
    """What to tell the user when op ``op`` got tensors on several ``devices``.

    >>> mixed_device_message("add", [Device("cpu"), Device("cuda:0")])
    'add: tensors on cpu and cuda:0; move one with .to(...)'
    """
    names = [str(d) for d in devices]
    return f"{op}: tensors on {', '.join(names[:-1])} and {names[-1]}; move one with .to(...)"


def synchronize(device=None) -> None:
    """Wait until every kernel queued on ``device`` (default: the current CUDA device) has finished."""
    device = Device("cuda" if device is None else device)
    cp = cuda_module(device)
    with cp.cuda.Device(_cuda_index(cp, device)):
        cp.cuda.runtime.deviceSynchronize()


# -- fast array idioms ----------------------------------------------------------------------------------

def keep_where(g, keep):
    """``where(keep, g, 0)`` at the speed of ``g * keep``: a ReLU's gradient.

    The product is ten times faster than ``where`` on big arrays but turns a NaN or infinite ``g`` into NaN
    where ``keep`` is false, where PyTorch gives 0. ANDing ``g``'s bits with an all-ones or all-zeros integer
    mask gives exactly ``where``'s result in the product's time.

    >>> import numpy as np
    >>> keep_where(np.array([np.nan, np.nan, 2.0]), np.array([False, True, True]))
    array([ 0., nan,  2.])
    """
    xp = array_module(g)
    if g.dtype.kind != "f" or not g.ndim or g.shape != keep.shape:  # (NumPy scalars have no out=)
        return xp.where(keep, g, g.dtype.type(0))
    ints = xp.dtype("int%d" % (8 * g.dtype.itemsize))
    if g.nbytes >= buffers.min_bytes and keep.flags.c_contiguous:
        m = buffers.empty(xp, g.shape, ints)  # a reused buffer (NumPy), C-ordered as keep is
        m[...] = keep
    else:
        m = keep.astype(ints)
    xp.negative(m, out=m)  # True -> -1: every bit set
    xp.bitwise_and(g.view(ints), m, out=m)
    return m.view(g.dtype)


# -- what NumPy and CuPy spell differently ---------------------------------------------------------------

def index_add(z, index, g):
    """Add ``g`` into ``z`` at ``index`` in place; repeated indices accumulate (``np.add.at`` / ``cupyx.scatter_add``).

    >>> import numpy as np
    >>> z = np.zeros(3); index_add(z, np.array([0, 0, 2]), np.ones(3)); z
    array([2., 0., 1.])
    """
    if type(z) is _np.ndarray:
        _np.add.at(z, index, g)
    else:
        import cupyx

        cupyx.scatter_add(z, index, g)


def as_strided(x, shape, strides):
    """A view of ``x`` with the given shape and strides (in bytes); both modules have it, under ``lib``."""
    return array_module(x).lib.stride_tricks.as_strided(x, shape, strides)


def sliding_window_view(x, window_shape, axis=None):
    """Read-only sliding windows over ``x``, as NumPy's (built from strides for CuPy, which gained its own late)."""
    if type(x) is _np.ndarray:
        return _np.lib.stride_tricks.sliding_window_view(x, window_shape, axis)
    return _strided_windows(x, window_shape, axis)


def _strided_windows(x, window_shape, axis=None):
    window_shape = (window_shape,) if isinstance(window_shape, int) else tuple(window_shape)
    axes = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    if len(axes) != len(window_shape):
        raise ValueError(f"sliding_window_view: {len(window_shape)} window sizes for {len(axes)} axes")
    axes = tuple(a % x.ndim for a in axes)
    shape = list(x.shape)
    for a, w in zip(axes, window_shape):
        if shape[a] < w:
            raise ValueError(f"sliding_window_view: window {w} is larger than axis {a} of size {shape[a]}")
        shape[a] -= w - 1
    return as_strided(x, tuple(shape) + window_shape, tuple(x.strides) + tuple(x.strides[a] for a in axes))


def normal(g, mean, std, shape):
    """Normal samples from generator ``g`` (CuPy's Generator has ``standard_normal`` but no ``normal``)."""
    if isinstance(g, _np.random.Generator):
        return g.normal(mean, std, shape)
    return g.standard_normal(shape) * std + mean


def permutation(g, n: int):
    """A random permutation of ``range(n)`` from generator ``g`` (CuPy's Generator has no ``permutation``)."""
    if isinstance(g, _np.random.Generator):
        return g.permutation(n)
    r = g.random(n)
    return array_module(r).argsort(r)  # the order of n uniform draws is a uniform permutation


# erf is not a NumPy ufunc. NumPy arrays use the piecewise polynomials below (vectorised, a few passes over the
# array; SciPy's erf is a scalar loop and no faster); CuPy arrays use cupyx's.
# The tables are printed by scripts/erf_coefficients.py (50-digit Chebyshev fits, their errors noted per piece):
# |x| < 1: erf(x) = x * P(t), t = 2x^2 - 1; lo <= |x| < hi: erf = 1 - exp(-x^2) * Q(t), t = (2|x| - lo - hi)/(hi - lo).
# float64: |x| < 1, degree 11, fit error 5.42e-17
_ERF_P_64 = (0.9654687386698673, -0.1405360890227171, 0.019852496688984218, -0.0022854855611441132, 0.00021751715603563404, -1.7537169441124826e-05, 1.2233827638116999e-06, -7.51156928660089e-08, 4.115751497588646e-09, -2.035228404899467e-10, 9.211251258348265e-12, -3.8078827395263415e-13)
_ERF_Q_64 = (
    # [1.0, 2.0): degree 14, fit error 4.06e-17
    (1.0, 2.0, (0.3215854164543175, -0.08181145886628141, 0.019037759963870138, -0.004116363162393979, 0.0008360838095501363, -0.00016081117392807804, 2.947085758560617e-05, -5.17132601487781e-06, 8.723039528779054e-07, -1.4191835831188178e-07, 2.2329528948385056e-08, -3.397433486143377e-09, 5.033413078063669e-10, -7.824039392676891e-11, 1.1009856212826759e-11)),
    # [2.0, 3.0): degree 12, fit error 9.86e-18
    (2.0, 3.0, (0.21080636406114361, -0.03717367339489076, 0.006234499271661301, -0.0010001961729463923, 0.00015418980102808075, -2.2924715318766493e-05, 3.2971844745276174e-06, -4.599188019798769e-07, 6.235178633492107e-08, -8.22272622734919e-09, 1.0586235191729813e-09, -1.3987325536222867e-10, 1.7230443273655172e-11)),
    # [3.0, 4.0): degree 9, fit error 2.21e-17
    (3.0, 4.0, (0.15529365560906377, -0.020661788916724617, 0.002665283289663749, -0.00033413430299048777, 4.079296301913313e-05, -4.8584146778354656e-06, 5.651504483973373e-07, -6.433424364103753e-08, 7.390860198981891e-09, -8.095187040977915e-10)),
    # [4.0, 6.0): degree 8, fit error 1.20e-17
    (4.0, 6.0, (0.11070463774131449, -0.02133278889239017, 0.004040688497895646, -0.0007529083957259678, 0.00013810569428794888, -2.4912486286129895e-05, 4.4352380960302344e-06, -8.350393762203256e-07, 1.4553284442935896e-07)),
)
# float32: |x| < 1, degree 6, fit error 1.36e-09
_ERF_P_32 = (0.9654687386375511, -0.14053609728153707, 0.01985249772277959, -0.002285419528892305, 0.00021751198975739192, -1.766908081175121e-05, 1.2316401734510412e-06)
_ERF_Q_32 = (
    # [1.0, 2.25): degree 7, fit error 1.27e-08
    (1.0, 2.25, (0.3022611785106661, -0.09126887038995549, 0.025376792504293463, -0.006586768844107938, 0.001606687956165907, -0.0003731292590450464, 9.07270249311856e-05, -1.938709979580278e-05)),
    # [2.25, 4.0): degree 5, fit error 7.33e-09
    (2.25, 4.0, (0.1724453734716225, -0.044277490085765925, 0.010940324955518417, -0.0026169554707061965, 0.0006566148936734697, -0.0001493423183537217)),
)


def _horner(coeffs, t, dtype):
    """sum(coeffs[k] * t**k) by Horner's rule, in place on one new array (a reused buffer when large)."""
    c = dtype.type(coeffs[-1])
    p = buffers.binary(_np.multiply, t, float(c))
    p = t * c if p is None else p
    for k in range(len(coeffs) - 2, -1, -1):
        p += dtype.type(coeffs[k])
        if k:
            p *= t
    return p


def _erf_numpy(x):
    """erf of a NumPy array: float16/float32 computed in float32 (within a few float32 ulps), everything else in
    float64 (within a few float64 ulps; both checked against math.erf by the tests)."""
    x = _np.asarray(x)
    if x.dtype in (_np.float16, _np.float32):
        work, p_coeffs, q_pieces = _np.dtype(_np.float32), _ERF_P_32, _ERF_Q_32
    else:
        work, p_coeffs, q_pieces = _np.dtype(_np.float64), _ERF_P_64, _ERF_Q_64
    shape = x.shape
    xw = x.astype(work, copy=False).reshape(-1)  # 1-D, so 0-d inputs stay arrays through the in-place steps
    # the small piece over the whole array (t clipped to 1 so large |x| give finite values, replaced below);
    # the temporaries are reused buffers when large (fresh ones page-fault in: GELU's erf ran 3x slower)
    t = buffers.binary(_np.multiply, xw, xw)
    t = _np.multiply(xw, xw) if t is None else t
    at_least_1 = buffers.empty(_np, t.shape, _np.bool_)
    _np.greater_equal(t, 1, out=at_least_1)  # |x| >= 1; NaN compares False: stays x * P, which is NaN
    big = _np.flatnonzero(at_least_1)
    del at_least_1
    _np.minimum(t, 1, out=t)
    t *= 2
    t -= 1
    out = _horner(p_coeffs, t, work)
    out *= xw
    if big.size:
        xb = xw[big]
        ab = _np.abs(xb)
        yb = _np.ones_like(ab)  # beyond the last piece erf is 1 to the dtype's precision
        for lo, hi, q in q_pieces:
            sel = _np.flatnonzero((ab >= lo) & (ab < hi))
            if sel.size:
                a = ab[sel]
                tq = a * (2 / (hi - lo))
                tq -= (lo + hi) / (hi - lo)
                yb[sel] = 1 - _np.exp(-(a * a)) * _horner(q, tq, work)
        out[big] = _np.copysign(yb, xb)
    out = out.reshape(shape)
    return out if x.dtype == work or x.dtype.kind != "f" else out.astype(x.dtype)


def erf(x):
    """Elementwise error function of an array, in the array's dtype (integers give float64)."""
    if isinstance(x, (_np.ndarray, _np.generic)):
        return _erf_numpy(x)
    from cupyx.scipy.special import erf as _cupy_erf  # ships with CuPy, the other array module

    return _cupy_erf(x)
