"""The CNN of PyTorch's official MNIST example: one Adadelta training step at batch 64.

Written once for both engines (``T`` is ``torch`` or ``denpa``): ``Conv2d(1,
32, 3)``, ReLU, ``Conv2d(32, 64, 3)``, ReLU, ``max_pool2d(2)``, dropout 0.25,
flatten, ``Linear(9216, 128)``, ReLU, dropout 0.5, ``Linear(128, 10)``,
``log_softmax``; ``nll_loss``; ``Adadelta(lr=1.0)``. A step is ``zero_grad``,
forward, loss, ``backward``, ``step`` on a fixed batch of 64 1x28x28 images
(standard normal, as normalised MNIST pixels). Dropout is off for the loss check.
See ``_workload.py`` for what is compared and measured.

    python benchmarks/mnist_cnn.py [--quick] [--repeat N] [--strict] [--no-gc] [--threads N] [--no-memory]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _workload as W  # noqa: E402

BATCH, LR = 64, 1.0


def make_data(np):
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, BATCH)


def build(T, np, data):
    nn, F = T.nn, T.nn.functional
    x, y = T.from_numpy(data[0].copy()), T.from_numpy(data[1].copy())

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = self.dropout1(F.max_pool2d(x, 2))
            x = F.relu(self.fc1(T.flatten(x, 1)))
            return F.log_softmax(self.fc2(self.dropout2(x)), dim=1)

    model = Net()
    opt = T.optim.Adadelta(model.parameters(), lr=LR)

    def step(fixed):
        opt.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        opt.step()
        return [loss.item()]

    return W.Workload({"model": model}, step)


def main(argv=None):
    return W.run(__doc__, sys.argv[1:] if argv is None else argv, build, make_data,
                 title="mnist_cnn: the MNIST example's CNN (conv 32, conv 64, pool, dropout, 9216-128-10), "
                       "batch 64, Adadelta step", repeat=7)


if __name__ == "__main__":
    sys.exit(main())
