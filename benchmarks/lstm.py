"""An LSTM language model's training step: embedding -> 2-layer LSTM (200) -> linear decoder over 10,000 words.

The model of PyTorch's ``word_language_model`` example (``--model LSTM``,
its defaults), written once for both engines (``T`` is ``torch`` or
``denpa``): ``Embedding(10000, 200)``, dropout 0.2, ``LSTM(200, 200, 2,
dropout=0.2)``, dropout 0.2, ``Linear(200, 10000)``; one truncated-BPTT step
on a (35, 20) batch of word indices: the hidden state carried over from the
previous step and detached, ``zero_grad``, forward, cross-entropy over the
700 positions, ``backward``, ``clip_grad_norm_(0.25)`` and ``SGD(lr=20)``
(the example updates by hand with the same arithmetic). For the loss check
dropout is off and the hidden state starts at zero.
See ``_workload.py`` for what is compared and measured.

    python benchmarks/lstm.py [--quick] [--repeat N] [--strict] [--no-gc] [--threads N] [--no-memory]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _workload as W  # noqa: E402

NTOKEN, NINP, NHID, NLAYERS, BPTT, BATCH = 10000, 200, 200, 2, 35, 20
DROPOUT, LR, CLIP = 0.2, 20.0, 0.25


def make_data(np):
    rng = np.random.default_rng(0)
    words = rng.integers(0, NTOKEN, (BPTT + 1, BATCH))
    return words[:-1], words[1:]  # inputs and next-word targets, (seq, batch) as the example's batchify


def build(T, np, data):
    nn, F = T.nn, T.nn.functional
    src, tgt = T.from_numpy(data[0].copy()), T.from_numpy(data[1].copy())

    class RNNModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(DROPOUT)
            self.encoder = nn.Embedding(NTOKEN, NINP)
            self.rnn = nn.LSTM(NINP, NHID, NLAYERS, dropout=DROPOUT)
            self.decoder = nn.Linear(NHID, NTOKEN)
            # the example's init_weights
            nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

        def forward(self, x, hidden):
            emb = self.drop(self.encoder(x))
            output, hidden = self.rnn(emb, hidden)
            output = self.drop(output)
            return F.log_softmax(self.decoder(output).view(-1, NTOKEN), dim=1), hidden

    model = RNNModel()
    opt = T.optim.SGD(model.parameters(), lr=LR)
    zeros = (T.zeros(NLAYERS, BATCH, NHID), T.zeros(NLAYERS, BATCH, NHID))
    state = {"hidden": zeros}

    def step(fixed):
        hidden = zeros if fixed and state["hidden"] is zeros else tuple(h.detach() for h in state["hidden"])
        opt.zero_grad()
        output, hidden = model(src, hidden)
        state["hidden"] = hidden
        loss = F.nll_loss(output, tgt.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        return [loss.item()]

    return W.Workload({"model": model}, step)


def main(argv=None):
    return W.run(__doc__, sys.argv[1:] if argv is None else argv, build, make_data,
                 title="lstm: Embedding(10000, 200), LSTM(200, 200, 2), Linear(200, 10000), bptt 35, batch 20, "
                       "clip_grad_norm_ + SGD step", repeat=7)


if __name__ == "__main__":
    sys.exit(main())
