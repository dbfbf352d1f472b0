"""``fit`` and ``Trainer``: the usual training loop, with its bookkeeping done once.

One epoch is: ``model.train()``; for each ``(inputs, targets)`` batch,
forward, loss, ``zero_grad``, ``backward``, a finite-gradient check, optional
clipping, ``optimizer.step()``; then validation under ``no_grad`` in
``eval()`` mode, the schedule's step, early stopping, callbacks and an atomic
checkpoint. Every piece is also usable on its own in a hand-written loop:
:func:`evaluate`, :func:`check_finite_grads`, :class:`EarlyStopping`,
:class:`History`, :func:`save_checkpoint`.
"""
from __future__ import annotations

import copy
import itertools
import math
import os
import time
from typing import Callable, Iterable, Optional, Sequence, Sized, Union

from autograd import grad_mode
from nn.utils import clip_grad_norm_
from autograd.random import decode_rng_state, get_rng_state, manual_seed, set_rng_state
from .checkpoint import (check_loader_rng_state, load_checkpoint, loader_rng_state, save_checkpoint,
                         set_loader_rng_state)
from .distributed import Sync, batch_checksum, gather_sums, private_seed, shard
from .early_stopping import EarlyStopping
from .evaluation import Meter, batch_metrics, evaluate, split_batch, to_device
from .guards import check_finite_grads, check_finite_loss
from .history import History
from .progress import progress_bar, want_progress

PathLike = Union[str, "os.PathLike[str]"]
_END = object()  # an exhausted loader's sentinel


def _is_plateau(scheduler) -> bool:
    return any(c.__name__ == "ReduceLROnPlateau" for c in type(scheduler).__mro__)


def _count(value, name: str) -> int:
    """A checkpoint's ``epoch`` / ``global_step``: a non-negative int (NumPy ints too, not bools or floats)."""
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise ValueError(f"Trainer.load_state_dict: the checkpoint's {name} is {value!r} "
                         f"({type(value).__name__}); expected a non-negative int")
    value = int(value.__index__())
    if value < 0:
        raise ValueError(f"Trainer.load_state_dict: the checkpoint's {name} is {value}; expected a non-negative int")
    return value


class Trainer:
    """The training loop, with the state a checkpoint needs to continue it exactly.

    ``scheduler`` steps once per epoch (``scheduler_interval='epoch'``; a
    ``ReduceLROnPlateau`` gets the monitored metric) or after every optimizer
    step (``'step'``, for ``OneCycleLR`` / ``CyclicLR``). ``monitor`` (default:
    the early stopper's, else ``val_loss`` when there is validation data, else
    ``loss``) is what the plateau schedule watches. With ``checkpoint=path``,
    the whole run state (model, optimizer, scheduler, early stopping, history,
    epoch, random state) is written atomically every ``checkpoint_every``
    epochs and after the last; ``fit(..., resume=path)`` continues that run as
    if it had never stopped. ``progress=None`` shows a tqdm bar per epoch
    (on ``stream``, default stderr) only on a terminal; ``verbose`` prints one
    line per epoch. ``max_grad_norm`` clips gradients
    (``nn.utils.clip_grad_norm_``); ``check_finite`` stops on a NaN or
    infinite loss or gradient before the optimizer step (:class:`NonFiniteError`).
    ``metrics`` maps names to ``fn(output, target) -> batch mean`` (default:
    ``accuracy`` when the targets are class labels); each is logged for the
    training batches and, prefixed ``val_``, for the validation set. ``callbacks`` are
    called as ``cb(trainer, epoch, logs)`` after each epoch and may set
    ``trainer.stop_training = True``.

    ``distributed=True`` trains data-parallel across the processes of
    ``denpa.distributed.init_process_group`` (started with ``mpiexec -n N``): every rank iterates the same
    loader (seed every rank alike), so each batch is the *global* batch; rank ``r`` trains on its contiguous
    shard of it through ``nn.parallel.DistributedDataParallel``, with its loss weighted by its share, so the
    averaged gradient is the global batch's mean whatever the shard sizes. Losses and metrics are gathered
    every step and summed in rank order, so every rank logs the same numbers and takes the same early-stopping,
    schedule and stopping decisions (a callback's ``stop_training`` on any rank stops all). Validation is
    sharded the same way. Only rank 0 prints and writes checkpoints; ``self.model`` stays the bare model, so a
    checkpoint loads in one process and a one-process checkpoint resumes here. Dropout draws from a stream
    private to each rank and epoch, while the shuffling stream stays shared. The loss must be a batch mean
    (as ``cross_entropy``'s default).

    >>> import autograd, nn, optim
    >>> _ = autograd.manual_seed(0)
    >>> x = autograd.randn(64, 2); y = (x[:, 0] > 0).long()
    >>> model = nn.Linear(2, 2)
    >>> trainer = Trainer(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.5), verbose=False)
    >>> history = trainer.fit(list(zip(x.split(16), y.split(16))), epochs=20)
    >>> history["accuracy"][-1] > 0.9
    True
    """

    def __init__(self, model, loss_fn: Callable, optimizer, *, scheduler=None, scheduler_interval: str = "epoch",
                 monitor: Optional[str] = None, metrics: Optional[dict] = None,
                 early_stopping: Optional[EarlyStopping] = None, checkpoint: Optional[PathLike] = None,
                 checkpoint_every: int = 1, max_grad_norm: Optional[float] = None, check_finite: bool = True,
                 progress: Optional[bool] = None, verbose: bool = True, device=None,
                 callbacks: Sequence[Callable] = (), stream=None, distributed: bool = False):
        if scheduler_interval not in ("epoch", "step"):
            raise ValueError(f"Trainer: scheduler_interval must be 'epoch' or 'step', got {scheduler_interval!r}")
        if checkpoint_every < 1:
            raise ValueError(f"Trainer: checkpoint_every must be >= 1 epoch, got {checkpoint_every}")
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.scheduler, self.scheduler_interval = scheduler, scheduler_interval
        self.monitor = monitor
        self.metrics = metrics
        self.early_stopping = early_stopping
        self.checkpoint = os.fspath(checkpoint) if checkpoint is not None else None
        self.checkpoint_every = int(checkpoint_every)
        self.max_grad_norm = max_grad_norm
        self.check_finite = check_finite
        self.progress, self.verbose = progress, verbose
        self.device = device
        self.callbacks = list(callbacks)
        self.stream = stream
        self.history = History()
        self.epoch = 0  # epochs completed
        self.global_step = 0  # optimizer steps taken
        self.stop_training = False
        self.stopped_early = False
        self._train_loader = None
        self._names = None
        self.distributed = bool(distributed)
        self._sync: Optional[Sync] = None  # made at fit(): wraps the model in DistributedDataParallel

    @property
    def rank(self) -> int:
        """This process's rank (0 unless training distributed)."""
        return self._sync.rank if self._sync is not None else 0

    @property
    def world_size(self) -> int:
        """How many processes train together (1 unless training distributed)."""
        return self._sync.world if self._sync is not None else 1

    # -- the pieces of an epoch --------------------------------------------------
    def _named_parameters(self):
        """``(name, parameter)`` for what the optimizer updates, named as ``model.named_parameters()`` does."""
        if self._names is None:
            named = self.model.named_parameters() if hasattr(self.model, "named_parameters") else ()
            self._names = {id(p): n for n, p in named}
        i = 0
        for group in self.optimizer.param_groups:
            for p in group["params"]:
                yield self._names.get(id(p), f"parameter {i}"), p
                i += 1

    def train_step(self, x, y, *, epoch: int, step: int):
        """One optimizer step on a batch; returns ``(loss, output)``."""
        out = self.model(x)
        loss = self.loss_fn(out, y)
        value = check_finite_loss(loss, epoch=epoch, step=step) if self.check_finite else float(loss.item())
        self.optimizer.zero_grad()
        loss.backward()
        self._after_backward(epoch, step)
        return value, out

    def train_step_sharded(self, x, y, *, epoch: int, step: int):
        """One data-parallel step on this rank's shard of the global batch ``(x, y)``.

        Returns ``(n, loss_sum, metric_sums)`` over the whole global batch (every rank's shard, summed in rank
        order), and raises if the ranks were given different global batches.
        """
        sync = self._sync
        if sync is None:
            raise RuntimeError("Trainer.train_step_sharded: this trainer has no process group to shard over; it "
                               "is made by fit() for Trainer(distributed=True) (under mpiexec); for one "
                               "process call train_step(x, y, epoch=..., step=...)")
        n = int(y.shape[0])
        lo, hi = shard(n, sync.rank, sync.world)
        own = hi - lo
        # a rank whose shard is empty (a last batch smaller than the world) runs one row with weight 0, so that
        # DistributedDataParallel still gets every gradient (zeros) from it
        xs, ys = (x[lo:hi], y[lo:hi]) if own else (x[:1], y[:1])
        out = sync.net(xs)
        loss = self.loss_fn(out, ys)
        with grad_mode.no_grad():
            metrics = batch_metrics(self.metrics, out, ys)
        names = sorted(metrics)
        local = float(loss.item())
        rows = gather_sums([batch_checksum(getattr(x, "array", None), getattr(y, "array", None)), own, local * own]
                           + [metrics[k] * own for k in names])
        if (rows[:, 0] != rows[0, 0]).any() or rows[:, 1].sum() != n:
            raise RuntimeError(f"Trainer(distributed=True): at epoch {epoch}, step {step} the ranks were given "
                               f"different batches (checksums {rows[:, 0].tolist()}); every rank must iterate the "
                               f"same loader in the same order: seed every rank alike (autograd.manual_seed) and "
                               f"do not use the global generator differently on one rank")
        total = rows.sum(axis=0)
        value = float(total[2] / n)
        if self.check_finite:
            check_finite_loss(value, epoch=epoch, step=step)
        self.optimizer.zero_grad()
        # DistributedDataParallel averages over ranks: weighting each rank's mean by its share makes the
        # average the global batch's mean (the weight is exactly 1 when the shards are equal)
        weight = own * sync.world / n
        (loss if weight == 1.0 else loss * weight).backward()
        self._after_backward(epoch, step)
        return n, float(total[2]), {k: float(total[3 + i]) for i, k in enumerate(names)}

    def _after_backward(self, epoch: int, step: int) -> None:
        if self.check_finite:
            check_finite_grads(self._named_parameters(), epoch=epoch, step=step)
        if self.max_grad_norm is not None:
            clip_grad_norm_([p for _, p in self._named_parameters()], self.max_grad_norm)
        self.optimizer.step()
        self.global_step += 1
        if self.scheduler is not None and self.scheduler_interval == "step":
            self.scheduler.step()

    def train_epoch(self, loader: Iterable, epoch: int, epochs: Optional[int] = None) -> dict:
        """Train on every batch of ``loader`` once; returns the epoch's mean ``loss`` and metrics."""
        sync = self._sync
        (sync.net if sync is not None else self.model).train()
        meter = Meter()
        total = len(loader) if isinstance(loader, Sized) else None
        desc = f"epoch {epoch}/{epochs}" if epochs else f"epoch {epoch}"
        bar = progress_bar(total, desc, want_progress(self.progress, self.stream) and self.rank == 0, self.stream)
        batches, shared = loader, None
        if sync is not None:
            it = iter(loader)
            first = next(it, _END)  # the loader has drawn this epoch's order from the shared generator now
            batches = it if first is _END else itertools.chain([first], it)
            shared = get_rng_state()
            manual_seed(private_seed(shared, sync.rank, epoch))  # dropout: a stream of this rank's own
        try:
            for step, batch in enumerate(batches, 1):
                x, y = split_batch(batch)
                x, y = to_device(x, self.device), to_device(y, self.device)
                if sync is not None:
                    n, loss_sum, sums = self.train_step_sharded(x, y, epoch=epoch, step=step)
                    meter.n += n
                    meter.loss += loss_sum
                    for k, v in sums.items():
                        meter.sums[k] = meter.sums.get(k, 0.0) + v
                else:
                    loss, out = self.train_step(x, y, epoch=epoch, step=step)
                    with grad_mode.no_grad():
                        meter.add(int(y.shape[0]), loss, batch_metrics(self.metrics, out, y))
                bar.set_postfix_str(f"loss {meter.mean_loss:.4f}", refresh=False)  # tqdm redraws at most 10x a second
                bar.update()
            bar.refresh()  # the epoch's final running loss, however fast the epoch was
        finally:
            bar.close()
            if shared is not None:
                set_rng_state(shared)  # the shared stream, as every rank left it: the next order agrees
        if meter.n == 0:
            raise ValueError(f"fit: the training loader yielded no batches in epoch {epoch} "
                             f"(empty dataset, or drop_last with fewer samples than batch_size?)")
        return meter.result()

    def evaluate(self, loader: Iterable, prefix: str = "val_") -> dict:
        """Mean loss and metrics over ``loader`` (distributed: each rank its shard of every batch, gathered)."""
        if self._sync is None:
            return evaluate(self.model, loader, self.loss_fn, metrics=self.metrics, device=self.device,
                            prefix=prefix)
        sync = self._sync
        was_training = self.model.training
        self.model.eval()
        n = loss_sum = 0.0
        sums: dict = {}
        try:
            with grad_mode.no_grad():
                for batch in loader:
                    x, y = split_batch(batch)
                    lo, hi = shard(int(y.shape[0]), sync.rank, sync.world)
                    own = hi - lo
                    xs, ys = (x[lo:hi], y[lo:hi]) if own else (x[:1], y[:1])  # names the metrics; weight 0
                    xs, ys = to_device(xs, self.device), to_device(ys, self.device)
                    out = self.model(xs)
                    n += own
                    loss_sum += float(self.loss_fn(out, ys).item()) * own
                    for k, v in batch_metrics(self.metrics, out, ys).items():
                        sums[k] = sums.get(k, 0.0) + v * own
        finally:
            if was_training:
                self.model.train()
        names = sorted(sums)
        total = gather_sums([n, loss_sum] + [sums[k] for k in names]).sum(axis=0)
        count = total[0]
        out = {f"{prefix}loss": float(total[1] / count) if count else math.nan}
        out.update({f"{prefix}{k}": float(total[2 + i] / count) if count else math.nan for i, k in enumerate(names)})
        return out

    # -- the loop ------------------------------------------------------------------
    def _monitored(self, logs: dict) -> float:
        name = self.monitor or (self.early_stopping.monitor if self.early_stopping else None) \
            or ("val_loss" if "val_loss" in logs else "loss")
        if name not in logs:
            raise KeyError(f"fit: monitored metric {name!r} is not among this epoch's metrics {sorted(logs)} "
                           f"(validation metrics need a val_loader)")
        return logs[name]

    def _check_monitor(self, has_val: bool):
        for who, name in (("monitor", self.monitor),
                          ("EarlyStopping", self.early_stopping.monitor if self.early_stopping else None)):
            if name and name.startswith("val_") and not has_val:
                raise ValueError(f"fit: {who} watches {name!r} but no val_loader was given; pass val_loader=... "
                                 f"or monitor the training metric ({name[4:]!r})")

    def fit(self, train_loader: Iterable, val_loader: Optional[Iterable] = None, epochs: int = 10, *,
            resume: Optional[PathLike] = None) -> History:
        """Train until ``epochs`` epochs in total are done (or early stopping); returns the :class:`History`."""
        if epochs < 1:
            raise ValueError(f"fit: epochs must be >= 1, got {epochs}")
        self._check_monitor(val_loader is not None)
        self._train_loader, self._names = train_loader, None
        self.stop_training = self.stopped_early = False
        if resume is not None:
            self.load_checkpoint(resume)
        if self.distributed and self._sync is None:  # after any resume: every rank holds the same state now
            self._sync = Sync(self.model)
        if self.early_stopping is not None and self.early_stopping.should_stop:
            self.stop_training = self.stopped_early = True  # a run that had already stopped: nothing to add
        while self.epoch < epochs and not self.stop_training:
            self._run_epoch(train_loader, val_loader, epochs)
        if self.stopped_early and self.early_stopping is not None:
            self.early_stopping.restore(self.model)
        return self.history

    def _run_epoch(self, train_loader, val_loader, epochs):
        epoch = self.epoch + 1
        start = time.perf_counter()
        logs = self.train_epoch(train_loader, epoch, epochs)
        if val_loader is not None:
            logs.update(self.evaluate(val_loader))
        logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        logs["time"] = time.perf_counter() - start
        self.epoch = epoch
        self.history.append(epoch, **logs)
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            if _is_plateau(self.scheduler):
                self.scheduler.step(self._monitored(logs))
            else:
                self.scheduler.step()
        improved = False
        if self.early_stopping is not None:
            if self.early_stopping.step(logs, self.model, epoch):
                self.stop_training = self.stopped_early = True
            improved = self.early_stopping.best_epoch == epoch
        for cb in self.callbacks:
            cb(self, epoch, logs)
        if self._sync is not None:  # a callback that stops one rank stops them all (else the rest would wait)
            self.stop_training = bool(gather_sums([float(self.stop_training)])[:, 0].any())
        if self.checkpoint is not None and self.rank == 0 and (epoch % self.checkpoint_every == 0
                                                               or epoch == epochs or self.stop_training):
            self.save_checkpoint(self.checkpoint)
        if self.verbose and self.rank == 0:
            self._print_epoch(epoch, epochs, logs, improved)

    def _print_epoch(self, epoch, epochs, logs, improved):
        width = len(str(epochs))
        parts = [f"epoch {epoch:>{width}}/{epochs}"]
        for k, v in logs.items():
            if k in ("lr", "time"):
                continue
            label = k.replace("accuracy", "acc")
            parts.append(f"{label} {v:.2%}" if k.endswith("accuracy") else f"{label} {v:.4f}")
        parts.append(f"lr {logs['lr']:.2e}")
        parts.append(f"{logs['time']:.2f}s")
        if improved:
            parts.append(f"* best {self.early_stopping.monitor}")
        print("  ".join(parts), flush=True)
        if self.stopped_early:
            es = self.early_stopping
            print(f"stopping early: {es.monitor} has not improved for {es.wait} epochs (best {es.best:.4f} at epoch "
                  f"{es.best_epoch}{'; its weights are restored' if es.restore_best_weights else ''})", flush=True)

    # -- checkpoints -----------------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to continue this run: weights, optimizer, schedule, stopper, history, RNG."""
        state = {
            "epoch": self.epoch,
            "global_step": self.global_step,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "history": self.history.to_dict(),
            "rng": get_rng_state(),
        }
        if self.scheduler is not None:
            state["scheduler"] = self.scheduler.state_dict()
        if self.early_stopping is not None:
            state["early_stopping"] = self.early_stopping.state_dict()
        loader_rng = loader_rng_state(self._train_loader)
        if loader_rng is not None:
            state["loader_rng"] = loader_rng
        return state

    def load_state_dict(self, state: dict) -> None:
        """Continue from a :meth:`state_dict`: all or nothing.

        The whole checkpoint is checked first (keys, counters, history, RNG states); then the model,
        optimizer, schedule and stopper load, and if any of them refuses its part, those already
        loaded are put back, so a failed load leaves the run exactly as it was.
        """
        if not isinstance(state, dict):
            raise TypeError(f"Trainer.load_state_dict: expected the dict Trainer.state_dict() returns, got "
                            f"{type(state).__name__}")
        missing = [k for k in ("epoch", "model", "optimizer", "history", "rng") if k not in state]
        for key, obj in (("scheduler", self.scheduler), ("early_stopping", self.early_stopping)):
            if obj is not None and key not in state:
                missing.append(key)
        if missing:
            raise KeyError(f"Trainer.load_state_dict: the checkpoint lacks {missing}; it was saved by a run "
                           f"without them (resume with the same scheduler / early stopping as the saved run)")
        epoch = _count(state["epoch"], "epoch")
        global_step = _count(state.get("global_step", 0), "global_step")
        try:
            history = History.from_dict(state["history"])
        except (TypeError, KeyError, ValueError, AttributeError) as e:
            raise ValueError(f"Trainer.load_state_dict: the checkpoint's history is malformed "
                             f"({type(e).__name__}: {e})") from None
        decode_rng_state(state["rng"])  # checked now (it names only known bit generators); set at the end
        if "loader_rng" in state:
            if loader_rng_state(self._train_loader) is None:
                raise ValueError("resume: the checkpoint holds the shuffling state of a loader with its own "
                                 "generator (DataLoader(seed=...)), but this train_loader has none; build it the "
                                 "same way")
            check_loader_rng_state(self._train_loader, state["loader_rng"])
        parts = [(obj, key) for obj, key in ((self.model, "model"), (self.optimizer, "optimizer"),
                                             (self.scheduler, "scheduler"), (self.early_stopping, "early_stopping"))
                 if obj is not None]
        for obj, key in parts:
            if not hasattr(state[key], "keys"):
                raise TypeError(f"Trainer.load_state_dict: the checkpoint's {key!r} is a "
                                f"{type(state[key]).__name__}, not a state dict")
        before = [copy.deepcopy(obj.state_dict()) for obj, _ in parts]
        try:  # each part checks its own entries; a later part failing puts the earlier ones back
            for obj, key in parts:
                obj.load_state_dict(state[key])
        except Exception:
            for (obj, _), saved in zip(parts, before):
                obj.load_state_dict(saved)
            raise
        # everything left was checked above and cannot fail
        set_rng_state(state["rng"])
        self.history = history
        self.epoch = epoch
        self.global_step = global_step
        if "loader_rng" in state:
            set_loader_rng_state(self._train_loader, state["loader_rng"])

    def save_checkpoint(self, path: PathLike) -> None:
        """Write :meth:`state_dict` (model, optimizer, scheduler, early stopping, history, random states) to
        ``path`` atomically; :meth:`load_checkpoint` or ``fit(resume=path)`` continues from it."""
        save_checkpoint(self.state_dict(), path)

    def load_checkpoint(self, path: PathLike) -> None:
        """Resume from a file :meth:`save_checkpoint` wrote; a checkpoint that does not fit this trainer raises
        and leaves it unchanged."""
        self.load_state_dict(load_checkpoint(path))


def fit(model, loss_fn: Callable, optimizer, train_loader: Iterable, val_loader: Optional[Iterable] = None, *,
        epochs: int = 10, resume: Optional[PathLike] = None, **options) -> History:
    """Train ``model`` for ``epochs`` epochs and return its :class:`History`.

    ``options`` are :class:`Trainer`'s: ``scheduler``, ``early_stopping``,
    ``checkpoint``, ``checkpoint_every``, ``max_grad_norm``, ``progress``,
    ``verbose``, ``metrics``, ``monitor``, ``callbacks``, ``device``.

    >>> import autograd, nn, optim
    >>> from denpa.train import fit, EarlyStopping
    >>> _ = autograd.manual_seed(0)
    >>> x = autograd.randn(96, 2); y = (x[:, 0] * x[:, 1] > 0).long()
    >>> model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    >>> batches = list(zip(x.split(32), y.split(32)))
    >>> history = fit(model, nn.functional.cross_entropy, optim.Adam(model.parameters(), lr=0.05),
    ...               batches[:2], batches[2:], epochs=40, verbose=False,
    ...               early_stopping=EarlyStopping("val_loss", patience=5))
    >>> history["val_accuracy"][-1] > 0.8
    True
    """
    return Trainer(model, loss_fn, optimizer, **options).fit(train_loader, val_loader, epochs, resume=resume)
