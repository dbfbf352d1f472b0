"""The public API's type hints pass mypy (configured in pyproject.toml's [tool.mypy]), and mypy sees them."""
from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e .[test]")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")  # shared: the second run reuses the packages' analysis


def _mypy(cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_packages_pass_mypy(cache):
    res = _mypy(cache)  # the files and settings come from pyproject.toml
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Success" in res.stdout


def test_the_hints_reach_a_users_code(cache, tmp_path):
    """A caller's type errors against the public hints are reported (the check is not vacuous), and Tensor's
    generated operators and methods type-check as Tensor (its ``if TYPE_CHECKING:`` declarations)."""
    user = tmp_path / "user.py"
    user.write_text("import autograd\nimport nn\nimport optim\n"
                    "layer = nn.Linear('3', 2)\n"
                    "opt = optim.SGD(layer.parameters(), lr='fast')\n"
                    "n: str = layer.extra_repr()\n"
                    "x = autograd.randn(3, 4, requires_grad=True)\n"
                    "w = autograd.randn(4, 2)\n"
                    "reveal_type(x * 2.0)\n"
                    "reveal_type(x @ w)\n"
                    "reveal_type(x.sum().backward())\n"
                    "reveal_type((2.0 * x - x / 3 > 0) == x)\n"
                    "reveal_type(x[0].mean(dim=0).reshape(1, 1))\n"
                    "nothing = x + None\n")
    res = _mypy(cache, "--config-file", str(ROOT / "pyproject.toml"), str(user))
    out = res.stdout
    mine = [line for line in out.splitlines() if line.startswith(str(user))]  # the packages' own: test above
    assert res.returncode == 1, out
    assert 'Argument 1 to "Linear" has incompatible type "str"; expected "int"' in out
    assert 'Argument "lr" to "SGD" has incompatible type "str"; expected "float"' in out
    assert 'Unsupported operand types for + ("Tensor" and "None")' in out
    assert sum("error:" in line for line in mine) == 3, out  # the correct lines are accepted
    revealed = [line.split("Revealed type is ")[1] for line in mine if "Revealed type is" in line]
    assert revealed == ['"autograd.tensor.Tensor"', '"autograd.tensor.Tensor"', '"None"',
                        '"autograd.tensor.Tensor"', '"autograd.tensor.Tensor"'], out


def _declared_tensor_methods() -> list:
    """The functions of the ``if TYPE_CHECKING:`` block in class Tensor (autograd/tensor.py)."""
    tree = ast.parse((ROOT / "autograd" / "tensor.py").read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    blocks = [n for n in cls.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    assert len(blocks) == 1, "class Tensor should declare its generated methods in one `if TYPE_CHECKING:` block"
    return [f for f in blocks[0].body if isinstance(f, ast.FunctionDef)]


def _declared_params(f: ast.FunctionDef) -> list:
    a = f.args
    out = []
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + a.defaults
    for arg, d in list(zip(positional, defaults))[1:]:  # without self
        out.append((arg.arg, "POSITIONAL_OR_KEYWORD", None if d is None else ast.literal_eval(d)))
    if a.vararg:
        out.append((a.vararg.arg, "VAR_POSITIONAL", None))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, "KEYWORD_ONLY", None if d is None else ast.literal_eval(d)))
    if a.kwarg:
        out.append((a.kwarg.arg, "VAR_KEYWORD", None))
    return out


def test_the_declared_tensor_methods_match_the_generated_ones():
    """What the type checker is told (the TYPE_CHECKING block) is what runs: each declared method exists on
    Tensor at runtime with the same parameters (names, kinds, defaults; operators: the same arity)."""
    import autograd

    declared = _declared_tensor_methods()
    names = [f.name for f in declared]
    for must in ("__add__", "__radd__", "__mul__", "__matmul__", "__truediv__", "__pow__", "__neg__", "__lt__",
                 "__eq__", "__getitem__", "sum", "mean", "reshape", "backward"):
        assert must in names, must
    assert len(names) == len(set(names))
    wrong = []
    for f in declared:
        runtime = inspect.signature(getattr(autograd.Tensor, f.name))
        params = list(runtime.parameters.values())[1:]
        got = [(p.name, p.kind.name, None if p.default is p.empty else p.default) for p in params]
        want = _declared_params(f)
        if f.name.startswith("__"):  # operators' parameter names are the op's (a, b), never passed by keyword
            if any(p.kind is p.VAR_POSITIONAL for p in params):  # in-place operators take (*args, **kw)
                continue
            got, want = [k for _, k, _ in got], [k for _, k, _ in want]
        if got != want:
            wrong.append(f"{f.name}: runtime {got}, declared {want}")
    assert not wrong, "\n".join(wrong)
