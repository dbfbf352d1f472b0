"""Build the notebooks, in English and in Japanese, from one cell list per notebook in notebooks/src/.

Each ``notebooks/src/NAME.py`` defines

* ``CELLS``: a list of cells, ``("md", english, japanese)`` or ``("code", source)``;
* ``JA_CODE``: ``{english: japanese}`` replacements for the code cells' comments and
  string literals (plot titles, labels, printed words). They are applied only inside
  comment and string tokens, never to code, so both editions run the same program;
  a key that matches nothing is an error (a stale translation is caught at build time).

and becomes ``notebooks/NAME.ipynb`` (English) and ``notebooks/ja/NAME.ipynb`` (Japanese).

    python notebooks/_build.py               # build and run every notebook, saving the outputs
    python notebooks/_build.py 01 08         # only those whose name starts with 01 or 08
    python notebooks/_build.py --no-execute  # write them without outputs
    python notebooks/_build.py --lang ja     # only one edition (en or ja)

Running needs ``nbformat`` (and ``nbclient`` + ``ipykernel`` to execute); the
kernel starts at the repository root with the root on PYTHONPATH, as in
tests/test_notebooks.py.
"""
from __future__ import annotations

import glob
import io
import os
import re
import runpy
import sys
import tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LANGS = ("en", "ja")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji


def sources(prefixes=()):
    paths = sorted(glob.glob(os.path.join(HERE, "src", "*.py")))
    names = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    return [(n, p) for n, p in zip(names, paths) if not prefixes or n.startswith(tuple(prefixes))]


def edition_path(name: str, lang: str) -> str:
    """Where the ``lang`` edition of notebook ``name`` is written."""
    return os.path.join(HERE, name + ".ipynb") if lang == "en" else os.path.join(HERE, lang, name + ".ipynb")


def _tokens(code: str):
    """``(type, text, start, end)`` for each token of ``code`` (character offsets), an f-string always one STRING.

    Python 3.12 splits f-strings into FSTRING_START / MIDDLE / END and the tokens of their fields; they are
    joined back into one STRING token here, as older Pythons give them, so every Python sees the same tokens.
    """
    lines = code.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    fstart, fend = getattr(tokenize, "FSTRING_START", None), getattr(tokenize, "FSTRING_END", None)
    depth, begin = 0, 0
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        a = starts[tok.start[0] - 1] + tok.start[1]
        b = starts[tok.end[0] - 1] + tok.end[1]
        if tok.type == fstart:
            depth += 1
            if depth == 1:
                begin = a
        elif tok.type == fend:
            depth -= 1
            if depth == 0:
                yield tokenize.STRING, code[begin:b], begin, b
        elif depth == 0:
            yield tok.type, tok.string, a, b


def _spans(code: str):
    """(start, end) character offsets of the comment and string-literal tokens of ``code``."""
    return [(a, b) for kind, _, a, b in _tokens(code) if kind in (tokenize.COMMENT, tokenize.STRING)]


def _ipython_safe(code: str) -> str:
    """IPython's ``%magic`` lines are not Python: blank them for tokenizing (same length keeps offsets)."""
    return "\n".join(" " * len(line) if line.lstrip().startswith(("%", "!")) else line for line in code.split("\n"))


def translate_code(code: str, table: dict, used: set) -> str:
    """``code`` with ``table``'s replacements applied inside its comments and string literals only."""
    # one pass, longest key first ("loss per epoch" before "loss"); replaced text is not scanned again
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))) if table else None

    def swap(match):
        used.add(match.group(0))
        return table[match.group(0)]

    def replace(text):
        return pattern.sub(swap, text) if pattern else text

    pieces, pos = [], 0
    for a, b in _spans(_ipython_safe(code)):
        text = "".join(replace(t) if literal else t for literal, t in _literal_parts(code[a:b]))
        if not text.startswith("#") and text.count("$") >= 2 and JAPANESE.search(text):
            # matplotlib parses such a string as mathtext, whose fonts have no fallback: the kana would be boxes
            raise ValueError(f"translated string {text} mixes $math$ with Japanese; write the math in plain "
                             f"Unicode (L_D, ∂L/∂x, ln 2) in the Japanese text")
        pieces += [code[pos:a], text]
        pos = b
    pieces.append(code[pos:])
    return "".join(pieces)


def _literal_parts(token: str):
    """``[(is_literal_text, piece)]`` of a token: an f-string's ``{...}`` fields are code, not text."""
    prefix = token[:len(token) - len(token.lstrip("rRbBuUfF"))]
    if "f" not in prefix.lower():
        return [(True, token)]
    parts, i, depth, start = [], 0, 0, 0
    while i < len(token):
        ch = token[i]
        if depth == 0 and token.startswith(("{{", "}}"), i):
            i += 2
            continue
        if ch == "{":
            if depth == 0:
                parts.append((True, token[start:i]))
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                parts.append((False, token[start:i + 1]))
                start = i + 1
        i += 1
    parts.append((True, token[start:]))
    return parts


def code_skeleton(code: str) -> list:
    """The code of a cell with comments and string literals masked: what both editions must share.

    >>> code_skeleton('plt.title("loss")  # the curve') == code_skeleton('plt.title("損失")  # 曲線')
    True
    >>> code_skeleton('x = 1') == code_skeleton('x = 2')
    False
    """
    return [(kind, _fields(text) if kind == tokenize.STRING else text) for kind, text, _, _ in _tokens(_ipython_safe(code))
            if kind not in (tokenize.NL, tokenize.COMMENT)] + \
        [line for line in code.split("\n") if line.lstrip().startswith(("%", "!"))]


def _fields(literal: str):
    """What of a string literal is code: an f-string's replacement fields (before Python 3.12 the tokenizer
    gives an f-string as one token). The literal text itself is translatable."""
    prefix = literal[:len(literal) - len(literal.lstrip("rRbBuUfF"))]
    if "f" not in prefix.lower():
        return prefix
    import string
    try:
        return prefix, [f[1:] for f in string.Formatter().parse(literal[len(prefix):]) if f[1] is not None]
    except ValueError:  # nested braces the format mini-language cannot parse: compare the whole literal
        return literal


def cells_for(module: dict, lang: str, where: str = "") -> list:
    """``[(kind, text)]`` of one edition of a notebook source (the dict ``runpy`` returns)."""
    table = module.get("JA_CODE", {})
    used: set = set()
    out = []
    for i, cell in enumerate(module["CELLS"]):
        kind = cell[0]
        if kind == "md":
            if len(cell) != 3:
                raise ValueError(f"{where}: markdown cell {i} needs (\"md\", english, japanese), got {len(cell)} parts")
            out.append(("md", cell[1] if lang == "en" else cell[2]))
        elif kind == "code":
            if len(cell) != 2:
                raise ValueError(f"{where}: code cell {i} is (\"code\", source): one source for both editions")
            out.append(("code", cell[1] if lang == "en" else translate_code(cell[1], table, used)))
        else:
            raise ValueError(f"{where}: cell {i} has kind {kind!r}; expected 'md' or 'code'")
    if lang != "en" and set(table) - used:
        raise ValueError(f"{where}: JA_CODE entries that match no comment or string: {sorted(set(table) - used)}")
    return out


def build(cells, lang: str = "en"):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["language"] = lang
    for kind, src in cells:
        nb.cells.append(nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src))
    for i, cell in enumerate(nb.cells):  # stable ids, so a rebuild gives the same file
        cell["id"] = f"cell-{i:02d}"
    return nb


def execute(nb):
    from nbclient import NotebookClient

    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = ROOT + (os.pathsep + env_path if env_path else "")
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": ROOT}}).execute()
    for cell in nb.cells:  # timings and kernel details would change on every rebuild
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _coalesce(cell.outputs)
    nb.metadata.pop("widgets", None)


def _coalesce(outputs):
    """Merge runs of stdout (or stderr) chunks: how prints split into chunks depends on timing."""
    merged = []
    for out in outputs:
        if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == out.name):
            merged[-1].text += out.text
        else:
            merged.append(out)
    return merged


def main(argv):
    import nbformat

    langs = LANGS
    if "--lang" in argv:
        i = argv.index("--lang")
        langs = (argv[i + 1],)
        argv = argv[:i] + argv[i + 2:]
        if langs[0] not in LANGS:
            raise SystemExit(f"--lang must be one of {LANGS}, got {langs[0]!r}")
    prefixes = [a for a in argv if not a.startswith("--")]
    for name, path in sources(prefixes):
        module = runpy.run_path(path)
        for lang in langs:
            nb = build(cells_for(module, lang, where=os.path.relpath(path, ROOT)), lang)
            if "--no-execute" not in argv:
                execute(nb)
            nbformat.validate(nb)
            out = edition_path(name, lang)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            nbformat.write(nb, out)
            print("wrote", os.path.relpath(out, ROOT), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
