"""Sub-pixel super-resolution: convolutions on a low-resolution image, then PixelShuffle to twice the size,
trained to reproduce smooth synthetic images from their 2x2-averaged versions.

    python examples/super_resolution.py
"""
from types import SimpleNamespace

import numpy as np

import denpa as torch

nn = torch.nn
F = torch.nn.functional

UPSCALE = 2


class SuperResolutionNet(nn.Module):
    def __init__(self, upscale_factor=UPSCALE):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, 5, 1, 2)
        self.conv2 = nn.Conv2d(16, 16, 3, 1, 1)
        self.conv3 = nn.Conv2d(16, upscale_factor ** 2, 3, 1, 1)
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        nn.init.orthogonal_(self.conv1.weight, nn.init.calculate_gain("relu"))
        nn.init.orthogonal_(self.conv2.weight, nn.init.calculate_gain("relu"))
        nn.init.orthogonal_(self.conv3.weight)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        return self.pixel_shuffle(self.conv3(x))


def batches(seed=0, batch_size=8, size=16):
    """(low resolution, high resolution) pairs of random smooth images (sums of a few sinusoids)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    while True:
        f = rng.uniform(0.5, 3.0, size=(batch_size, 2, 1, 1))
        p = rng.uniform(0, 2 * np.pi, size=(batch_size, 2, 1, 1))
        high = 0.5 + 0.25 * (np.sin(2 * np.pi * f[:, 0] * yy + p[:, 0]) + np.cos(2 * np.pi * f[:, 1] * xx + p[:, 1]))
        high = high[:, None]
        low = high.reshape(batch_size, 1, size // 2, 2, size // 2, 2).mean(axis=(3, 5))
        yield low, high


def build(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    model = SuperResolutionNet().to(dtype)
    return SimpleNamespace(models={"model": model}, model=model, dtype=dtype, criterion=nn.MSELoss(),
                           optimizer=torch.optim.Adam(model.parameters(), lr=3e-3))


def train_step(run, batch):
    low, high = (torch.tensor(a, dtype=run.dtype) for a in batch)
    run.model.train()
    run.optimizer.zero_grad()
    loss = run.criterion(run.model(low), high)
    loss.backward()
    run.optimizer.step()
    return loss.item()


def psnr(run, batch):
    low, high = (torch.tensor(a, dtype=run.dtype) for a in batch)
    with torch.no_grad():
        mse = F.mse_loss(run.model(low), high).item()
    return 10 * np.log10(1 / mse)


def main(steps=30, seed=0, dtype=torch.float32, checkpoint=None):
    run = build(seed, dtype)
    losses = [train_step(run, b) for _, b in zip(range(steps), batches(seed))]
    if checkpoint is not None:
        torch.save(run.model.state_dict(), checkpoint)
    return losses


if __name__ == "__main__":
    run = build()
    for step, batch in zip(range(100), batches()):
        loss = train_step(run, batch)
        if step % 20 == 0:
            print(f"step {step:3d}  loss {loss:.5f}")
    print(f"PSNR on new images: {psnr(run, next(batches(seed=3))):.2f} dB")
