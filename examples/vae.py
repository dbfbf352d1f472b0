"""A variational autoencoder on synthetic 8x8 images (blurred blobs): an encoder to a Gaussian, the
reparameterisation trick and a Bernoulli decoder, trained on reconstruction + KL divergence.

    python examples/vae.py
"""
from types import SimpleNamespace

import numpy as np

import denpa as torch

nn = torch.nn
F = torch.nn.functional

PIXELS, LATENT = 64, 4


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(PIXELS, 32)
        self.fc21 = nn.Linear(32, LATENT)
        self.fc22 = nn.Linear(32, LATENT)
        self.fc3 = nn.Linear(LATENT, 32)
        self.fc4 = nn.Linear(32, PIXELS)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar, eps):
        std = torch.exp(0.5 * logvar)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x, eps):
        mu, logvar = self.encode(x.view(-1, PIXELS))
        z = self.reparameterize(mu, logvar, eps)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, PIXELS), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def batches(seed=0, batch_size=32):
    """Images in [0, 1] with one soft blob each, and the noise the reparameterisation draws."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:8, 0:8]
    while True:
        cy, cx = rng.uniform(1.5, 6.5, size=(2, batch_size))
        images = np.exp(-((yy[None] - cy[:, None, None]) ** 2 + (xx[None] - cx[:, None, None]) ** 2) / 3.0)
        yield images.reshape(batch_size, PIXELS), rng.standard_normal((batch_size, LATENT))


def build(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    model = VAE().to(dtype)
    return SimpleNamespace(models={"model": model}, model=model, dtype=dtype,
                           optimizer=torch.optim.Adam(model.parameters(), lr=1e-2))


def train_step(run, batch):
    data, eps = (torch.tensor(a, dtype=run.dtype) for a in batch)
    run.model.train()
    run.optimizer.zero_grad()
    recon, mu, logvar = run.model(data, eps)
    loss = loss_function(recon, data, mu, logvar)
    loss.backward()
    run.optimizer.step()
    return loss.item() / len(data)


def main(steps=40, seed=0, dtype=torch.float32, checkpoint=None):
    run = build(seed, dtype)
    losses = [train_step(run, b) for _, b in zip(range(steps), batches(seed))]
    if checkpoint is not None:
        torch.save(run.model.state_dict(), checkpoint)
    return losses


if __name__ == "__main__":
    for i, loss in enumerate(main(steps=200)):
        if i % 40 == 0:
            print(f"step {i:3d}  loss per image {loss:.3f}")
