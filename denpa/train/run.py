"""``denpa train``: data, a :class:`~denpa.train.Trainer` run, the test accuracy, and the run folder.

Writes into ``--out``:

- ``model.npz``: the weights (``nn.save``: a format that cannot run code on load),
- ``curves.png``: loss and accuracy, train and validation,
- ``graph.svg``: the model's computation graph with module clusters
  (``graph.dot`` when Graphviz's ``dot`` program is missing),
- ``summary.json``: arguments, architecture, preprocessing, per-epoch history,
  test accuracy, timings and versions (what ``denpa predict`` rebuilds the model from),
- ``checkpoint.npz``: the run state, for ``--resume``.

Under an MPI launcher (``mpiexec -n N denpa train ...``) the N processes train one model data-parallel
(:class:`~denpa.train.Trainer` with ``distributed=True``): ``--batch-size`` is the global batch, each rank
trains on its shard of every batch, losses and metrics are summed over the ranks, and only rank 0 prints and
writes files. Rank 0 first says which PID each rank has (MPICH's launcher names a killed process by PID).
A rank that fails tells the others, which stop with an error naming it; every other wait is bounded by
``DENPA_DIST_TIMEOUT`` seconds (default 300).
"""
from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import numpy as np  # host-side preparation of the data set, before it becomes tensors

import autograd
import nn
import optim

from autograd import data
from autograd.files import atomic_write
from .cli import (CHECKPOINT, CURVES, GRAPH, OPTIMIZERS, RUN_FILES, RUN_FLAGS, SUMMARY, WEIGHTS, CommandError,
                  UsageError)
from .early_stopping import EarlyStopping
from .evaluation import evaluate
from .guards import NonFiniteError
from .models import build_model, model_spec
from .checkpoint import load_checkpoint as trainer_checkpoint
from .distributed import launcher_world_size, rank_table
from .distributed import shard as _shard_of
from .trainer import Trainer

#: how long a rank of a distributed run waits for a silent peer (DENPA_DIST_TIMEOUT overrides it): long enough
#: for rank 0 to write the run's files while the others wait, short enough that a hung job ends the same hour
DIST_TIMEOUT_S = 300.0


class Prepared:
    """The split, standardised arrays of a run, and what ``predict`` needs to preprocess alike."""

    def __init__(self, name, x_train, y_train, x_val, y_val, x_test, y_test, classes):
        # one mean and std over all training pixels: the same transform works on any image size
        self.mean, self.std = float(x_train.mean()), float(x_train.std()) or 1.0
        self.input_range = [float(x_train.min()), float(x_train.max())]
        self.name, self.classes = name, list(classes)
        self.x_train, self.x_val, self.x_test = (self.standardize(x) for x in (x_train, x_val, x_test))
        self.y_train, self.y_val, self.y_test = (np.asarray(y, dtype=np.int64) for y in (y_train, y_val, y_test))
        self.input_shape = list(x_train.shape[1:])

    def standardize(self, x):
        """``x`` with the training data's mean and std taken out, as float32 (the model's input scale)."""
        return ((x - self.mean) / self.std).astype(np.float32)

    def describe(self) -> dict:
        """The dataset's name, input shape, classes and split sizes, for the run's summary."""
        return {"name": self.name, "input_shape": self.input_shape, "classes": self.classes,
                "train": len(self.y_train), "val": len(self.y_val), "test": len(self.y_test)}

    def preprocess(self) -> dict:
        """The mean, std and raw input range that ``denpa predict`` applies to new inputs."""
        return {"mean": self.mean, "std": self.std, "input_range": self.input_range}


def load_data(args) -> Prepared:
    """Load ``args.dataset`` at its raw scale and split it into train / validation / test by ``args.seed``.

    Raw grey levels (0..16 for digits, 0..255 for MNIST) are kept, so ``denpa predict``
    takes images as the data set stores them; the standardisation is recorded. Digits and
    spiral are split as ``data.train_val_test_split(ds, fractions, seed=args.seed)`` splits
    them in Python (see :func:`autograd.data.digits`): the same samples in each part.
    """
    if args.dataset in ("mnist", "fashion-mnist"):
        cls = data.MNIST if args.dataset == "mnist" else data.FashionMNIST
        timeout = getattr(args, "download_timeout", None)
        options = {"download": True, "normalize": False} | ({} if timeout is None else {"timeout": timeout})
        train, test = cls(train=True, **options), cls(train=False, **options)
        x, y = train.data.numpy(), train.targets.numpy()
        fractions = (1.0 - args.val_fraction, args.val_fraction, 0.0)
        (x_tr, y_tr), (x_val, y_val), _ = data.train_val_test_split((x, y), fractions, seed=args.seed, stratify=y)
        return Prepared(args.dataset, x_tr, y_tr, x_val, y_val, test.data.numpy(), test.targets.numpy(),
                        train.classes)
    if args.dataset == "digits":
        ds = data.digits(flatten=False, normalize=False)
    else:
        ds = data.spiral(n_per_class=300, seed=args.seed)
    x, y = ds.data.numpy(), ds.targets.numpy()
    fractions = (1.0 - args.val_fraction - args.test_fraction, args.val_fraction, args.test_fraction)
    (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = data.train_val_test_split((x, y), fractions, seed=args.seed)
    return Prepared(args.dataset, x_tr, y_tr, x_val, y_val, x_te, y_te, ds.classes)


# -- training ----------------------------------------------------------------------------
def _optimizer(args, params):
    cls_name, default_lr, extra = OPTIMIZERS[args.optimizer]
    lr = args.lr if args.lr is not None else default_lr
    return getattr(optim, cls_name)(params, lr=lr, weight_decay=args.weight_decay, **extra), lr


def _scheduler(args, optimizer):
    if args.scheduler == "plateau":
        return optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=max(1, args.patience // 2))
    if args.scheduler == "cosine":
        return optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    return None


def blas_threads(n: int = 1):
    """A context limiting BLAS to ``n`` threads (via threadpoolctl, which scikit-learn brings; else no-op).

    These models multiply small matrices: one BLAS thread is fastest, and more
    threads spin-wait for each other, which on a busy 2-core machine made the
    CNN run 8x slower (83 s against 10.5 s).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api="blas")


def _say(args, *parts):
    if not args.quiet:
        print(*parts, flush=True)


class RunTrainer(Trainer):
    """A :class:`Trainer` whose checkpoints also record the run's flags (``state["run"]``), so ``--resume``
    continues with them and refuses ones that differ."""

    def __init__(self, *a, run_flags: dict, **kw):
        super().__init__(*a, **kw)
        self.run_flags = dict(run_flags)

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["run"] = dict(self.run_flags)
        return state


def _resume(trainer: Trainer, state: dict, path: Path) -> None:
    """Load a checkpoint that ``cli.read_checkpoint`` checked; one that still does not fit: exit code 2."""
    state = dict(state)
    if trainer.early_stopping is not None and "early_stopping" not in state:
        # the run had early stopping off (--patience 0) and now turns it on: it starts counting from here
        state["early_stopping"] = trainer.early_stopping.state_dict()
    try:
        trainer.load_state_dict(state)
    except (ValueError, KeyError, RuntimeError, TypeError, AttributeError, IndexError) as e:
        raise UsageError(f"--resume: {path} does not fit this command ({e}); resume with the flags of the run "
                         f"that wrote it, or start a new run in another --out") from e


def _start_group(args):
    """Join the MPI job when an MPI launcher started several of us; None for a one-process run."""
    world = launcher_world_size()
    if world < 2:
        return None
    import autograd.distributed as dist

    if not dist.is_available():
        raise CommandError(f"started by an MPI launcher as one of {world} processes, but mpi4py is not installed, "
                           f"so each would train alone: pip install 'denpa[distributed]'")
    backend = "nccl" if str(args.device).startswith("cuda") and dist.is_nccl_available() else "mpi"
    timeout = None if os.environ.get("DENPA_DIST_TIMEOUT") else DIST_TIMEOUT_S
    try:
        dist.init_process_group(backend, timeout=timeout)
    except (RuntimeError, ValueError) as e:
        raise CommandError(f"could not join the {world} processes of this MPI job: {e}") from e
    return dist


def train(args) -> dict:
    """Run ``denpa train`` with parsed, checked ``args``; returns the summary it wrote (on every rank).

    Under ``mpiexec -n N`` (N > 1) the processes train together; see the module's docstring.
    """
    dist = _start_group(args)
    if dist is None:
        return _train(args, None)
    from autograd.distributed import DistError, PeerFailure
    from autograd.distributed.group import default_group

    rank, world = dist.get_rank(), dist.get_world_size()
    try:
        summary = _train(args, dist)
        dist.barrier()  # rank 0 has written the files: a failure there reaches every rank
        return summary
    except PeerFailure as e:  # another rank failed and said so: stop too, naming it
        raise CommandError(f"rank {rank} of {world} stops: {e}") from e
    except BaseException as e:
        # tell the others now, or they would wait for this rank until the timeout; they print their own error
        # naming this rank while this one goes on to print its own
        _tell_peers(default_group("denpa train"), f"{type(e).__name__}: {e}" if str(e) else type(e).__name__)
        if isinstance(e, DistError):  # a timeout naming a silent peer, or a collective that failed
            raise CommandError(f"rank {rank} of {world} stops: {e}") from e
        if isinstance(e, CommandError):
            e.args = (f"rank {rank} of {world}: {e}",)
        raise
    finally:
        dist.destroy_process_group()


def _tell_peers(group, reason: str) -> None:
    try:
        group.faults.report_failure(reason, 1.0)
    except Exception:  # MPI refused (a peer is already gone): this rank's own error still follows
        pass


def _train(args, dist) -> dict:
    rank, world = (dist.get_rank(), dist.get_world_size()) if dist is not None else (0, 1)
    lead = rank == 0
    if not lead:  # the others train silently; rank 0 speaks for the job
        args.quiet = True
    if dist is not None:
        table = rank_table()
        if lead:  # even with --quiet: when a rank is killed, MPICH's banner names only its PID
            print(f"denpa train: {world} processes ({dist.get_backend()}): " + "; ".join(table), file=sys.stderr,
                  flush=True)
        if args.batch_size < world:
            raise UsageError(f"--batch-size {args.batch_size} is the global batch, shared by the {world} "
                             f"processes: give at least {world} (one sample per process)")
    t0 = time.perf_counter()
    out = Path(args.out)
    if lead and getattr(args, "overwrite", False):  # only the files a run writes: anything else stays
        for name in RUN_FILES:
            if (out / name).is_file():
                (out / name).unlink()
    if getattr(args, "resume_note", None):
        _say(args, args.resume_note)
    autograd.manual_seed(args.seed)  # the same on every rank: the same split, initial weights and shuffling
    if dist is not None and not lead:
        dist.barrier()  # rank 0 downloads (or reads) the data set first; the others then read its cache
    try:
        prepared = load_data(args)
    except (OSError, RuntimeError, ImportError, ValueError) as e:
        raise CommandError(f"could not load the {args.dataset} dataset: {e}") from e
    if dist is not None and lead:
        dist.barrier()
    t_data = time.perf_counter() - t0
    d = prepared.describe()
    kind = "points" if len(d["input_shape"]) == 1 else "images"
    _say(args, f"data: {d['name']}, {kind} of shape {tuple(d['input_shape'])}, {len(d['classes'])} classes: "
               f"{d['train']} train / {d['val']} validation / {d['test']} test")

    def loader(x, y, shuffle):
        ds = data.TensorDataset(autograd.tensor(x, device=args.device), autograd.tensor(y, device=args.device))
        return data.DataLoader(ds, batch_size=args.batch_size, shuffle=shuffle)

    spec = model_spec(args.model, prepared.input_shape, len(prepared.classes))
    model = build_model(spec).to(args.device)
    n_params = sum(p.numel() for p in model.parameters())
    optimizer, lr = _optimizer(args, model.parameters())
    stopper = EarlyStopping("val_loss", patience=args.patience) if args.patience else None
    per_rank = "" if world == 1 else f" ({world} processes, {-(-args.batch_size // world)} each at most)"
    _say(args, f"model: {type(model).__name__} ({n_params:,} parameters); {args.optimizer} lr {lr:g}, "
               f"batch {args.batch_size}{per_rank}, up to {args.epochs} epochs"
               + (f", early stopping on val_loss (patience {args.patience})" if stopper else ""))

    run_flags = {name: getattr(args, name) for name in RUN_FLAGS}
    run_flags.update(lr=lr, patience=args.patience)
    trainer = RunTrainer(model, nn.functional.cross_entropy, optimizer, scheduler=_scheduler(args, optimizer),
                         early_stopping=stopper, checkpoint=out / CHECKPOINT, progress=False if args.quiet else None,
                         verbose=not args.quiet, run_flags=run_flags, distributed=dist is not None)
    if args.resume:
        state = getattr(args, "resume_state", None)
        _resume(trainer, state if state is not None else trainer_checkpoint(out / CHECKPOINT), out / CHECKPOINT)
    t1 = time.perf_counter()
    try:
        with blas_threads(1):
            history = trainer.fit(loader(prepared.x_train, prepared.y_train, True),
                                  loader(prepared.x_val, prepared.y_val, False), epochs=args.epochs)
    except NonFiniteError as e:
        kept = f" ({out / CHECKPOINT} holds epoch {trainer.epoch})" if trainer.epoch else ""
        raise CommandError(f"{e}{kept}") from e
    except KeyboardInterrupt:
        if trainer.epoch and lead:
            print(f"\ninterrupted in epoch {trainer.epoch + 1}; {out / CHECKPOINT} holds epoch {trainer.epoch}: "
                  f"continue with denpa train --resume --out {out} (it keeps the run's flags)", file=sys.stderr)
        raise
    t_train = time.perf_counter() - t1

    t2 = time.perf_counter()
    with blas_threads(1):
        test_loader = loader(prepared.x_test, prepared.y_test, False)
        test = (trainer.evaluate(test_loader, prefix="") if dist is not None
                else evaluate(model, test_loader, nn.functional.cross_entropy))
    t_test = time.perf_counter() - t2
    n_test = len(prepared.y_test)
    correct = int(round(test["accuracy"] * n_test))
    best_epoch = stopper.best_epoch if stopper else trainer.epoch
    if not lead:  # rank 0 writes the run's files
        return {"world_size": world, "rank": rank, "test": {"loss": test["loss"], "accuracy": test["accuracy"]}}

    nn.save(model.state_dict(), out / WEIGHTS)
    files = {"weights": WEIGHTS, "checkpoint": CHECKPOINT, "summary": SUMMARY}
    files["curves"] = _write_curves(history, out / CURVES, best_epoch if stopper else None,
                                    f"{args.model} on {args.dataset}")
    files["graph"], graph_note = _write_graph(model, prepared.x_test[:2], out / GRAPH)
    summary = {
        "denpa": autograd.__version__,
        "command": "denpa " + " ".join(sys.argv[1:] if args.argv is None else args.argv),
        "args": {k: v for k, v in vars(args).items()
                 if k not in ("argv", "command", "handler", "resume_state", "resume_note")},
        "dataset": d,
        "model": spec,
        "parameters": n_params,
        "world_size": world,
        "distributed": None if dist is None else {
            "backend": dist.get_backend(), "world_size": world, "global_batch": args.batch_size,
            "batch_per_rank": [hi - lo for lo, hi in (_shard_of(args.batch_size, r, world) for r in range(world))]},
        "preprocess": prepared.preprocess(),
        "optimizer": {"name": args.optimizer, "lr": lr, "weight_decay": args.weight_decay},
        "epochs_run": trainer.epoch,
        "best_epoch": best_epoch,
        "stopped_early": trainer.stopped_early,
        "history": history.to_dict(),
        "test": {"loss": test["loss"], "accuracy": test["accuracy"], "correct": correct, "total": n_test},
        "timings_s": {"data": round(t_data, 4), "train": round(t_train, 4), "test": round(t_test, 4),
                      "total": round(time.perf_counter() - t0, 4),
                      "per_epoch": [round(t, 4) for t in history["time"]]},
        "versions": _versions(),
        "files": files,
    }
    _write_json(summary, out / SUMMARY)
    print(f"test accuracy {test['accuracy']:.2%} ({correct}/{n_test}), test loss {test['loss']:.4f}  "
          f"[{trainer.epoch} epochs, best {best_epoch}, {t_train:.1f}s training]", flush=True)
    written = ", ".join(v for v in files.values() if v)
    _say(args, f"wrote {out}{os.sep}: {written}")
    if graph_note:
        _say(args, graph_note)
    _say(args, f"classify {kind} with: denpa predict --weights {out} --input {kind}.npy")
    return summary


def _write_json(obj, path: Path) -> None:
    """Atomic, like the weights: a crash leaves the old summary or the new one, never half of one."""
    text = json.dumps(obj, indent=2) + "\n"
    with atomic_write(path, "denpa train (summary)") as f:
        f.write(text.encode())


def _write_curves(history, path: Path, best_epoch, title):
    try:
        history.plot(path, best_epoch=best_epoch, title=title)
    except ImportError as e:
        print(f"note: no {path.name}: {e}", file=sys.stderr)
        return None
    return path.name


def _write_graph(model, x, stem: Path):
    """The SVG of one forward pass with module clusters, or its DOT source when it cannot be rendered."""
    model.eval()
    try:
        graph = autograd.draw(model(autograd.tensor(x)))
    except ImportError as e:
        return None, f"note: no graph drawn ({e})"
    if shutil.which("dot") is None:
        reason = "Graphviz's 'dot' program is not installed (apt-get install graphviz / brew install graphviz)"
    else:
        try:
            graph.save(str(stem.with_suffix(".svg")))
            return stem.with_suffix(".svg").name, None
        except (RuntimeError, OSError) as e:
            reason = f"rendering it failed ({e})"
    dot = stem.with_suffix(".dot")
    dot.write_text(graph.source)
    return dot.name, (f"note: {reason}, so the graph is {dot.name}, its DOT source; render it later with "
                      f"dot -Tsvg {dot} -o {stem.with_suffix('.svg')}")


def _versions() -> dict:
    v = {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform()}
    for name in ("matplotlib", "tqdm", "sklearn", "graphviz"):
        mod = sys.modules.get(name)
        if mod is not None:
            v[name] = getattr(mod, "__version__", "?")
    return v
