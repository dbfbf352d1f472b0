"""A DCGAN-style GAN on 16x16 synthetic images (bright bars on a dark ground): ConvTranspose2d generator,
strided-convolution discriminator, BatchNorm2d, weights initialised in place with ``.data.normal_``.

    python examples/dcgan.py
"""
from types import SimpleNamespace

import numpy as np

import denpa as torch

nn = torch.nn

NZ, NGF, NDF = 8, 16, 16


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        m.weight.data.normal_(1.0, 0.02)
        m.bias.data.fill_(0)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(NZ, NGF * 2, 4, 1, 0, bias=False),  # 4x4
            nn.BatchNorm2d(NGF * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(NGF * 2, NGF, 4, 2, 1, bias=False),  # 8x8
            nn.BatchNorm2d(NGF),
            nn.ReLU(True),
            nn.ConvTranspose2d(NGF, 1, 4, 2, 1, bias=False),  # 16x16
            nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, NDF, 4, 2, 1, bias=False),  # 8x8
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(NDF, NDF * 2, 4, 2, 1, bias=False),  # 4x4
            nn.BatchNorm2d(NDF * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(NDF * 2, 1, 4, 1, 0, bias=False),  # 1x1
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x).view(-1)


def build(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    netG, netD = Generator().to(dtype), Discriminator().to(dtype)
    netG.apply(weights_init)
    netD.apply(weights_init)
    return SimpleNamespace(models={"G": netG, "D": netD}, netG=netG, netD=netD, dtype=dtype,
                           optG=torch.optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999)),
                           optD=torch.optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999)),
                           criterion=nn.BCELoss())


def batches(seed=0, batch_size=16):
    """Real images (a bright vertical bar at a random column, in [-1, 1]) and the generator's noise."""
    rng = np.random.default_rng(seed)
    while True:
        images = -np.ones((batch_size, 1, 16, 16))
        for img, col in zip(images, rng.integers(2, 14, size=batch_size)):
            img[0, :, col - 1:col + 2] = 1.0
        images += 0.05 * rng.standard_normal(images.shape)
        yield images, rng.standard_normal((batch_size, NZ, 1, 1))


def train_step(run, batch):
    """One discriminator step (real vs fake) and one generator step; returns the discriminator's loss."""
    real = torch.tensor(batch[0], dtype=run.dtype)
    noise = torch.tensor(batch[1], dtype=run.dtype)
    b = real.shape[0]
    ones, zeros = torch.ones(b, dtype=run.dtype), torch.zeros(b, dtype=run.dtype)

    run.netD.zero_grad()
    errD_real = run.criterion(run.netD(real), ones)
    errD_real.backward()
    fake = run.netG(noise)
    errD_fake = run.criterion(run.netD(fake.detach()), zeros)
    errD_fake.backward()
    run.optD.step()

    run.netG.zero_grad()
    errG = run.criterion(run.netD(fake), ones)
    errG.backward()
    run.optG.step()
    return (errD_real + errD_fake).item()


def main(steps=20, seed=0, dtype=torch.float32, checkpoint=None):
    run = build(seed, dtype)
    losses = [train_step(run, b) for _, b in zip(range(steps), batches(seed))]
    if checkpoint is not None:
        torch.save({"G": run.netG.state_dict(), "D": run.netD.state_dict()}, checkpoint)
    return losses


if __name__ == "__main__":
    for i, loss in enumerate(main(steps=60)):
        if i % 10 == 0:
            print(f"step {i:3d}  loss_D {loss:.4f}")
