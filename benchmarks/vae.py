"""The VAE of PyTorch's official example: 784-400-20 encoder, 20-400-784 decoder, one Adam step at batch 128.

Written once for both engines (``T`` is ``torch`` or ``denpa``): ``fc1``
784->400 + ReLU, ``fc21``/``fc22`` 400->20 (mean and log-variance), the
reparameterisation ``mu + eps * exp(logvar / 2)``, ``fc3`` 20->400 + ReLU,
``fc4`` 400->784 + sigmoid; the loss is the summed binary cross-entropy of the
reconstruction plus the KL divergence, ``-0.5 * sum(1 + logvar - mu^2 -
exp(logvar))``; ``Adam(lr=1e-3)``. A step is ``zero_grad``, forward, loss,
``backward``, ``step`` on a fixed batch of 128 images (uniform in [0, 1]);
``eps`` is drawn each step with ``randn_like`` (fixed for the loss check).
See ``_workload.py`` for what is compared and measured.

    python benchmarks/vae.py [--quick] [--repeat N] [--strict] [--no-gc] [--threads N] [--no-memory]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _workload as W  # noqa: E402

BATCH, LR = 128, 1e-3


def make_data(np):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, (BATCH, 784)).astype(np.float32), rng.standard_normal((BATCH, 20)).astype(np.float32)


def build(T, np, data):
    nn, F = T.nn, T.nn.functional
    x, fixed_eps = T.from_numpy(data[0].copy()), T.from_numpy(data[1].copy())

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
            self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

        def forward(self, x, eps):
            h1 = F.relu(self.fc1(x))
            mu, logvar = self.fc21(h1), self.fc22(h1)
            std = T.exp(0.5 * logvar)
            z = mu + (T.randn_like(std) if eps is None else eps) * std
            return T.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar

    model = VAE()
    opt = T.optim.Adam(model.parameters(), lr=LR)

    def step(fixed):
        opt.zero_grad()
        recon, mu, logvar = model(x, fixed_eps if fixed else None)
        bce = F.binary_cross_entropy(recon, x.view(-1, 784), reduction="sum")
        kld = -0.5 * T.sum(1 + logvar - mu.pow(2) - logvar.exp())
        loss = bce + kld
        loss.backward()
        opt.step()
        return [loss.item()]

    return W.Workload({"model": model}, step)


def main(argv=None):
    return W.run(__doc__, sys.argv[1:] if argv is None else argv, build, make_data,
                 title="vae: 784-400-20 VAE of the official example, batch 128, Adam step", repeat=15, number=3)


if __name__ == "__main__":
    sys.exit(main())
