"""The object :func:`autograd.draw` returns, and rendering it.

With the ``graphviz`` Python package installed (``pip install denpa[viz]``) it
is a :class:`graphviz.Digraph`: it renders inline in Jupyter, and ``.render``,
``.pipe``, ``.view`` work as usual. Without the package it is a
:class:`TextDrawing` with the same DOT text and the same essentials
(``.source``, ``.render``, ``.pipe``, ``.save``, inline display), which runs
``dot`` itself. Either way ``.source`` needs nothing installed, and rendering
without Graphviz's ``dot`` program raises :class:`DotNotFoundError`, saying how
to install it.
"""
from __future__ import annotations

import os
import shutil
import subprocess

NAME = "denpa"
INSTALL = ("install Graphviz, which provides it: `apt-get install graphviz` (Debian/Ubuntu), "
           "`brew install graphviz` (macOS), `conda install graphviz` (conda), or see https://graphviz.org/download/. "
           "(`pip install graphviz` installs only the Python package, not the program.) "
           "Without it the DOT text is still available as `.source`.")
PICTURES = {"svg", "png", "pdf", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "ps", "eps", "json", "plain"}


class DotNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is not on PATH, so a drawing cannot be rendered."""

    def __init__(self):
        super().__init__("cannot render the drawing: Graphviz's `dot` program was not found on PATH; " + INSTALL)


class _Common:
    """What both drawing classes add: a repr without memory addresses (notebooks rebuild to the same file)
    and ``save`` by suffix."""

    def __repr__(self):
        lines = [s for s in self.source.splitlines() if "legend_" not in s]
        nodes = sum(" [label=" in s for s in lines)
        edges = sum(" -> " in s for s in lines)
        return f"<denpa drawing: {nodes} nodes, {edges} edges; .source is the DOT text>"

    def save(self, filename=None, directory=None, *, skip_existing=False) -> str:
        """Write the picture to ``filename`` in the format its suffix names (``.svg``, ``.png``, ``.pdf``, ...);
        any other name gets the DOT text, as ``graphviz``'s own ``save`` does."""
        fmt = os.path.splitext(str(filename))[1].lower().lstrip(".") if filename is not None else ""
        if fmt not in PICTURES or directory is not None or skip_existing is not False:
            return self._save_source(filename, directory, skip_existing=skip_existing)
        data = self.pipe(format=fmt)
        with open(filename, "wb") as f:
            f.write(data)
        return str(filename)


class TextDrawing(_Common):
    """DOT text plus rendering through the ``dot`` program (used when the ``graphviz`` package is missing)."""

    def __init__(self, source: str):
        self.source = source

    def __str__(self):
        return self.source

    def _save_source(self, filename=None, directory=None, skip_existing=False):
        path = os.path.join(directory or "", filename or f"{NAME}.gv")
        if not (skip_existing and os.path.exists(path)):
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.source)
        return path

    def pipe(self, format: str = "svg", encoding=None):  # noqa: A002 - graphviz's argument name
        """As ``graphviz.Source.pipe``: the drawing rendered by Graphviz's ``dot`` program in ``format``, as
        bytes (text when ``encoding`` is given); DotNotFoundError when ``dot`` is not installed."""
        dot = shutil.which("dot")
        if dot is None:
            raise DotNotFoundError()
        done = subprocess.run([dot, f"-T{format}"], input=self.source.encode("utf-8"), capture_output=True)
        if done.returncode:
            raise RuntimeError(f"dot failed (exit status {done.returncode}): {done.stderr.decode(errors='replace')}")
        return done.stdout.decode(encoding) if encoding else done.stdout

    def render(self, filename=None, directory=None, cleanup: bool = False, format: str = "svg") -> str:  # noqa: A002
        """As ``graphviz.Digraph.render``: write the DOT text to ``filename`` and the picture to ``filename.format``."""
        data = self.pipe(format=format)
        path = self._save_source(filename, directory)
        if cleanup:
            os.remove(path)
        out = f"{path}.{format}"
        with open(out, "wb") as f:
            f.write(data)
        return out

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        mimes = set(include) if include is not None else {"image/svg+xml"}
        mimes -= set(exclude or ())
        return {"image/svg+xml": self.pipe(format="svg", encoding="utf-8")} if "image/svg+xml" in mimes else {}


_DIGRAPH = None


def _digraph_class():
    """A ``graphviz.Digraph`` subclass that names how to install ``dot`` when it is missing, or None."""
    global _DIGRAPH
    if _DIGRAPH is None:
        try:
            import graphviz
        except ImportError:
            return None

        class Drawing(_Common, graphviz.Digraph):
            """A ``graphviz.Digraph`` of a computation graph (see :func:`autograd.draw`)."""

            def _save_source(self, filename, directory, skip_existing):
                return graphviz.Digraph.save(self, filename, directory=directory, skip_existing=skip_existing)

            def pipe(self, *args, **kwargs):
                try:
                    return super().pipe(*args, **kwargs)
                except graphviz.ExecutableNotFound:
                    raise DotNotFoundError() from None

            def render(self, *args, **kwargs):
                try:
                    return super().render(*args, **kwargs)
                except graphviz.ExecutableNotFound:
                    raise DotNotFoundError() from None

        _DIGRAPH = Drawing
    return _DIGRAPH


def make(body: list):
    """The drawing object for DOT ``body`` lines: a graphviz Digraph if the package is there, else a TextDrawing."""
    cls = _digraph_class()
    if cls is not None:
        return cls(NAME, body=body)
    return TextDrawing(f"digraph {NAME} {{\n" + "".join(body) + "}\n")
