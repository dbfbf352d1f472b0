"""DistributedDataParallel: one model replica per process, gradients averaged across processes in backward."""
from __future__ import annotations

import contextlib
import zlib

from autograd.distributed.group import default_group
from autograd.distributed.meta import check_same
from autograd.grad_mode import is_grad_enabled, no_grad

from ..module import Module
from .reducer import Reducer

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Data parallelism across the processes of ``init_process_group`` (``torch.nn.parallel`` semantics).

    At construction, rank 0's parameters and buffers are copied to every rank. Each forward (with
    ``broadcast_buffers=True``) copies rank 0's buffers again; each backward averages the gradients across
    ranks in buckets of ``bucket_cap_mb``, each bucket's all-reduce starting as soon as all of its gradients
    exist, so communication overlaps the rest of backward. Inside ``no_sync()`` gradients accumulate locally;
    the first backward outside it reduces the accumulated sum. A parameter that gets no gradient in a step
    raises an error at the next forward, unless ``find_unused_parameters=True`` (then its gradient is the
    average over the ranks that used it, or stays untouched if none did). ``state_dict`` keys start with
    ``module.``, as PyTorch's.

    >>> import nn, denpa.distributed as dist
    >>> nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    Traceback (most recent call last):
    ...
    ValueError: DistributedDataParallel: Default process group has not been initialized, please make sure to call init_process_group (and start the processes with mpiexec -n N)
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False, init_sync: bool = True):
        super().__init__()
        group = default_group("DistributedDataParallel")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got {type(module).__name__}")
        if dim != 0:
            raise ValueError(f"DistributedDataParallel: dim={dim} is not supported; each rank feeds its own batch")
        cap = 25.0 if bucket_cap_mb is None else float(bucket_cap_mb)
        if not cap > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        self.device_ids, self.output_device = device_ids, output_device
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.bucket_cap_mb = cap
        self.process_group = group
        self.require_backward_grad_sync = True
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module has no parameter that "
                               "requires a gradient")
        self._check_same_model(group, named)
        if init_sync:
            self._broadcast(group, [p for _, p in module.named_parameters()] + self._buffer_list())
        self.__dict__["_reducer"] = Reducer([p for _, p in named], [n for n, _ in named], group,
                                            int(cap * 1024 * 1024), find_unused_parameters)

    def _buffer_list(self):
        return [b for b in self.module.buffers() if b is not None]

    @staticmethod
    def _check_same_model(group, named):
        """Every rank must wrap the same architecture: otherwise the buckets would not line up (a hang)."""
        text = ";".join(f"{n}:{tuple(p.shape)}:{p.dtype}" for n, p in named)
        numel = sum(p.array.size for _, p in named)
        check_same(group, "DistributedDataParallel(parameters)", (len(named), numel), named[0][1].dtype,
                   zlib.crc32(text.encode()), "parameter names and shapes checksum")

    @staticmethod
    def _broadcast(group, tensors):
        if group.size == 1:
            return
        with no_grad():
            works = [group.backend_for(t.array, "DistributedDataParallel").broadcast(t.array, 0,
                     "DistributedDataParallel broadcast from rank 0") for t in tensors]
            for w in works:
                w.wait()

    def forward(self, *inputs, **kwargs):
        reducer = self._reducer
        reducer.check_finished()
        if self.broadcast_buffers and self.training:
            buffers = self._buffer_list()
            if buffers:
                self._broadcast(self.process_group, buffers)
        out = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            reducer.prepare(out)
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this block, backward accumulates gradients locally without communicating (gradient
        accumulation); the first backward after it averages the accumulated gradients."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    @property
    def _comm_wait_s(self) -> float:
        """Seconds backward has spent blocked on gradient all-reduces since construction."""
        return self._reducer.comm_wait_s

    def extra_repr(self) -> str:
        return f"world_size={self.process_group.size}, bucket_cap_mb={self.bucket_cap_mb:g}"

