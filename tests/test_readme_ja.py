"""README.ja.md: its examples run, it is linked both ways, and its quickstart is the English one's code."""
from __future__ import annotations

import doctest
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EN, JA = os.path.join(ROOT, "README.md"), os.path.join(ROOT, "README.ja.md")


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def _code_blocks(text, heading):
    """The ```python / ```bash blocks of the section under ``heading``, comments removed."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:python|bash)\n(.*?)```", section, flags=re.S)
    return [[re.sub(r"\s+#.*$", "", line).rstrip() for line in b.splitlines()] for b in blocks]


def test_japanese_readme_examples_run():
    result = doctest.testfile(JA, module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                              encoding="utf-8")
    assert result.attempted > 0 and result.failed == 0


def test_linked_both_ways():
    assert "(README.ja.md)" in _read(EN)
    assert "(README.md)" in _read(JA)


def test_quickstart_is_the_same_code():
    assert _code_blocks(_read(JA), "## クイックスタート") == _code_blocks(_read(EN), "## Quickstart")
    # every set-up command in Japanese is one the English README gives
    en_setup = {line for block in _code_blocks(_read(EN), "## Set up and run") for line in block}
    ja_setup = {line for block in _code_blocks(_read(JA), "## セットアップと実行") for line in block}
    assert ja_setup and ja_setup <= en_setup, sorted(ja_setup - en_setup)
