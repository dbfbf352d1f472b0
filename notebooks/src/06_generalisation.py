"""Cells of notebooks/06_generalisation.ipynb (build with: python notebooks/_build.py 06)."""

CELLS = [
    ("md", r"""# Generalisation: overfitting and what to do about it

A network is trained on some examples and used on others. This notebook measures the gap between the two on handwritten
digits, and the standard tools against it:

1. **train / validation / test** splits, and what each set is for;
2. **overfitting**, provoked on purpose: a big MLP on a training set of 100 images;
3. **early stopping**, **dropout**, **weight decay** and **batch normalisation**, each on the same problem, with curves;
4. **k-fold cross-validation**, to choose a hyperparameter when data is scarce.""",
     r"""# 汎化: 過学習とその対策

ネットワークはある例で訓練され、別の例に使われます。このノートブックでは手書き数字を使って両者の差を測り、それに対する標準的な道具を試します。

1. **訓練 / 検証 / テスト**への分割と、それぞれのデータの役割。
2. わざと起こす**過学習**: 100 枚の訓練データに大きな MLP。
3. **早期終了**、**ドロップアウト**、**重み減衰**、**バッチ正規化**を、同じ問題で、曲線とともに。
4. データが少ないときにハイパーパラメータを選ぶための **k 分割交差検証**。"""),
    ("code", r"""%matplotlib inline
try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import os, sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

import matplotlib.pyplot as plt
import numpy as np
import nn
import optim
from autograd import data
from denpa.train import EarlyStopping, evaluate, fit

F = nn.functional
from denpa.fonts import use_japanese_font
use_japanese_font()  # titles and labels may be Japanese: add a font that has kana and kanji
print("denpa autograd", autograd.__version__)"""),
    ("md", r"""## 1. Three sets

* The **training set** fits the weights.
* The **validation set** chooses everything the weights do not: when to stop, how much to regularise, which architecture.
  Because we make choices on it, its error is slightly optimistic.
* The **test set** is looked at once, at the end, to report how the chosen model does on data it has never influenced.

`data.train_val_test_split` shuffles with a seed and cuts the dataset by fractions. To make overfitting easy to see we train on
only 100 of the training images.""",
     r"""## 1. 三つのデータ

* **訓練データ**で重みを合わせます。
* **検証データ**で、重み以外のすべてを選びます。いつ止めるか、どれだけ正則化するか、どの構造にするか。
  検証データの上で選択をするので、その誤差は少し楽観的になります。
* **テストデータ**は最後に一度だけ見て、選んだモデルが、選択に一度も影響していないデータでどうなるかを報告します。

`data.train_val_test_split` はシードを指定してシャッフルし、データセットを割合で切り分けます。過学習を見やすくするため、
訓練画像のうち 100 枚だけで訓練します。"""),
    ("code", r"""digits = data.digits()
train_set, val_set, test_set = data.train_val_test_split(digits, (0.6, 0.2, 0.2), seed=0)
small_train, _ = data.random_split(train_set, [100, len(train_set) - 100], seed=0)
print(f"{len(digits)} images: {len(train_set)} training ({len(small_train)} used), "
      f"{len(val_set)} validation, {len(test_set)} test")

val_loader = data.DataLoader(val_set, batch_size=len(val_set))
test_loader = data.DataLoader(test_set, batch_size=len(test_set))
_, y_small = next(iter(data.DataLoader(small_train, batch_size=len(small_train))))
print("class counts in the 100 training images:", np.bincount(y_small.numpy(), minlength=10))"""),
    ("md", r"""## 2. Overfitting

The model: an MLP 64-256-256-10 with ReLU, about 85,000 weights for 100 examples, trained with Adam (`optim.AdamW`, here
without weight decay) on all 100 images at each step, so that the curves show overfitting rather than mini-batch noise.
One helper builds the model (with optional dropout and batch normalisation, used later; the same seed gives the same initial
weights every time), another trains it with `denpa.train.fit`, which after every epoch evaluates the model on the validation
set. An `EarlyStopping` object watches the validation loss; with a patience as long as the run it never stops it, but it
remembers the best epoch.""",
     r"""## 2. 過学習

モデルは ReLU の MLP 64-256-256-10 で、100 個の例に対して重みはおよそ 85,000 個です。Adam (`optim.AdamW`、ここでは重み減衰なし) で、
各ステップに 100 枚すべてを使って訓練します。こうすると曲線にはミニバッチのノイズではなく過学習が現れます。

補助関数の一つがモデルを作り (後で使うドロップアウトとバッチ正規化はオプション。同じシードなら毎回同じ初期重み)、もう一つが
`denpa.train.fit` で訓練します。`fit` は各エポックの後に検証データでモデルを評価します。`EarlyStopping` オブジェクトが検証損失を
見張ります。忍耐 (patience) を訓練の長さと同じにしてあるので途中で止めることはありませんが、最良のエポックを覚えています。"""),
    ("code", r"""def make_mlp(dropout=0.0, batchnorm=False, hidden=256, seed=0):
    autograd.manual_seed(seed)
    layers = []
    for n_in, n_out in [(64, hidden), (hidden, hidden)]:
        layers.append(nn.Linear(n_in, n_out))
        if batchnorm:
            layers.append(nn.BatchNorm1d(n_out))
        layers.append(nn.ReLU())
        if dropout:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, 10))
    return nn.Sequential(*layers)

def train(model, train_set=small_train, batch_size=100, epochs=120, lr=3e-3, weight_decay=0.0, patience=None):
    opt = optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    stopper = EarlyStopping("val_loss", patience=epochs if patience is None else patience)
    loader = data.DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=0)
    history = fit(model, F.cross_entropy, opt, loader, val_loader, epochs=epochs, early_stopping=stopper,
                  verbose=False, progress=False)
    return history

def plot_losses(ax, h, title):
    ax.semilogy(h.epoch, h["loss"], label="training loss")
    ax.semilogy(h.epoch, h["val_loss"], label="validation loss")
    best = h.best("val_loss")[0]
    ax.axvline(best, c="gray", ls=":", label=f"lowest validation loss (epoch {best})")
    ax.set(title=title, xlabel="epoch", ylim=(1e-4, 5))

plain = make_mlp()
h_plain = train(plain)
for i in (h_plain.best("val_loss")[0] - 1, len(h_plain) - 1):
    print(f"epoch {i + 1:3}: training loss {h_plain['loss'][i]:.4f}, validation loss {h_plain['val_loss'][i]:.3f}, "
          f"training accuracy {h_plain['accuracy'][i]:.1%}, validation accuracy {h_plain['val_accuracy'][i]:.1%}")
h_plain.plot(best_epoch=h_plain.best("val_loss")[0], title="no regularisation, 100 training images", lang="en")"""),
    ("md", r"""The training loss goes on falling towards zero: the network memorises the 100 images. The validation loss falls for about
twenty epochs, then **rises**: the network grows ever more confident, including on the validation images it gets wrong.
That widening gap is overfitting. (Accuracy, which ignores confidence, moves less.)

## 3. Four remedies

### Early stopping

The simplest: watch the validation loss and stop when it has not improved for `patience` epochs, then restore the weights of the
best epoch. That is `EarlyStopping` with a short patience; `fit` stops the run and restores the best weights itself:""",
     r"""訓練損失はゼロに向かって下がり続けます。ネットワークが 100 枚の画像を丸暗記しているのです。検証損失はおよそ 20 エポックの間は
下がり、その後**上がり**ます。ネットワークはますます自信を深め、間違えている検証画像についても自信をもってしまうからです。
この広がっていく差が過学習です。(自信の度合いを無視する正解率は、それほど動きません。)

## 3. 四つの対策

### 早期終了

いちばん簡単な方法です。検証損失を見張り、`patience` エポックの間改善しなければ止めて、最良のエポックの重みに戻します。
それが忍耐を短くした `EarlyStopping` で、`fit` が自分で訓練を止め、最良の重みを復元します。"""),
    ("code", r"""stopped = make_mlp()
h_stop = train(stopped, patience=5)
result = evaluate(stopped, val_loader, F.cross_entropy)
print(f"stopped after {len(h_stop)} epochs (best epoch {h_stop.best('val_loss')[0]}); restored weights: "
      f"validation loss {result['loss']:.3f}, accuracy {result['accuracy']:.1%}")"""),
    ("md", r"""### Dropout

During training, `nn.Dropout(p)` zeroes each activation with probability $p$ and scales the survivors by $1/(1-p)$ (so the expected
activation is unchanged); in evaluation mode it passes everything through. No unit can rely on any other being present, which
discourages memorising co-adapted features. `model.train()` and `model.eval()` switch the mode.

### Weight decay

Adding $\tfrac{\lambda}{2}\lVert\theta\rVert^2$ to the loss adds $\lambda\theta$ to the gradient, pulling every weight towards zero:
large weights (sharp, confident functions) must pay for themselves. `optim.AdamW(..., weight_decay=λ)` applies the pull directly
as $\theta \leftarrow \theta - \eta\lambda\theta$ at each step (*decoupled* weight decay, which behaves better with Adam than a
penalty in the loss).

### Batch normalisation

`nn.BatchNorm1d` normalises each feature over the batch, $\hat z = (z - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}$, then rescales it with
learned $\gamma, \beta$. It was introduced to make training faster and more stable; the noise of batch statistics also
regularises a little. In evaluation mode it uses running averages of $\mu$ and $\sigma^2$ instead.

Each on the same problem, same initial weights, same number of epochs:""",
     r"""### ドロップアウト

訓練中、`nn.Dropout(p)` は各活性を確率 $p$ でゼロにし、残ったものを $1/(1-p)$ 倍します (活性の期待値は変わりません)。評価モードでは
すべてをそのまま通します。どのユニットも他のユニットがいることを当てにできないので、互いに依存し合った特徴を丸暗記しにくくなります。
モードは `model.train()` と `model.eval()` で切り替えます。

### 重み減衰

損失に $\tfrac{\lambda}{2}\lVert\theta\rVert^2$ を足すと、勾配に $\lambda\theta$ が加わり、すべての重みがゼロに向かって引っ張られます。
大きな重み (鋭く、自信過剰な関数) は、それに見合う働きをしなければなりません。`optim.AdamW(..., weight_decay=λ)` は、この引っ張りを
各ステップで直接 $\theta \leftarrow \theta - \eta\lambda\theta$ として適用します (*分離された*重み減衰。損失に罰則項を加えるより
Adam との相性が良い)。

### バッチ正規化

`nn.BatchNorm1d` は各特徴量をバッチ上で $\hat z = (z - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}$ と正規化し、学習される $\gamma, \beta$ で
スケールし直します。訓練を速く安定させるために導入されたものですが、バッチ統計のノイズが少し正則化の働きもします。
評価モードでは、代わりに $\mu$ と $\sigma^2$ の移動平均を使います。

それぞれを同じ問題で、同じ初期重み、同じエポック数で試します。"""),
    ("code", r"""variants = {
    "dropout 0.5": (make_mlp(dropout=0.5), {}),
    "weight decay 2": (make_mlp(), {"weight_decay": 2.0}),
    "batch norm": (make_mlp(batchnorm=True), {}),
}
histories = {"no regularisation": h_plain}
models = {"no regularisation": plain}
for name, (model, kw) in variants.items():
    histories[name] = train(model, **kw)
    models[name] = model

fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), sharey=True)
axes[0].set_ylabel("cross-entropy loss (log scale)")  # the panels share the y axis
for ax, name in zip(axes, variants):
    ax.semilogy(h_plain.epoch, h_plain["val_loss"], c="lightgray", label="validation loss, no regularisation")
    plot_losses(ax, histories[name], name)
    ax.legend(fontsize=8)
plt.tight_layout()
plt.show()"""),
    ("md", r"""Each remedy slows or stops the rise of the validation loss. The test set, looked at once, for the final weights of each
run (and the restored ones of the early-stopped run):""",
     r"""どの対策も、検証損失の上昇を遅らせるか止めます。テストデータを一度だけ見て、各訓練の最終的な重み (早期終了の訓練では復元した重み) を評価します。"""),
    ("code", r"""models["early stopping"] = stopped
histories["early stopping"] = h_stop
print(" " * 20, "weights of epoch".rjust(16), "val loss".rjust(9), "val acc".rjust(8), "test acc".rjust(9))
for name, model in models.items():
    h = histories[name]
    used = h.best("val_loss")[0] if name == "early stopping" else len(h)
    val, test = evaluate(model, val_loader, F.cross_entropy), evaluate(model, test_loader, F.cross_entropy)
    print(f"{name:20} {used:16d} {val['loss']:9.3f} {val['accuracy']:8.1%} {test['accuracy']:9.1%}")"""),
    ("md", r"""With 100 training images every variant tops out well below what the full training set gives (the last cell of this
notebook trains the plain model on all of it): the best regulariser is more data.

## 4. k-fold cross-validation

With little data, a single validation set is itself small and noisy. **k-fold cross-validation** splits the training data into $k$
folds, trains $k$ times, each time validating on one fold and training on the other $k-1$, and averages the $k$ scores: every
example is used for validation once, and the spread across folds shows how much a score can be trusted.

Here we use 5-fold cross-validation on the 100 training images (no validation set involved) to choose the weight decay, with a
smaller network and 40 epochs per fit to keep it quick. `data.KFold` yields the index splits; `data.Subset` picks the examples.""",
     r"""訓練画像が 100 枚では、どの方法も、訓練データ全体で得られる成績 (このノートブックの最後のセルで、正則化なしのモデルを全データで訓練します)
にはとても届きません。いちばんの正則化はデータを増やすことです。

## 4. k 分割交差検証

データが少ないと、一つの検証データはそれ自体小さくノイズが多くなります。**k 分割交差検証**は訓練データを $k$ 個の分割 (fold) に分け、
$k$ 回訓練します。毎回一つの分割で検証し、残りの $k-1$ 個で訓練して、$k$ 個のスコアを平均します。どの例もちょうど一度検証に使われ、
分割の間のばらつきが、スコアをどこまで信用できるかを示します。

ここでは 100 枚の訓練画像で 5 分割交差検証を行い (検証データは使いません)、重み減衰の大きさを選びます。手早く済ませるため、
小さめのネットワークで 1 回の訓練を 40 エポックにします。`data.KFold` が添字の分割を返し、`data.Subset` が例を選び出します。"""),
    ("code", r"""DECAYS = [0.0, 1.0, 10.0]
folds = data.KFold(n_splits=5, shuffle=True, seed=0)
scores = {wd: [] for wd in DECAYS}
for fold, (train_idx, val_idx) in enumerate(folds.split(small_train)):
    fold_train, fold_val = data.Subset(small_train, train_idx), data.Subset(small_train, val_idx)
    fold_loader = data.DataLoader(fold_val, batch_size=len(fold_val))
    for wd in DECAYS:
        model = make_mlp(hidden=64)
        opt = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=wd)
        loader = data.DataLoader(fold_train, batch_size=20, shuffle=True, seed=fold)
        fit(model, F.cross_entropy, opt, loader, epochs=40, verbose=False, progress=False)
        scores[wd].append(evaluate(model, fold_loader, F.cross_entropy)["loss"])

for wd, s in scores.items():
    print(f"weight decay {wd:4}: validation loss per fold {np.round(s, 3)}, mean {np.mean(s):.3f} ± {np.std(s):.3f}")
best_wd = min(DECAYS, key=lambda wd: np.mean(scores[wd]))
wins = sum(a < b for a, b in zip(scores[best_wd], scores[0.0]))
print(f"chosen weight decay: {best_wd}; it beats no weight decay on {wins} of {len(scores[0.0])} folds")

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.errorbar([str(wd) for wd in DECAYS], [np.mean(scores[wd]) for wd in DECAYS],
            yerr=[np.std(scores[wd]) for wd in DECAYS], fmt="o-", capsize=5)
ax.set(title="5-fold cross-validation", xlabel="weight decay", ylabel="mean validation loss (± std over folds)")
plt.show()"""),
    ("md", r"""Too much weight decay underfits (at 10 the weights are pulled so hard towards zero that the loss stays high); a
moderate amount helps. The spread over folds is large (some folds are simply harder), larger than the difference between
no weight decay and the chosen value; but every choice is scored on the same folds, so the comparison is paired, and fold
by fold the chosen value wins.

Finally, the baseline the small-data runs were aiming at: the plain model trained on all the training images, with early stopping.""",
     r"""重み減衰が強すぎると未学習になります (10 では重みがゼロに強く引っ張られすぎて、損失が高いままです)。ほどほどの量は役に立ちます。
分割の間のばらつきは大きく (単に難しい分割もあります)、重み減衰なしと選んだ値との差よりも大きいほどです。しかしどの選択肢も同じ分割で
評価しているので比較は対応のあるもので、分割ごとに見ると選んだ値が勝っています。

最後に、少ないデータでの訓練が目指していた基準です。正則化なしのモデルを、早期終了を使ってすべての訓練画像で訓練します。"""),
    ("code", r"""full = make_mlp()
h_full = train(full, train_set=train_set, batch_size=64, epochs=30, patience=5)
print(f"all {len(train_set)} training images: best epoch {h_full.best('val_loss')[0]}, "
      f"validation accuracy {evaluate(full, val_loader)['accuracy']:.1%}, "
      f"test accuracy {evaluate(full, test_loader)['accuracy']:.1%}")"""),
    ("md", r"""### What to take away

* Judge a model on data it was not trained on: the validation set for choices, the test set once, at the end.
* Overfitting shows as training loss falling while validation loss rises. Early stopping, dropout, weight decay and batch
  normalisation each narrow the gap; more data narrows it most.
* When data is scarce, k-fold cross-validation gives a steadier estimate than one small validation set, and its spread
  says how far to trust the difference between two choices.""",
     r"""### まとめ

* モデルは訓練に使っていないデータで評価します。選択には検証データを、最後に一度だけテストデータを使います。
* 過学習は、訓練損失が下がる一方で検証損失が上がることとして現れます。早期終了、ドロップアウト、重み減衰、バッチ正規化は
  どれも差を縮めますが、いちばん縮めるのはデータを増やすことです。
* データが少ないときは、k 分割交差検証が一つの小さな検証データよりも安定した見積もりを与え、そのばらつきは
  二つの選択肢の差をどこまで信用してよいかを教えてくれます。"""),
]

JA_CODE = {
    '"en"': '"ja"',  # History.plot(lang=...): axis labels and legend in Japanese
    'opened from notebooks/ without `pip install -e .`: use the checkout one level up': '`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う',
    'titles and labels may be Japanese: add a font that has kana and kanji': '題名やラベルは日本語のことがある: かなと漢字をもつフォントを加える',
    ' images: ': ' 枚: ',
    ' training (': ' 枚が訓練用 (',
    ' used), ': ' 枚を使用)、',
    ' validation, ': ' 枚が検証用、',
    ' test': ' 枚がテスト用',
    'class counts in the 100 training images:': '100 枚の訓練画像のクラスごとの枚数:',
    '"training loss"': '"訓練損失"',
    '"validation loss"': '"検証損失"',
    'lowest validation loss (epoch ': '検証損失の最小 (エポック ',
    '"epoch"': '"エポック"',
    'epoch ': 'エポック ',
    ': training loss ': ': 訓練損失 ',
    ', validation loss ': '、検証損失 ',
    'training accuracy ': '訓練正解率 ',
    ', validation accuracy ': '、検証正解率 ',
    'no regularisation, 100 training images': '正則化なし、訓練画像 100 枚',
    'stopped after ': '',
    ' epochs (best epoch ': ' エポックで終了 (最良のエポック ',
    '); restored weights: ': '); 復元した重み: ',
    'validation loss ': '検証損失 ',
    ', accuracy ': '、正解率 ',
    '"dropout 0.5"': '"ドロップアウト 0.5"',
    '"weight decay 2"': '"重み減衰 2"',
    '"batch norm"': '"バッチ正規化"',
    '"no regularisation"': '"正則化なし"',
    'validation loss, no regularisation': '検証損失 (正則化なし)',
    '"early stopping"': '"早期終了"',
    'weight decay ': '重み減衰 ',
    ': validation loss per fold ': ': 分割ごとの検証損失 ',
    ', mean ': '、平均 ',
    'chosen weight decay: ': '選んだ重み減衰: ',
    '; it beats no weight decay on ': '; 重み減衰なしに勝った分割: ',
    ' of ': ' / ',
    ' folds': '',
    '5-fold cross-validation': '5 分割交差検証',
    '"weight decay"': '"重み減衰"',
    'mean validation loss (± std over folds)': '検証損失の平均 (± 分割間の標準偏差)',
    'all ': '全 ',
    ' training images: best epoch ': ' 枚の訓練画像: 最良のエポック ',
    'test accuracy ': 'テスト正解率 ',
    'validation accuracy ': '検証正解率 ',
    '"weights of epoch"': '"重みのエポック"',
    '"val loss"': '"検証損失"',
    '"val acc"': '"検証正解率"',
    '"test acc"': '"テスト正解率"',
    'cross-entropy loss (log scale)': '交差エントロピー損失 (対数目盛り)',
    'the panels share the y axis': 'パネルは y 軸を共有する',
}
