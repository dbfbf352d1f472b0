"""An MNIST-style convolutional classifier on synthetic 12x12 "digits" (ten noisy, shifted prototypes):
Dropout, log_softmax + nll_loss, Adadelta with StepLR, and the trained weights saved with torch.save.

    python examples/mnist_cnn.py          # writes mnist_cnn.pt
"""
from types import SimpleNamespace

import numpy as np

import denpa as torch

nn = torch.nn
F = torch.nn.functional


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(16 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def prototypes(seed=1234):
    """Ten fixed 12x12 patterns, one per class."""
    rng = np.random.default_rng(seed)
    return (rng.random((10, 12, 12)) > 0.6).astype(np.float64)


def batches(seed=0, batch_size=32):
    rng = np.random.default_rng(seed)
    protos = prototypes()
    while True:
        labels = rng.integers(0, 10, size=batch_size)
        shifts = rng.integers(-1, 2, size=(batch_size, 2))
        images = np.stack([np.roll(protos[k], tuple(s), axis=(0, 1)) for k, s in zip(labels, shifts)])
        images = images + 0.3 * rng.standard_normal(images.shape)
        yield images[:, None], labels


def build(seed=0, dtype=torch.float32, steps_per_epoch=20):
    torch.manual_seed(seed)
    model = Net().to(dtype)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=8.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    return SimpleNamespace(models={"model": model}, model=model, optimizer=optimizer, scheduler=scheduler,
                           dtype=dtype, steps_per_epoch=steps_per_epoch, step=0)


def train_step(run, batch):
    data = torch.tensor(batch[0], dtype=run.dtype)
    target = torch.from_numpy(batch[1])
    run.model.train()
    run.optimizer.zero_grad()
    output = run.model(data)
    loss = F.nll_loss(output, target)
    loss.backward()
    run.optimizer.step()
    run.step += 1
    if run.step % run.steps_per_epoch == 0:  # an "epoch" of this endless stream
        run.scheduler.step()
    return loss.item()


def evaluate(run, batch):
    run.model.eval()
    with torch.no_grad():
        output = run.model(torch.tensor(batch[0], dtype=run.dtype))
        pred = output.argmax(dim=1)
        return (pred == torch.from_numpy(batch[1])).float().mean().item()


def main(steps=30, seed=0, dtype=torch.float32, checkpoint=None):
    run = build(seed, dtype)
    losses = [train_step(run, b) for _, b in zip(range(steps), batches(seed))]
    if checkpoint is not None:
        torch.save(run.model.state_dict(), checkpoint)
    return losses


if __name__ == "__main__":
    run = build()
    for step, batch in zip(range(60), batches()):
        loss = train_step(run, batch)
        if step % 10 == 0:
            print(f"step {step:3d}  loss {loss:.4f}  lr {run.scheduler.get_last_lr()[0]:.3f}")
    print(f"accuracy on new data: {evaluate(run, next(batches(seed=99, batch_size=200))):.1%}")
    torch.save(run.model.state_dict(), "mnist_cnn.pt")
