"""A DCGAN iteration at 64x64: generator and discriminator of PyTorch's dcgan example, batch 16, Adam.

The networks of PyTorch's ``dcgan`` example (nz 100, ngf = ndf = 64, 3
channels), written once for both engines (``T`` is ``torch`` or ``denpa``).
Generator: ``ConvTranspose2d`` 100->512 (4, 1, 0) then 512->256->128->64->3
(4, 2, 1), no biases, ``BatchNorm2d`` + ``ReLU`` between, ``Tanh`` last.
Discriminator: ``Conv2d`` 3->64->128->256->512 (4, 2, 1), no biases,
``BatchNorm2d`` on all but the first, ``LeakyReLU(0.2, inplace=True)``, then
``Conv2d`` 512->1 (4, 1, 0) and ``Sigmoid``. Weights initialised as the
example (conv N(0, 0.02), BatchNorm weight N(1, 0.02), bias 0). One
iteration is the example's: the discriminator's ``BCELoss`` on a real batch
and on ``G(noise).detach()``, both backwards, ``Adam`` step (lr 2e-4, betas
(0.5, 0.999)); then the generator's loss through ``D(fake)``, backward and its
Adam step. The real batch is fixed (uniform in [-1, 1]); the noise is drawn each
iteration (fixed for the loss check).
See ``_workload.py`` for what is compared and measured.

    python benchmarks/dcgan.py [--quick] [--repeat N] [--strict] [--no-gc] [--threads N] [--no-memory]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _workload as W  # noqa: E402

NZ, NGF, NDF, NC, BATCH, SIZE = 100, 64, 64, 3, 16, 64
LR, BETAS = 2e-4, (0.5, 0.999)


def make_data(np):
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (BATCH, NC, SIZE, SIZE)).astype(np.float32)
    noise = rng.standard_normal((BATCH, NZ, 1, 1)).astype(np.float32)
    return real, noise


def build(T, np, data):
    nn = T.nn
    real = T.from_numpy(data[0].copy())
    fixed_noise = T.from_numpy(data[1].copy())
    ones, zeros = T.full((BATCH,), 1.0), T.full((BATCH,), 0.0)

    def up(cin, cout, stride, pad):
        return [nn.ConvTranspose2d(cin, cout, 4, stride, pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]

    def down(cin, cout, norm=True):
        return ([nn.Conv2d(cin, cout, 4, 2, 1, bias=False)] + ([nn.BatchNorm2d(cout)] if norm else [])
                + [nn.LeakyReLU(0.2, inplace=True)])

    netG = nn.Sequential(*up(NZ, NGF * 8, 1, 0), *up(NGF * 8, NGF * 4, 2, 1), *up(NGF * 4, NGF * 2, 2, 1),
                         *up(NGF * 2, NGF, 2, 1), nn.ConvTranspose2d(NGF, NC, 4, 2, 1, bias=False), nn.Tanh())
    netD = nn.Sequential(*down(NC, NDF, norm=False), *down(NDF, NDF * 2), *down(NDF * 2, NDF * 4),
                         *down(NDF * 4, NDF * 8), nn.Conv2d(NDF * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())
    for net in (netG, netD):  # the example's weights_init
        for m in net.modules():
            name = type(m).__name__
            if "Conv" in name:
                nn.init.normal_(m.weight, 0.0, 0.02)
            elif "BatchNorm" in name:
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)
    criterion = nn.BCELoss()
    optD = T.optim.Adam(netD.parameters(), lr=LR, betas=BETAS)
    optG = T.optim.Adam(netG.parameters(), lr=LR, betas=BETAS)

    def step(fixed):
        netD.zero_grad()
        errD_real = criterion(netD(real).view(-1), ones)
        errD_real.backward()
        noise = fixed_noise if fixed else T.randn(BATCH, NZ, 1, 1)
        fake = netG(noise)
        errD_fake = criterion(netD(fake.detach()).view(-1), zeros)
        errD_fake.backward()
        optD.step()
        netG.zero_grad()
        errG = criterion(netD(fake).view(-1), ones)
        errG.backward()
        optG.step()
        return [errD_real.item(), errD_fake.item(), errG.item()]

    return W.Workload({"netG": netG, "netD": netD}, step)


def main(argv=None):
    return W.run(__doc__, sys.argv[1:] if argv is None else argv, build, make_data,
                 title="dcgan: 64x64 generator + discriminator (ngf = ndf = 64), batch 16, one GAN iteration with Adam",
                 repeat=5)


if __name__ == "__main__":
    sys.exit(main())
