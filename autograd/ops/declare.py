"""Op declarations: each public op says once, where it is defined, every name it answers to.

A public op is a function decorated with :func:`op`. The decorator records its function names (aliases
included), its Tensor methods, its operators (``__add__``, reflected ``__radd__``), its in-place methods and
operators (``add_``, ``__iadd__``), the Scalar methods it serves, and the Node class its fast path runs. From
these records come ``autograd.ops``'s exports, the Tensor method table (``autograd/_methods.py``),
``Scalar``'s operators, ``autograd.OPS`` and the registry's completeness check; nothing else lists an op.

>>> from autograd.ops.declare import DECLARED
>>> d = DECLARED["add"]
>>> d.names, d.operators, d.reflected, d.inplace
(('add',), ('__add__',), ('__radd__',), ('add_', '__iadd__'))
"""
from __future__ import annotations

import inspect
from typing import Callable, Optional, Tuple


class Declared:
    """One public op: its function, and the names it is reached by."""

    __slots__ = ("fn", "names", "methods", "operators", "reflected", "inplace", "node", "scalar", "unary", "public",
                 "self_arg")

    def __init__(self, fn, names, methods, operators, reflected, inplace, node, scalar, unary, public, self_arg=0):
        self.fn, self.names, self.methods, self.public = fn, names, methods, public
        self.operators, self.reflected, self.inplace = operators, reflected, inplace
        self.node, self.scalar, self.unary, self.self_arg = node, scalar, unary, self_arg

    def __repr__(self):
        return f"<op {self.names[0]}>"


#: canonical name -> declaration, in declaration order
DECLARED: dict = {}


def op(*, names: Tuple[str, ...] = (), methods: Optional[Tuple[str, ...]] = None, operators: Tuple[str, ...] = (),
       reflected: Tuple[str, ...] = (), inplace: Tuple[str, ...] = (), node=None, scalar: Tuple[str, ...] = (),
       unary: bool = False, public: bool = True, self_arg: int = 0) -> Callable:
    """Declare the decorated function a public op.

    ``names``: more function names (aliases) beside the function's own. ``methods``: Tensor method names
    (default: the function's own name; ``()`` for none). ``operators`` / ``reflected``: dunder methods calling
    the op as ``op(self, other)`` / ``op(other, self)``. ``inplace``: methods and ``__i*__`` operators that
    write the result into ``self``. ``node``: the Node class the op runs when its operands are already Tensors
    (``unary`` says it takes one), so methods and operators call ``node().apply1(self)`` /
    ``node().apply2(self, other)`` directly, skipping the function's argument handling; ``scalar``: the
    ``Scalar`` methods and operators served the same way. ``public=False``: a Tensor method only, with no
    function of that name (``to``: PyTorch has no ``torch.to``). ``self_arg``: which of the function's arguments
    a method's ``self`` stands for, the others filling the rest in order (``where``: 1, as PyTorch's
    ``x.where(c, y)`` is ``where(c, x, y)``); see :func:`method`.
    """

    def declare(fn):
        name = fn.__name__
        if name in DECLARED:
            raise ValueError(f"op {name!r} is declared twice")
        DECLARED[name] = Declared(fn, (name,) + tuple(names), (name,) if methods is None else tuple(methods),
                                  tuple(operators), tuple(reflected), tuple(inplace), node, tuple(scalar), unary,
                                  public, self_arg)
        return fn

    return declare


def exports() -> dict:
    """Every function name of every declared op -> the function (what ``autograd.ops`` exports)."""
    return {n: d.fn for d in DECLARED.values() if d.public for n in d.names}


def method(d: Declared):
    """The Tensor method of declaration ``d``: the function itself, or, for an op whose ``self`` is not its first
    argument (``self_arg``), the function with ``self`` put in that place; keywords keep the function's names.

    >>> import autograd
    >>> x = autograd.tensor([1.0, 2.0])
    >>> x.where(x > 1, 0.0)
    tensor([0., 2.])
    """
    fn, k = d.fn, d.self_arg
    if d.unary:
        return fast(d)
    if k == 0:
        return fn
    names = tuple(inspect.signature(fn).parameters)
    own, rest = names[k], names[:k] + names[k + 1:]

    def bound(self, *args, **kw):
        if len(args) > len(rest):
            raise TypeError(f"{fn.__name__}() takes {len(rest)} arguments besides the tensor, got {len(args)}")
        for name, value in zip(rest, args):
            if name in kw:
                raise TypeError(f"{fn.__name__}() got multiple values for argument {name!r}")
            kw[name] = value
        if own in kw:
            raise TypeError(f"{fn.__name__}(): {own!r} is the tensor the method is called on; don't pass it again")
        kw[own] = self
        return fn(**kw)

    return _documented(bound, fn, name=True)


def fast(d: Declared, reflected: bool = False):
    """The operator (or a unary op's method) for declaration ``d``: its node applied directly where it has one.

    Methods of ops with more arguments than the operands (``add(other, alpha=2)``) are the function itself."""
    cls, fn = d.node, d.fn
    if cls is None:
        return _documented((lambda self, other: fn(other, self)), fn) if reflected else fn
    if d.unary:
        return _documented(lambda self: cls().apply1(self), fn, name=True)
    if reflected:
        return _documented(lambda self, other: cls().apply2(other, self), fn)
    return _documented(lambda self, other: cls().apply2(self, other), fn)


def _documented(method, fn, name: bool = False):
    """``method`` carrying ``fn``'s docstring (and with ``name``, its name: a unary op's method), so
    ``help(x.exp)`` and ``help(Tensor.__add__)`` show the op's."""
    method.__doc__ = fn.__doc__
    if name:
        method.__name__ = method.__qualname__ = fn.__name__
    return method
