"""A word-level LSTM language model: tied input/output embeddings, truncated backpropagation through time
(the hidden state is carried across batches but detached from the old graph) and gradient clipping.

    python examples/lstm_lm.py
"""
from types import SimpleNamespace

import numpy as np

import denpa as torch

nn = torch.nn
F = torch.nn.functional

CORPUS = ("the quick brown fox jumps over the lazy dog . the lazy dog sleeps in the sun . "
          "a quick fox runs in the field . the brown dog runs after the fox . ") * 6
WORDS = sorted(set(CORPUS.split()))
VOCAB = {w: i for i, w in enumerate(WORDS)}


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp=24, nlayers=2, dropout=0.2):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, ninp, nlayers, dropout=dropout)
        self.decoder = nn.Linear(ninp, ntoken)
        self.decoder.weight = self.encoder.weight  # tied: the hidden size equals the embedding size
        self.nlayers, self.nhid = nlayers, ninp
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        return F.log_softmax(decoded.view(-1, decoded.shape[-1]), dim=1), hidden

    def init_hidden(self, bsz, dtype):
        return (torch.zeros(self.nlayers, bsz, self.nhid, dtype=dtype),
                torch.zeros(self.nlayers, bsz, self.nhid, dtype=dtype))


def repackage_hidden(h):
    """Detach hidden states from their history, so backprop stops at the batch boundary."""
    if isinstance(h, tuple):
        return tuple(repackage_hidden(v) for v in h)
    return h.detach()


def build(seed=0, dtype=torch.float32, batch_size=4):
    torch.manual_seed(seed)
    model = RNNModel(len(WORDS)).to(dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-2)
    return SimpleNamespace(models={"model": model}, model=model, optimizer=optimizer, dtype=dtype,
                           hidden=model.init_hidden(batch_size, dtype), criterion=nn.NLLLoss(), clip=0.5)


def batches(seed=0, batch_size=4, bptt=8):
    """Consecutive (bptt, batch) slices of the corpus laid out in batch_size columns, round and round."""
    ids = np.array([VOCAB[w] for w in CORPUS.split()], dtype=np.int64)
    cols = len(ids) // batch_size
    data = ids[:cols * batch_size].reshape(batch_size, cols).T  # (time, batch)
    while True:
        for i in range(0, cols - 1 - bptt, bptt):
            yield data[i:i + bptt], data[i + 1:i + 1 + bptt].reshape(-1)


def train_step(run, batch):
    data, targets = (torch.from_numpy(a) for a in batch)
    run.model.train()
    run.hidden = repackage_hidden(run.hidden)
    run.optimizer.zero_grad()
    output, run.hidden = run.model(data, run.hidden)
    loss = run.criterion(output, targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(run.model.parameters(), run.clip)
    run.optimizer.step()
    return loss.item()


def main(steps=40, seed=0, dtype=torch.float32, checkpoint=None):
    run = build(seed, dtype)
    losses = [train_step(run, b) for _, b in zip(range(steps), batches(seed))]
    if checkpoint is not None:
        torch.save(run.model.state_dict(), checkpoint)
    return losses


if __name__ == "__main__":
    losses = main(steps=200)
    for i in range(0, 200, 40):
        print(f"batch {i:4d}  loss {losses[i]:.3f}  ppl {np.exp(losses[i]):8.2f}")
