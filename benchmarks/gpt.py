"""A GPT training step: decoder-only transformer, 4 layers, 4 heads, 128 wide, block 64, batch 8, AdamW.

The model of nanoGPT/minGPT's small character-level configurations, written
once for both engines (``T`` is ``torch`` or ``denpa``): token and position
embeddings, pre-norm blocks (LayerNorm, causal self-attention, LayerNorm, a
GELU MLP 128-512-128), a final LayerNorm and an output head tied to the token
embedding, over a 65-symbol vocabulary (Shakespeare's characters), no dropout, nanoGPT's initialisation (normal, std 0.02).
Attention is written out as minGPT does: ``softmax(q k^T / sqrt(d) + mask) v``
with the causal mask added as a float array of 0 and -inf (built with NumPy:
denpa has no ``tril``/``masked_fill``). A step is ``zero_grad``, forward,
cross-entropy over the 512 positions, ``backward`` and ``AdamW.step()`` (lr
1e-3, betas (0.9, 0.99), weight decay 0.1). Also timed: the forward alone
(``model(idx)``, the logits) under ``no_grad``.

``--layers`` and ``--batch`` change the depth and the batch size; ``--scaling``
also prints the step time at batch 1x, 2x and 4x and at 2, 4 and 8 layers.
See ``_workload.py`` for what is compared and measured.

    python benchmarks/gpt.py [--quick] [--repeat N] [--strict] [--no-gc] [--threads N] [--no-memory] [--scaling]
"""
from __future__ import annotations

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _workload as W  # noqa: E402

VOCAB, BLOCK, WIDTH, HEADS, LAYERS, BATCH = 65, 64, 128, 4, 4, 8
LR, BETAS, DECAY = 1e-3, (0.9, 0.99), 0.1


def make_data(np, batch=BATCH):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, VOCAB, (batch, BLOCK))
    return idx, np.roll(idx, -1, axis=1)  # next-character targets


def build(T, np, data, layers=LAYERS):
    nn, F = T.nn, T.nn.functional
    idx_np, tgt_np = data
    idx, tgt = T.from_numpy(idx_np.copy()), T.from_numpy(tgt_np.copy())
    pos = T.from_numpy(np.arange(BLOCK))
    # causal mask as an additive bias: -inf above the diagonal (the future), 0 elsewhere
    mask = T.from_numpy(np.triu(np.full((BLOCK, BLOCK), -np.inf, np.float32), 1))

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(WIDTH, 3 * WIDTH)
            self.c_proj = nn.Linear(WIDTH, WIDTH)

        def forward(self, x):
            B, L, C = x.shape
            q, k, v = self.c_attn(x).split(WIDTH, dim=2)
            q = q.view(B, L, HEADS, C // HEADS).transpose(1, 2)
            k = k.view(B, L, HEADS, C // HEADS).transpose(1, 2)
            v = v.view(B, L, HEADS, C // HEADS).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // HEADS)) + mask
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, L, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn = nn.LayerNorm(WIDTH), SelfAttention()
            self.ln_2 = nn.LayerNorm(WIDTH)
            self.mlp = nn.Sequential(nn.Linear(WIDTH, 4 * WIDTH), nn.GELU(), nn.Linear(4 * WIDTH, WIDTH))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(VOCAB, WIDTH), nn.Embedding(BLOCK, WIDTH)
            self.h = nn.ModuleList([Block() for _ in range(layers)])
            self.ln_f = nn.LayerNorm(WIDTH)
            self.lm_head = nn.Linear(WIDTH, VOCAB, bias=False)
            self.lm_head.weight = self.wte.weight  # weight tying

        def forward(self, idx):
            x = self.wte(idx) + self.wpe(pos)
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    model = GPT()
    # nanoGPT's initialisation (PyTorch's default N(0, 1) embedding, tied to the head, gives logits of ~±10)
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            nn.init.zeros_(p)
        elif p.dim() == 2:
            std = 0.02 / math.sqrt(2 * layers) if name.endswith("c_proj.weight") else 0.02
            nn.init.normal_(p, mean=0.0, std=std)
    opt = T.optim.AdamW(model.parameters(), lr=LR, betas=BETAS, weight_decay=DECAY)

    def step(fixed):
        opt.zero_grad()
        logits = model(idx)
        loss = F.cross_entropy(logits.view(-1, VOCAB), tgt.view(-1))
        loss.backward()
        opt.step()
        return [loss.item()]

    return W.Workload({"model": model}, step, lambda: model(idx))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    layers, batch, extra = LAYERS, BATCH, []
    for flag in ("--layers", "--batch"):  # workload-specific sizes, taken out before the shared flags are parsed
        if flag in argv:
            i = argv.index(flag)
            value = int(argv[i + 1])
            extra += argv[i:i + 2]
            del argv[i:i + 2]
            layers, batch = (value, batch) if flag == "--layers" else (layers, value)
    # --scaling: batch 1x, 2x, 4x at this depth, and depth 2, 4, 8 at this batch
    groups = [("batch", [(str(batch * f), f, (layers, batch * f)) for f in (1, 2, 4)]),
              ("layers", [(str(n), n // 2, (n, batch)) for n in (2, 4, 8)])]

    def sized(config):
        n, b = config
        return (lambda T, np, data: build(T, np, data, n)), (lambda np: make_data(np, b))

    return W.run(__doc__, argv, lambda T, np, data: build(T, np, data, layers),
                 lambda np: make_data(np, batch),
                 title=f"gpt: {layers} layers, {HEADS} heads, width {WIDTH}, block {BLOCK}, batch {batch}, "
                       "vocab 65, AdamW step", repeat=9, forward_target=1.5, extra_args=extra,
                 sizes=(groups, sized))


if __name__ == "__main__":
    sys.exit(main())
