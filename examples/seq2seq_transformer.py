"""Sequence to sequence with nn.Transformer: learn to reverse digit strings. Token embeddings plus sinusoidal
positions, a causal target mask from generate_square_subsequent_mask, teacher forcing, greedy decoding.

    python examples/seq2seq_transformer.py
"""
import math
from types import SimpleNamespace

import numpy as np

import denpa as torch

nn = torch.nn

PAD, BOS, EOS = 0, 1, 2
VOCAB, LENGTH = 13, 6  # the digits 0..9 are tokens 3..12


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=32):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1).float()
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):  # (batch, time, d_model)
        return x + self.pe[: x.shape[1]]


class Seq2Seq(nn.Module):
    def __init__(self, d_model=32, nhead=4, layers=2, dropout=0.1):
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(VOCAB, d_model)
        self.pos = PositionalEncoding(d_model)
        self.transformer = nn.Transformer(d_model, nhead, layers, layers, dim_feedforward=64, dropout=dropout,
                                          batch_first=True)
        self.out = nn.Linear(d_model, VOCAB)

    def forward(self, src, tgt):
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1], dtype=self.out.weight.dtype)
        s = self.pos(self.embed(src) * math.sqrt(self.d_model))
        t = self.pos(self.embed(tgt) * math.sqrt(self.d_model))
        return self.out(self.transformer(s, t, tgt_mask=tgt_mask))

    @torch.no_grad()
    def greedy(self, src, steps=LENGTH + 1):
        ys = torch.full((src.shape[0], 1), BOS, dtype=torch.int64)
        for _ in range(steps):
            next_token = self(src, ys)[:, -1].argmax(-1, keepdim=True)
            ys = torch.cat([ys, next_token], dim=1)
        return ys[:, 1:]


def batches(seed=0, batch_size=16):
    """(source, decoder input, decoder target): a digit string, BOS + its reverse, its reverse + EOS."""
    rng = np.random.default_rng(seed)
    while True:
        src = rng.integers(3, VOCAB, size=(batch_size, LENGTH))
        rev = src[:, ::-1]
        tgt_in = np.concatenate([np.full((batch_size, 1), BOS), rev], axis=1)
        tgt_out = np.concatenate([rev, np.full((batch_size, 1), EOS)], axis=1)
        yield src.astype(np.int64), tgt_in.astype(np.int64), tgt_out.astype(np.int64)


def build(seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    model = Seq2Seq().to(dtype)
    return SimpleNamespace(models={"model": model}, model=model, dtype=dtype,
                           optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
                           criterion=nn.CrossEntropyLoss(ignore_index=PAD))


def train_step(run, batch):
    src, tgt_in, tgt_out = (torch.from_numpy(np.ascontiguousarray(a)) for a in batch)
    run.model.train()
    run.optimizer.zero_grad()
    logits = run.model(src, tgt_in)
    loss = run.criterion(logits.reshape(-1, VOCAB), tgt_out.reshape(-1))
    loss.backward()
    run.optimizer.step()
    return loss.item()


def main(steps=30, seed=0, dtype=torch.float32, checkpoint=None):
    run = build(seed, dtype)
    losses = [train_step(run, b) for _, b in zip(range(steps), batches(seed))]
    if checkpoint is not None:
        torch.save(run.model.state_dict(), checkpoint)
    return losses


if __name__ == "__main__":
    run = build()
    for step, batch in zip(range(400), batches()):
        loss = train_step(run, batch)
        if step % 50 == 0:
            print(f"step {step:3d}  loss {loss:.4f}")
    src = torch.from_numpy(next(batches(seed=5, batch_size=3))[0])
    run.model.eval()
    print(src.tolist(), "->", run.model.greedy(src).tolist())
