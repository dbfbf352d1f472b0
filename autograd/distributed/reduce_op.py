"""``ReduceOp``: how a collective combines the ranks' values (PyTorch's names)."""
from __future__ import annotations

import enum

__all__ = ["ReduceOp"]


class ReduceOp(enum.Enum):
    """The reduction of ``all_reduce``, ``reduce_scatter`` and ``reduce``.

    ``AVG`` is ``SUM`` divided by the world size (floating dtypes only); the bitwise ones take integers or bools.

    >>> ReduceOp.SUM, ReduceOp["AVG"].name
    (<ReduceOp.SUM: 'sum'>, 'AVG')
    """

    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    AVG = "avg"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


def check_op(op, dtype, what: str) -> ReduceOp:
    """``op`` as a ReduceOp, or a clear error if it is not one or does not suit ``dtype``."""
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{what}: op must be a denpa.distributed.ReduceOp (SUM, PRODUCT, MIN, MAX, AVG, BAND, "
                        f"BOR, BXOR), got {op!r}")
    kind = dtype.kind
    if op is ReduceOp.AVG and kind not in "fc":
        raise TypeError(f"{what}: ReduceOp.AVG needs a floating-point tensor, got {dtype}; use SUM and divide")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "iub":
        raise TypeError(f"{what}: ReduceOp.{op.name} needs an integer or bool tensor, got {dtype}")
    if op in (ReduceOp.MIN, ReduceOp.MAX) and kind == "c":
        raise TypeError(f"{what}: ReduceOp.{op.name} is undefined for complex tensors ({dtype})")
    return op
