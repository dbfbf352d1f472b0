"""Cells of notebooks/10_tiny_language_model.ipynb and its Japanese edition (build with: python notebooks/_build.py 10)."""

CELLS = [
    ("md", r"""# A tiny language model: a character-level transformer

A **language model** predicts the next symbol of a text from the ones before it. Large language models (LLMs) do
exactly this with tokens (pieces of words), with transformers of billions of parameters, on a large part of the
written internet. The model here has the same parts, at toy scale: embeddings, causal self-attention, an MLP,
layer normalisation and residual connections, trained with the same loss (cross-entropy of the next symbol) by the
same back-propagation and the same optimizer (AdamW). It trains in well under a minute on a CPU.

1. A corpus generated from a small grammar, in which a verb must agree with its subject (*the cat sees*, *the cats see*).
2. The model, written out layer by layer.
3. Training: the loss falling, and samples before, during and after.
4. Has it learnt the agreement rule? And attention drawn as a picture: where each position looks.
5. What is, and is not, different in an LLM.""",
     r"""# 小さな言語モデル: 文字単位のトランスフォーマー

**言語モデル**は、テキストのそれまでの記号から次の記号を予測するモデルです。大規模言語モデル (LLM) がしていることも
まさにこれで、トークン (単語の断片) を単位に、数十億のパラメータをもつトランスフォーマーを、ネット上の膨大な文章で訓練します。
ここで作るモデルも部品は同じです。埋め込み、因果的な自己注意 (self-attention)、MLP、層正規化、残差接続をもち、
同じ損失 (次の記号の交差エントロピー) を、同じ誤差逆伝播法と同じオプティマイザ (AdamW) で最小化します。規模が小さいだけで、
CPU でも 1 分かからずに訓練できます。

1. 小さな文法から生成したコーパス。動詞は主語に一致しなければなりません (*the cat sees* と *the cats see*)。
2. モデルを層ごとに書き下します。
3. 訓練: 下がっていく損失と、訓練前・途中・後のサンプル。
4. 一致の規則を覚えたか。そして注意 (attention) を絵にして、各位置がどこを見ているかを調べます。
5. LLM とは何が違い、何が同じか。"""),
    ("code", r"""%matplotlib inline
try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import os, sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

import time

import matplotlib.pyplot as plt
import numpy as np
import nn
import optim
from denpa.fonts import use_japanese_font

use_japanese_font()  # titles and labels may be Japanese: add a font that has kana and kanji
F = nn.functional
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. A corpus from a grammar

Rather than copy text from somewhere, we generate it from a grammar of a few rules:

    sentence     -> noun-phrase(number) verb(number) noun-phrase(any) "."
    noun-phrase  -> determiner [adjective] noun

A singular subject takes *sees*, *chases*, *likes*; a plural one *see*, *chase*, *like*. To get the verb right
the model must remember whether the subject, some characters back, ended in *s*.""",
     r"""## 1. 文法から作るコーパス

どこかの文章を写してくる代わりに、数個の規則からなる文法で文章を生成します。

    文     -> 名詞句(数) 動詞(数) 名詞句(任意) "."
    名詞句 -> 限定詞 [形容詞] 名詞

主語が単数なら動詞は *sees*, *chases*, *likes*、複数なら *see*, *chase*, *like* です。動詞を正しく選ぶには、
何文字か前の主語が *s* で終わっていたかどうかを覚えておく必要があります。"""),
    ("code", r"""rng = np.random.default_rng(0)
NOUNS = {"cat": "cats", "dog": "dogs", "bird": "birds", "fox": "foxes"}
VERBS = {"see": "sees", "chase": "chases", "like": "likes"}   # plural form -> singular form
ADJECTIVES = ["red", "small", "old"]

def noun_phrase(plural):
    noun = rng.choice(list(NOUNS))
    det = "the" if plural or rng.random() < 0.5 else "a"
    adjective = [rng.choice(ADJECTIVES)] if rng.random() < 0.4 else []
    return " ".join([det, *adjective, NOUNS[noun] if plural else noun])

def sentence():
    plural = rng.random() < 0.5
    verb = rng.choice(list(VERBS))
    return f"{noun_phrase(plural)} {verb if plural else VERBS[verb]} {noun_phrase(rng.random() < 0.5)}."

text = " ".join(sentence() for _ in range(3000))
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
VOCAB = len(chars)
tokens = np.array([stoi[c] for c in text])
print(f"{len(text):,} characters, a vocabulary of {VOCAB}: {''.join(chars)!r}")
print(text[:160], "...")"""),
    ("md", r"""## 2. The model

Each character becomes a vector of $d = 48$ numbers (a learnt **token embedding**), plus a learnt **position
embedding**. Two transformer blocks follow; each is

$$x \leftarrow x + \mathrm{Attention}(\mathrm{LayerNorm}(x)), \qquad x \leftarrow x + \mathrm{MLP}(\mathrm{LayerNorm}(x)) .$$

**Self-attention.** Every position $i$ forms a query $q_i$, a key $k_i$ and a value $v_i$ (three linear maps of $x_i$).
Position $i$ gives position $j$ the weight

$$a_{ij} = \mathrm{softmax}_j\Big(\frac{q_i \cdot k_j}{\sqrt{d_h}} + m_{ij}\Big), \qquad m_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i \end{cases}$$

and outputs $\sum_j a_{ij} v_j$. The **causal mask** $m$ stops a position from looking at the characters it must
predict: $e^{-\infty} = 0$. As in PyTorch, a boolean matrix that is `True` above the diagonal (`triu(1)`) marks
those places, and `masked_fill` writes $-\infty$ into the scores there.
Four heads do this in parallel on $d_h = 12$-dimensional slices. Finally a linear layer gives a score (logit) for
each of the vocabulary's characters at each position, and the loss is the cross-entropy with the character that
actually comes next.

We write the attention out, rather than use `nn.MultiheadAttention`, to keep the weights $a_{ij}$ for the picture
in section 4.""",
     r"""## 2. モデル

各文字は $d = 48$ 個の数からなるベクトル (学習される**トークン埋め込み**) になり、学習される**位置埋め込み**が足されます。
続いてトランスフォーマーのブロックが二つあり、それぞれは次の計算です。

$$x \leftarrow x + \mathrm{Attention}(\mathrm{LayerNorm}(x)), \qquad x \leftarrow x + \mathrm{MLP}(\mathrm{LayerNorm}(x))$$

**自己注意.** 各位置 $i$ は $x_i$ の三つの線形写像として、クエリ $q_i$、キー $k_i$、バリュー $v_i$ を作ります。
位置 $i$ は位置 $j$ に重み

$$a_{ij} = \mathrm{softmax}_j\Big(\frac{q_i \cdot k_j}{\sqrt{d_h}} + m_{ij}\Big), \qquad m_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i \end{cases}$$

を与え、$\sum_j a_{ij} v_j$ を出力します。**因果マスク** $m$ は、これから予測すべき文字を見ないようにするためのものです
($e^{-\infty} = 0$)。PyTorch と同じく、対角線より上が `True` のブール行列 (`triu(1)`) でその場所を示し、
`masked_fill` でスコアのその場所に $-\infty$ を書き込みます。
4 個のヘッドが $d_h = 12$ 次元ずつに分けてこれを並列に行います。最後に線形層が各位置で語彙の各文字のスコア (ロジット) を出し、
損失は実際に次に来る文字との交差エントロピーです。

`nn.MultiheadAttention` を使わずに注意を書き下すのは、4 節で絵にするために重み $a_{ij}$ を取っておくためです。"""),
    ("code", r"""CONTEXT, D_MODEL, HEADS, LAYERS = 32, 48, 4, 2

class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL)   # queries, keys and values in one product
        self.proj = nn.Linear(D_MODEL, D_MODEL)
        self.weights = None                          # the last attention weights, for drawing

    def forward(self, x, mask):
        B, T, _ = x.shape
        q, k, v = self.qkv(x).reshape(B, T, 3, HEADS, D_MODEL // HEADS).permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-2, -1) * (D_MODEL // HEADS) ** -0.5).masked_fill(mask[:T, :T], float("-inf"))
        a = scores.softmax(-1)                       # (B, heads, T, T); row i sums to 1 over j <= i
        self.weights = a.detach()
        return self.proj((a @ v).transpose(1, 2).reshape(B, T, D_MODEL))

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(D_MODEL), CausalSelfAttention()
        self.ln2 = nn.LayerNorm(D_MODEL)
        self.mlp = nn.Sequential(nn.Linear(D_MODEL, 4 * D_MODEL), nn.GELU(), nn.Linear(4 * D_MODEL, D_MODEL))

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask)   # residual connections: the gradient has a path around each layer
        return x + self.mlp(self.ln2(x))

class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, D_MODEL)
        self.pos = nn.Embedding(CONTEXT, D_MODEL)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln = nn.LayerNorm(D_MODEL)
        self.head = nn.Linear(D_MODEL, VOCAB)
        # the causal mask: True above the diagonal, where position i would see the future j > i
        mask = autograd.ones(CONTEXT, CONTEXT, dtype=autograd.bool).triu(1)
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(autograd.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x, self.mask)
        return self.head(self.ln(x))   # (B, T, VOCAB) logits for the next character

autograd.manual_seed(0)
model = TinyLM()
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")
print("mask (top-left corner):")
print(model.mask[:5, :5])"""),
    ("md", r"""## 3. Training

A batch is 32 random windows of the text; the targets are the same windows shifted by one character, so every
position of every window is one next-character prediction. Sampling draws each next character from the model's
softmax with `autograd.multinomial` (a seeded `autograd.Generator` makes the samples repeatable).""",
     r"""## 3. 訓練

バッチはテキストからランダムに切り出した 32 個の窓で、目標は同じ窓を 1 文字ずらしたものです。したがって各窓の各位置が、
それぞれ一つの「次の文字」の予測になります。サンプリングでは、モデルのソフトマックスが与える確率に従って次の文字を
`autograd.multinomial` で選びます (シードを設定した `autograd.Generator` で、サンプルが毎回同じになるようにします)。"""),
    ("code", r"""def batch(n=32):
    starts = rng.integers(0, len(tokens) - CONTEXT - 1, n)
    x = np.stack([tokens[s:s + CONTEXT] for s in starts])
    y = np.stack([tokens[s + 1:s + CONTEXT + 1] for s in starts])
    return autograd.tensor(x), autograd.tensor(y)

def sample(prompt, n=60, temperature=0.8, seed=0):
    draw = autograd.Generator().manual_seed(seed)
    idx = [stoi[c] for c in prompt]
    model.eval()
    with autograd.no_grad():
        for _ in range(n):
            logits = model(autograd.tensor(np.array([idx[-CONTEXT:]])))[0, -1] / temperature
            idx.append(int(autograd.multinomial(logits.softmax(-1), 1, generator=draw).item()))
    model.train()
    return "".join(chars[i] for i in idx)

samples = {0: sample("the ")}
opt = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
STEPS, losses = 500, []
start = time.perf_counter()
for step in range(1, STEPS + 1):
    x, y = batch()
    logits = model(x)
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
    opt.zero_grad()
    loss.backward()   # the same back-propagation as for a 2-2-1 network
    opt.step()
    losses.append(loss.item())
    if step in (50, STEPS):
        samples[step] = sample("the ")
print(f"{STEPS} steps in {time.perf_counter() - start:.1f} s; loss {losses[0]:.2f} -> {np.mean(losses[-20:]):.2f} "
      f"(a uniform guess: ln {VOCAB} = {np.log(VOCAB):.2f})")
for step, s in samples.items():
    print(f"after {step:3d} steps: {s!r}")

fig, ax = plt.subplots(figsize=(5.5, 3.4))
ax.plot(losses, lw=0.8)
ax.axhline(np.log(VOCAB), ls="--", c="gray", label=f"uniform guess (ln {VOCAB})")
ax.set(title="next-character cross-entropy", xlabel="step", ylabel="loss", yscale="log")
ax.legend()
plt.show()"""),
    ("md", r"""Before training the samples are random characters; after 50 steps the model has words and spaces; by the end
it writes grammatical sentences. The loss cannot reach 0: which noun or adjective comes next is random in the
grammar, so a perfect model still has to guess among them.

## 4. Has it learnt agreement? Where does it look?

Give it a subject and the plural verb stem, and ask for the probability that the next character is *s*. A model that
has learnt the rule says *s* after a singular subject and a space (or a full stop) after a plural one:""",
     r"""訓練前のサンプルはでたらめな文字の並びです。50 ステップ後には単語と空白が現れ、最後には文法どおりの文を書きます。
損失は 0 にはなりません。この文法では次にどの名詞や形容詞が来るかはランダムなので、完璧なモデルでもその中から当て推量するしかないからです。

## 4. 一致を覚えたか。どこを見ているか。

主語と動詞の語幹を与えて、次の文字が *s* である確率を尋ねます。規則を覚えたモデルなら、単数の主語の後では *s* を、
複数の主語の後では空白 (またはピリオド) を選ぶはずです。"""),
    ("code", r"""def next_char_probs(prompt):
    model.eval()
    with autograd.no_grad():
        p = model(autograd.tensor(np.array([[stoi[c] for c in prompt]])))[0, -1].softmax(-1).numpy()
    model.train()
    return p

print("prompt".ljust(28), "P(next = 's')")
for subject in ("the cat", "the cats", "a small dog", "the old dogs", "the red fox", "the red foxes"):
    for stem in ("see", "chase"):
        prompt = f"{subject} {stem}"
        print(f"{prompt!r:28} {next_char_probs(prompt)[stoi['s']]:.3f}")"""),
    ("md", r"""The attention weights $a_{ij}$ of each head are a matrix: row $i$ says how much position $i$ draws from each earlier
position $j$. Below, for the sentence *the old cats chase a fox.*, each head of both layers. The grey triangle
above the diagonal is the causal mask: nothing looks ahead.""",
     r"""各ヘッドの注意の重み $a_{ij}$ は行列で、行 $i$ は位置 $i$ がそれ以前の各位置 $j$ からどれだけ情報を取り込むかを表します。
下の図は、文 *the old cats chase a fox.* に対する両方の層の全ヘッドです。対角線より上の灰色の三角形が因果マスクで、
どの位置も先を見ていません。"""),
    ("code", r"""phrase = "the old cats chase a fox."
model.eval()
with autograd.no_grad():
    model(autograd.tensor(np.array([[stoi[c] for c in phrase]])))
model.train()
labels = list(phrase.replace(" ", "_"))   # "_" marks a space, to make it visible on the axis

fig, axes = plt.subplots(LAYERS, HEADS, figsize=(13, 7.6))
for layer, block in enumerate(model.blocks):
    w = block.attn.weights.numpy()[0]   # (heads, T, T)
    for head in range(HEADS):
        ax = axes[layer, head]
        ax.imshow(np.ma.masked_where(np.triu(np.ones_like(w[head]), k=1) > 0, w[head]), cmap="viridis",
                  vmin=0, vmax=1)
        ax.set_facecolor("#dddddd")
        ax.set_xticks(range(len(labels)), labels, fontsize=6)
        ax.set_yticks(range(len(labels)), labels, fontsize=6)
        ax.set_title(f"layer {layer + 1}, head {head + 1}", fontsize=9)
fig.supxlabel("position looked at (j)")
fig.supylabel("position predicting the next character (i)")
plt.tight_layout(h_pad=2.5)
plt.show()

# which earlier character does each head of the last layer weigh most, when predicting after "chase"?
i = phrase.index("chase") + len("chase") - 1
w = model.blocks[-1].attn.weights.numpy()[0][:, i, :i + 1]
for head in range(HEADS):
    j = int(w[head].argmax())
    print(f"layer {LAYERS}, head {head + 1}: at {phrase[:i + 1]!r} looks most at position {j} "
          f"({phrase[j]!r} of {phrase[max(0, j - 3):j + 1]!r}), weight {w[head, j]:.2f}")"""),
    ("md", r"""Some heads attend mostly to the current or previous character (spelling: after *ch* comes *a*), others reach
back across the sentence. What the heads learn differs from run to run; the rule the model must learn does not.

## 5. And a large language model?

An LLM is this model with the numbers turned up: a vocabulary of tens of thousands of sub-word tokens instead of
19 characters, thousands of positions of context instead of 32, dozens of blocks of width several thousand, billions
of parameters instead of tens of thousands, and text measured in trillions of tokens. Its pre-training is the loop
of section 3: take a batch of text, predict every next token, compute the cross-entropy, call `backward()`, and let
AdamW step. The gradient of that one number with respect to every weight, from the output layer back through every
block, every attention and every embedding, is computed by the same back-propagation as the delta rule of notebook 1;
it is only spread over many accelerators. (Later stages, such as fine-tuning on instructions and learning from human
preferences, change the data and the loss, not the mechanism.)""",
     r"""現在の文字や直前の文字ばかりを見るヘッド (綴り: *ch* の後には *a* が来る) もあれば、文をさかのぼって遠くを見るヘッドもあります。
どのヘッドが何を覚えるかは訓練のたびに変わりますが、モデルが学ぶべき規則は変わりません。

## 5. では大規模言語モデルは?

LLM は、このモデルの数字を大きくしたものです。語彙は 19 文字ではなく数万のサブワードトークン、文脈は 32 ではなく数千の位置、
ブロックは数十段で幅は数千、パラメータは数万ではなく数十億、そして訓練テキストは数兆トークンに及びます。
その事前学習は 3 節のループそのものです。テキストのバッチを取り、すべての次のトークンを予測し、交差エントロピーを計算し、
`backward()` を呼び、AdamW で一歩進める。出力層からすべてのブロック、すべての注意、すべての埋め込みまでさかのぼって、
この一つの数のすべての重みについての勾配を求めるのは、ノートブック 1 のデルタ則と同じ誤差逆伝播法です。
ただ多数のアクセラレータに分散して計算されるだけです。(その後の段階、たとえば指示への追加学習 (ファインチューニング) や
人間の好みからの学習は、データと損失を変えるのであって、仕組みは変えません。)"""),
    ("code", r"""# one backward pass reaches every parameter: the embedding table of the first layer included
x, y = batch()
model.zero_grad()
F.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1)).backward()
for name, p in model.named_parameters():
    if name in ("tok.weight", "pos.weight", "blocks.0.attn.qkv.weight", "blocks.1.mlp.2.weight", "head.weight"):
        print(f"{name:26} shape {str(tuple(p.shape)):10} |grad| = {p.grad.norm().item():.3e}")
assert all(p.grad is not None for p in model.parameters())"""),
    ("md", r"""### What to take away

* A language model is trained to predict the next symbol; its loss is the cross-entropy of notebook 4.
* A transformer is built from parts met before (linear layers, softmax, layer normalisation, residual connections)
  plus attention, a softmax-weighted average whose weights are themselves computed from the data.
* Back-propagation does not care what the layers are: the same `backward()` trains a 2-2-1 network and a transformer,
  and at scale, the large language models.""",
     r"""### まとめ

* 言語モデルは次の記号を予測するように訓練されます。損失はノートブック 4 の交差エントロピーです。
* トランスフォーマーは、これまでに出てきた部品 (線形層、ソフトマックス、層正規化、残差接続) と注意からできています。
  注意とは、重み自体がデータから計算されるソフトマックス加重平均です。
* 誤差逆伝播法は層の種類を問いません。同じ `backward()` が 2-2-1 のネットワークもトランスフォーマーも、
  そして規模を大きくすれば大規模言語モデルも訓練します。"""),
]

JA_CODE = {
    "titles and labels may be Japanese: add a font that has kana and kanji": "題名やラベルは日本語のことがある: かなと漢字をもつフォントを加える",
    "opened from notebooks/ without `pip install -e .`: use the checkout one level up":
        "`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う",
    "plural form -> singular form": "複数形 -> 単数形",
    " characters, a vocabulary of ": " 文字、語彙は ",
    "queries, keys and values in one product": "クエリ、キー、バリューを一回の積で",
    "the last attention weights, for drawing": "描画用に最後の注意の重みを残す",
    "row i sums to 1 over j <= i": "行 i は j <= i で和が 1",
    "residual connections: the gradient has a path around each layer": "残差接続: 勾配には各層を迂回する道がある",
    "the causal mask: True above the diagonal, where position i would see the future j > i":
        "因果マスク: 対角線より上が True。位置 i が未来の j > i を見てしまう場所",
    "logits for the next character": "次の文字のロジット",
    " parameters": " 個のパラメータ",
    "mask (top-left corner):": "マスク (左上の隅):",
    "the same back-propagation as for a 2-2-1 network": "2-2-1 のネットワークと同じ誤差逆伝播",
    " steps in ": " ステップ、",
    " s; loss ": " 秒; 損失 ",
    "(a uniform guess: ln ": "(一様な当て推量: ln ",
    "after ": "",
    " steps: ": " ステップ後: ",
    "uniform guess": "一様な当て推量",
    "next-character cross-entropy": "次の文字の交差エントロピー",
    '"step"': '"ステップ"',
    '"loss"': '"損失"',
    '"prompt"': '"プロンプト"',
    '"_" marks a space, to make it visible on the axis': '"_" は空白を表す (軸の上で見えるように)',
    "layer ": "層 ",
    ", head ": "、ヘッド ",
    "position looked at (j)": "見られる位置 (j)",
    "position predicting the next character (i)": "次の文字を予測する位置 (i)",
    'which earlier character does each head of the last layer weigh most, when predicting after "chase"?':
        '"chase" の次を予測するとき、最後の層の各ヘッドはどの文字をいちばん重視するか',
    ": at ": ": ",
    " looks most at position ": " で最も見ている位置は ",
    ", weight ": "、重み ",
    "one backward pass reaches every parameter: the embedding table of the first layer included":
        "一回の逆伝播がすべてのパラメータに届く: 最初の層の埋め込み表も含めて",
    ' of ': '、文脈 ',
}
