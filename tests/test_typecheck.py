"""The public API's type hints pass mypy (configured in pyproject.toml's [tool.mypy]), and mypy sees them."""
from __future__ import annotations

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
    """A caller's type errors against the public hints are reported (the check is not vacuous)."""
    user = tmp_path / "user.py"
    user.write_text("import nn\nimport optim\n"
                    "layer = nn.Linear('3', 2)\n"
                    "opt = optim.SGD(layer.parameters(), lr='fast')\n"
                    "n: str = layer.extra_repr()\n")
    res = _mypy(cache, "--config-file", str(ROOT / "pyproject.toml"), str(user))
    out = res.stdout
    assert res.returncode == 1, out
    assert 'Argument 1 to "Linear" has incompatible type "str"; expected "int"' in out
    assert 'Argument "lr" to "SGD" has incompatible type "str"; expected "float"' in out
    assert out.count("error:") == 2, out  # the correct line is accepted
