"""Training workflow: ``fit`` / ``Trainer``, early stopping, checkpoints, history curves, metrics.

Everything here also works piece by piece inside a hand-written loop:

>>> import autograd, nn, optim
>>> from denpa.train import EarlyStopping, History, accuracy, check_finite_grads, evaluate
>>> _ = autograd.manual_seed(0)
>>> x = autograd.randn(64, 2); y = (x[:, 0] > 0).long()
>>> model = nn.Linear(2, 2)
>>> opt = optim.SGD(model.parameters(), lr=0.5)
>>> stopper, history = EarlyStopping("loss", patience=3), History()
>>> for epoch in range(1, 31):
...     loss = nn.functional.cross_entropy(model(x), y)
...     opt.zero_grad(); loss.backward()
...     check_finite_grads(model.named_parameters(), epoch=epoch)
...     opt.step()
...     logs = evaluate(model, [(x, y)], nn.functional.cross_entropy)
...     history.append(epoch, **logs)
...     if stopper.step(logs, model, epoch):
...         break
>>> history["accuracy"][-1] > 0.9
True
"""
from __future__ import annotations

from .checkpoint import load_checkpoint, save_checkpoint
from .early_stopping import EarlyStopping
from .history import History
from .metrics import accuracy, correct
from .evaluation import evaluate
from .guards import NonFiniteError, check_finite_grads, check_finite_loss
from .trainer import Trainer, fit
from .models import CNN, MLP, build_model, model_spec

__all__ = ["fit", "Trainer", "evaluate", "EarlyStopping", "History", "accuracy", "correct", "NonFiniteError",
           "check_finite_grads", "check_finite_loss", "save_checkpoint", "load_checkpoint", "MLP", "CNN",
           "build_model", "model_spec"]
