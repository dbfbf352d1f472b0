"""Predict sine waves with two stacked LSTMCells unrolled by hand, trained with LBFGS (a closure that recomputes
the loss), then let the model run on its own predictions into the future.

    python examples/lstmcell_timeseries.py
"""
from types import SimpleNamespace

import numpy as np

import denpa as torch

nn = torch.nn

T, HIDDEN = 30, 16


class Sequence(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTMCell(1, HIDDEN)
        self.lstm2 = nn.LSTMCell(HIDDEN, HIDDEN)
        self.linear = nn.Linear(HIDDEN, 1)

    def forward(self, input, future=0):
        outputs = []
        n = input.shape[0]
        dtype = self.linear.weight.dtype
        h_t = torch.zeros(n, HIDDEN, dtype=dtype)
        c_t = torch.zeros(n, HIDDEN, dtype=dtype)
        h_t2 = torch.zeros(n, HIDDEN, dtype=dtype)
        c_t2 = torch.zeros(n, HIDDEN, dtype=dtype)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for _ in range(future):  # feed the prediction back in
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        return torch.cat(outputs, dim=1)


def waves(seed=0, n=8):
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    return np.sin(np.arange(T + 1)[None, :] * 0.3 + phase)


def batches(seed=0):
    """The same training set every step (LBFGS optimises one fixed objective): inputs and next values."""
    data = waves(seed)
    while True:
        yield data[:, :-1], data[:, 1:]


def build(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    model = Sequence().to(dtype)
    return SimpleNamespace(models={"model": model}, model=model, dtype=dtype, criterion=nn.MSELoss(),
                           optimizer=torch.optim.LBFGS(model.parameters(), lr=0.8, max_iter=10))


def train_step(run, batch):
    input, target = (torch.tensor(a, dtype=run.dtype) for a in batch)

    def closure():
        run.optimizer.zero_grad()
        loss = run.criterion(run.model(input), target)
        loss.backward()
        return loss

    loss = run.optimizer.step(closure)
    return loss.item()


def main(steps=5, seed=0, dtype=torch.float32, checkpoint=None):
    run = build(seed, dtype)
    losses = [train_step(run, b) for _, b in zip(range(steps), batches(seed))]
    if checkpoint is not None:
        torch.save(run.model.state_dict(), checkpoint)
    return losses


if __name__ == "__main__":
    run = build()
    for step, batch in zip(range(10), batches()):
        print(f"step {step}  loss {train_step(run, batch):.6f}")
    test = torch.tensor(waves(seed=7, n=2)[:, :-1], dtype=run.dtype)
    with torch.no_grad():
        pred = run.model(test, future=20)
    print("future:", np.round(pred[:, T:].numpy(), 2))
