"""Japanese text renders in matplotlib figures: no "Glyph ... missing from font" warning, no empty boxes."""
from __future__ import annotations

import io
import warnings

import pytest

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from denpa import fonts  # noqa: E402

TEXT = "誤差逆伝播法と勾配消失問題 — 学習率 η = 0.1, ミニバッチ学習"


def _missing_glyph_warnings(text: str) -> list:
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot([0, 1], [1, 0], label="損失 (loss)")
    ax.set_title(text)
    ax.set_xlabel("エポック")
    ax.legend()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_without_a_japanese_font_matplotlib_reports_missing_glyphs():
    # the check below can fail: DejaVu Sans alone has no kana or kanji
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        assert _missing_glyph_warnings(TEXT)


def test_japanese_text_renders_without_missing_glyphs():
    if fonts._packaged_font_file() is None:
        pytest.skip("no Japanese font package installed (pip install matplotlib-fontja)")
    with matplotlib.rc_context():
        name = fonts.use_japanese_font()
        assert name == "IPAexGothic"
        assert matplotlib.rcParams["font.family"][-1] == name
        assert fonts.use_japanese_font() == name and matplotlib.rcParams["font.family"].count(name) == 1
        assert _missing_glyph_warnings(TEXT) == []


def test_no_font_warns_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(fonts, "_packaged_font_file", lambda: None)
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", ("No Such Font Anywhere",))
    with matplotlib.rc_context():
        before = list(matplotlib.rcParams["font.family"])
        with pytest.warns(RuntimeWarning, match="matplotlib-fontja"):
            assert fonts.use_japanese_font() is None
        assert list(matplotlib.rcParams["font.family"]) == before
