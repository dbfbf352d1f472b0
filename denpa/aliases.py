"""Module aliases: one module object importable under a second name.

``import denpa.nn.functional as F`` must give the very module ``nn.functional``
(not a second copy with its own state), so ``denpa.nn.Linear is nn.Linear``
and ``isinstance`` works across both spellings. A finder placed first on
``sys.meta_path`` answers for the alias names: it imports the real module and
puts it into ``sys.modules`` under the alias, so Python's import machinery
returns it, and submodules of an alias (``denpa.nn.init``) resolve the same
way. The real module's ``__name__`` and ``__spec__`` are left alone.

>>> import importlib, sys
>>> alias("docdemo_json", "json")
>>> importlib.import_module("docdemo_json") is importlib.import_module("json")
True
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``alias`` and ``alias.sub...`` to ``target`` and ``target.sub...`` (exact names too)."""

    def __init__(self):
        self.prefixes = {}  # alias prefix -> real prefix (a whole package: its submodules follow)
        self.exact = {}  # alias name -> real name (that module only)

    def target(self, fullname: str):
        real = self.exact.get(fullname)
        if real is not None:
            return real
        head = fullname
        while True:
            real = self.prefixes.get(head)
            if real is not None:
                return real + fullname[len(head):]
            if "." not in head:
                return None
            head = head.rsplit(".", 1)[0]

    def find_spec(self, fullname, path=None, target=None):
        real = self.target(fullname)
        if real is None or importlib.util.find_spec(real) is None:
            return None  # an alias of nothing: the usual ModuleNotFoundError, under the name asked for
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return None  # a throwaway module; exec_module swaps the real one in

    def exec_module(self, module):
        real = importlib.import_module(self.target(module.__name__))
        # the import system returns what sys.modules holds under the name once exec_module returns
        sys.modules[module.__name__] = real


_FINDER = _AliasFinder()


def _install():
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)  # first: the path finder would otherwise load a second copy


def alias(name: str, target: str, *, package: bool = True) -> None:
    """Make ``import name`` give module ``target``; with ``package`` (the default), ``name.x`` gives ``target.x``."""
    _install()
    (_FINDER.prefixes if package else _FINDER.exact)[name] = target
    if target in sys.modules and name not in sys.modules:
        sys.modules[name] = sys.modules[target]
