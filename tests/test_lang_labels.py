"""lang="ja" for the two figures the Japanese notebooks show with English words: the backward slider's captions
(autograd.viz.draw_steps) and History.plot's axis labels and legend."""
from __future__ import annotations

import json
import re

import pytest

import autograd
from autograd.viz.steps import Steps
from denpa.train.history import History


class _Drawing:  # what Steps.html needs of a drawing: its SVG (no Graphviz needed for the captions)
    def pipe(self, format):
        return b'<?xml version="1.0"?><svg></svg>'


def _steps(lang):
    return Steps([_Drawing(), _Drawing(), _Drawing()], ["TanhBackward", "a"], lang)


def _captions(page):
    return json.loads(re.search(r"const caps = (\[.*\]);", page).group(1))


def test_slider_captions_and_title_in_japanese():
    page = _steps("ja").html()
    before, one, two = _captions(page)
    assert one == "ステップ 1: エンジンが TanhBackward を処理します" and two == "ステップ 2: エンジンが a を処理します"
    assert before.startswith("逆伝播の前") and "<title>逆伝播をステップごとに</title>" in page and '<html lang="ja">' in page


def test_slider_captions_in_english_by_default():
    page = _steps("en").html()
    assert _captions(page)[1] == "step 1: the engine processes TanhBackward" and "<title>backward, step by step</title>" in page
    assert "<title>mine</title>" in _steps("ja").html(title="mine")


def test_draw_steps_passes_lang_and_refuses_others():
    pytest.importorskip("graphviz")
    a, b = autograd.Scalar(2.0, name="a"), autograd.Scalar(-3.0, name="b")
    assert autograd.viz.draw_steps((a * b).tanh(), lang="ja").lang == "ja"
    with pytest.raises(ValueError, match=r"draw_steps: lang must be one of \['en', 'ja'\], got 'fr'"):
        autograd.viz.draw_steps((a * b).tanh(), lang="fr")


def _history():
    h = History()
    for e, (l, a) in enumerate([(2.3, 0.2), (0.5, 0.8), (0.01, 0.99)], 1):
        h.append(e, loss=l, val_loss=l * 1.1, accuracy=a, val_accuracy=a - 0.05)
    return h


def test_history_plot_in_japanese():
    pytest.importorskip("matplotlib")
    loss_ax, acc_ax = _history().plot(best_epoch=2, lang="ja").axes
    assert loss_ax.get_xlabel() == "エポック" and loss_ax.get_ylabel() == "損失 (対数目盛り)"
    assert acc_ax.get_ylabel() == "正解率 (%)"
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == ["訓練", "検証", "最良 (エポック 2)"]


def test_history_plot_in_english_by_default_and_other_languages_refused():
    pytest.importorskip("matplotlib")
    loss_ax, acc_ax = _history().plot(best_epoch=2).axes
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_ylabel() == "loss (log scale)"
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == ["train", "validation", "best (epoch 2)"]
    with pytest.raises(ValueError, match=r"History.plot: lang must be one of \['en', 'ja'\], got 'de'"):
        _history().plot(lang="de")


def test_step_through_pictures_speak_the_language_asked_for():
    import autograd

    a, b = autograd.Scalar(2.0, name="a"), autograd.Scalar(-3.0, name="b")
    y = (a * b).tanh()
    ja = autograd.draw(y, backward=True, step=2, lang="ja").source
    assert "▶ ステップ 2: 処理中" in ja and "processing" not in ja
    assert "受け取った勾配" in autograd.viz.draw_steps(y, lang="ja")[3].source
    import pytest

    with pytest.raises(ValueError, match="draw: lang must be one of"):
        autograd.draw(y, backward=True, step=1, lang="fr")
