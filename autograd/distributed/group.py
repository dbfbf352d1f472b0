"""The process group: which processes train together, and its life cycle (``init_process_group`` and kin).

Processes are started by the MPI launcher (``mpiexec -n 4 python train.py``); ``init_process_group`` reads
the rank and world size from MPI, so there is no address, port or store to configure. A script that never
calls it runs as one process, as before.
"""
from __future__ import annotations

import datetime
import importlib.util
import os
from typing import Optional

from .errors import DistBackendError, DistError
from .faults import install_excepthook, poll_until
from .work import seconds

__all__ = ["ProcessGroup", "init_process_group", "destroy_process_group", "is_available", "is_initialized",
           "is_mpi_available", "is_nccl_available", "get_rank", "get_world_size", "get_backend",
           "default_pg_timeout", "Backend"]

default_pg_timeout = datetime.timedelta(minutes=30)  # PyTorch's default


class Backend:
    """Backend names, as ``torch.distributed.Backend``."""

    MPI = "mpi"
    NCCL = "nccl"


class ProcessGroup:
    """The ranks of one job and how their collectives travel (MPI always; NCCL too for CUDA tensors)."""

    __slots__ = ("backend_name", "MPI", "comm", "rank", "size", "timeout_s", "faults", "mpi", "nccl", "_hook")

    def __init__(self, backend_name: str, MPI, timeout_s: float):
        from .faults import FaultChannel
        from .mpi_backend import MPIBackend

        self.backend_name, self.MPI, self.timeout_s = backend_name, MPI, timeout_s
        self.comm = MPI.COMM_WORLD.Dup()  # a private communicator: user MPI code on COMM_WORLD never collides
        self.comm.Set_errhandler(MPI.ERRORS_RETURN)  # a dead peer must raise here, not end this process
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.faults = FaultChannel(self.comm, MPI) if self.size > 1 else None
        self.mpi = MPIBackend(self)
        self.nccl = None
        self._hook = None

    # -- waiting, shared by both backends --------------------------------------------------------------------
    def test_requests(self, reqs, during: str) -> bool:
        """True when every MPI request in ``reqs`` has completed; a peer's death seen by MPI raises
        :class:`DistBackendError` naming ``during`` (the collective) and, where it can tell, the failed rank."""
        try:
            return self.MPI.Request.Testall(reqs)
        except self.MPI.Exception as e:  # a peer's death seen by MPI itself
            raise DistBackendError(f"{during}: MPI reported an error on rank {self.rank} ({e.Get_error_string()})"
                                   + ("; " + self.faults.diagnose(during, 0.0) if self.faults else "")) from None

    def wait_requests(self, reqs, during: str) -> None:
        """Wait until every request in ``reqs`` completes, watching for peer failures; past the group's timeout
        raise :class:`DistBackendError` saying where each peer is."""
        poll_until(lambda: self.test_requests(reqs, during), self.faults, during, self.timeout_s)

    def poll(self, test, during: str) -> None:
        """Call ``test()`` until it returns True, with the same failure watch and timeout as ``wait_requests``."""
        poll_until(test, self.faults, during, self.timeout_s)

    def backend_for(self, array, during: str):
        """The backend that moves ``array``: NCCL for CUDA arrays (backend 'nccl'), MPI for NumPy arrays."""
        if type(array).__module__.startswith("numpy"):
            return self.mpi
        if self.nccl is None:
            raise DistBackendError(f"{during}: this process group (backend '{self.backend_name}') moves CPU tensors "
                                   f"only; for CUDA tensors use init_process_group(backend='nccl'), or .cpu() first")
        return self.nccl

    def close(self) -> None:
        """Free what the group holds: the NCCL communicator (if any), the fault channel and the MPI communicator."""
        if self.nccl is not None:
            self.nccl.destroy()
        if self.faults is not None:
            self.faults.free()
        self.comm.Free()


_group: Optional[ProcessGroup] = None


def _current() -> Optional[ProcessGroup]:
    return _group


def default_group(during: str) -> ProcessGroup:
    """The initialised group, or the error PyTorch gives when there is none."""
    if _group is None:
        raise ValueError(f"{during}: Default process group has not been initialized, please make sure to call "
                         f"init_process_group (and start the processes with mpiexec -n N)")
    return _group


def is_mpi_available() -> bool:
    """True when mpi4py is installed (``pip install 'denpa[distributed]'``)."""
    return importlib.util.find_spec("mpi4py") is not None


def is_nccl_available() -> bool:
    """True when CuPy with NCCL and a GPU are here (the 'nccl' backend also needs mpi4py to start)."""
    from .nccl_backend import nccl_available

    return is_mpi_available() and nccl_available()


def is_available() -> bool:
    """True when this package can run collectives here (mpi4py is installed).

    >>> isinstance(is_available(), bool)
    True
    """
    return is_mpi_available()


def is_initialized() -> bool:
    """True between ``init_process_group`` and ``destroy_process_group``.

    >>> is_initialized()
    False
    """
    return _group is not None


def init_process_group(backend: Optional[str] = None, init_method: Optional[str] = None, timeout=None,
                       world_size: int = -1, rank: int = -1, store=None, group_name: str = "", pg_options=None,
                       device_id=None) -> None:
    """Join this process to the job the MPI launcher started (``mpiexec -n N python script.py``).

    ``backend`` is ``"mpi"`` (CPU tensors) or ``"nccl"`` (CUDA tensors over NCCL; CPU tensors still go over
    MPI); None picks ``"nccl"`` when NCCL is usable, else ``"mpi"``. ``timeout`` (a ``timedelta`` or seconds,
    default 30 minutes; ``DENPA_DIST_TIMEOUT`` seconds overrides the default) bounds every wait: a collective
    that a peer never joins raises :class:`DistBackendError` naming that peer, instead of hanging. ``world_size``
    and ``rank``, if given, must agree with MPI's. An uncaught exception on any rank aborts every rank after
    telling them which rank failed.
    """
    global _group
    if _group is not None:
        raise RuntimeError("init_process_group: trying to initialize the default process group twice; call "
                           "destroy_process_group() first")
    if backend is None:
        backend = Backend.NCCL if is_nccl_available() else Backend.MPI
    backend = str(backend).lower()
    if backend not in (Backend.MPI, Backend.NCCL):
        raise ValueError(f"init_process_group: backend must be 'mpi' or 'nccl', got {backend!r} (gloo is not "
                         f"offered: 'mpi' fills its place for CPU tensors)")
    if init_method not in (None, "env://", "mpi://"):
        raise ValueError(f"init_process_group: init_method {init_method!r} is not supported: processes meet through "
                         f"the MPI launcher (mpiexec), so leave init_method unset")
    if timeout is None:
        env = os.environ.get("DENPA_DIST_TIMEOUT")
        timeout = float(env) if env else default_pg_timeout
    timeout_s = seconds(timeout)
    if not is_mpi_available():
        raise DistError("init_process_group: mpi4py is not installed; pip install 'denpa[distributed]' (mpi4py and "
                        "the mpich wheel), or mpi4py built against your cluster's MPI")
    from mpi4py import MPI

    group = ProcessGroup(backend, MPI, timeout_s)
    for name, given, actual in (("world_size", world_size, group.size), ("rank", rank, group.rank)):
        if given not in (-1, None) and int(given) != actual:
            group.close()
            raise ValueError(f"init_process_group: {name}={given} disagrees with the MPI launcher's {actual}; "
                             f"start the job with mpiexec -n <world_size> and leave {name} unset")
    if backend == Backend.NCCL:
        from .nccl_backend import NCCLBackend

        try:
            group.nccl = NCCLBackend(group)
        except BaseException:
            group.close()
            raise
    _group = group
    group._hook = install_excepthook(_current)


def destroy_process_group(group=None) -> None:
    """Leave the process group (after this, ``is_initialized()`` is False and collectives raise)."""
    global _group
    if _group is None:
        raise ValueError("destroy_process_group: the default process group has not been initialized")
    g, _group = _group, None
    import sys

    if g._hook is not None:
        sys.excepthook = g._hook
    g.close()


def get_rank(group=None) -> int:
    """This process's rank, 0 to world size - 1 (raises before ``init_process_group``)."""
    return default_group("get_rank").rank


def get_world_size(group=None) -> int:
    """How many processes the job has (raises before ``init_process_group``)."""
    return default_group("get_world_size").size


def get_backend(group=None) -> str:
    """``"mpi"`` or ``"nccl"``."""
    return default_group("get_backend").backend_name
