"""The project's promises about itself: packaging, the README's two commands, CI."""
import json
import os
import pathlib
import re
import subprocess
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Set up and run.*?```bash\n(.*?)```", text, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_layout():
    for name in ("pyproject.toml", "README.md", "autograd", "nn", "optim", "tests", "notebooks", "benchmarks", ".ci/run"):
        assert (ROOT / name).exists(), name


def test_pyproject():
    if tomllib is None:
        return
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = meta["project"]
    assert project["name"] == "denpa"
    assert project["requires-python"] == ">=3.10"
    assert [d.split(">")[0].split("=")[0] for d in project["dependencies"]] == ["numpy"]
    assert {"viz", "cuda", "test", "all"} <= set(project["optional-dependencies"])
    # every sub-package ships: packages are discovered, not listed by hand
    assert {"autograd*", "nn*", "optim*"} <= set(meta["tool"]["setuptools"]["packages"]["find"]["include"])
    # the license as an SPDX expression (the TOML-table form is deprecated), and the file it names
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")
    # `pip install -e ".[notebooks]"` is what the README says opens the notebooks
    assert any(d.startswith("jupyterlab") for d in project["optional-dependencies"]["notebooks"])
    assert "version" in project["dynamic"] and "version" not in project


def test_one_version_for_the_distribution():
    """autograd, nn, optim and denpa report one version: the one pyproject.toml reads from autograd/_version.py
    (the built wheel's metadata carries it too: test_wheel_and_sdist_contents)."""
    import autograd
    import denpa
    import nn
    import optim

    assert autograd.__version__ == nn.__version__ == optim.__version__ == denpa.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", autograd.__version__)


def test_ci_runs_the_readme_test_command():
    main_cmd, test_cmd = _readme_commands()
    assert "pip install" in main_cmd and "denpa" in main_cmd
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd in ci.splitlines()


def test_readme_main_command_trains_digits_to_95_percent(tmp_path):
    """The README's first command after its install step, run as written (plus a scratch --out), on a fresh
    process: it trains the default MLP on the bundled digits, offline, and reaches at least 95 % test accuracy."""
    main_cmd, _ = _readme_commands()
    install, command = (part.strip() for part in main_cmd.split("&&"))
    assert install.startswith("python3 -m pip install -e") and command.split()[:2] == ["denpa", "train"]
    if tomllib is not None:  # `denpa` is the console script for the same main() run here
        scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
        assert scripts["denpa"] == "denpa.__main__:main"
    out_dir = tmp_path / "run"
    argv = command.split()[1:] + ["--out", str(out_dir), "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "denpa", *argv], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    printed = float(re.search(r"test accuracy ([\d.]+)%", out.stdout).group(1))
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["test"]["accuracy"] >= 0.95
    assert printed == round(100 * summary["test"]["accuracy"], 2)
    assert summary["dataset"]["name"] == "digits" and summary["model"]["kind"] == "mlp"


def test_readme_warns_about_hips_autograd():
    text = (ROOT / "README.md").read_text()
    assert "HIPS" in text and "autograd" in text


def test_demo_loss_falls():
    out = subprocess.run([sys.executable, "-m", "denpa", "demo", "--steps", "60"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert out.returncode == 0, out.stderr
    first, last = re.search(r"loss fell from ([\d.]+) to ([\d.]+)", out.stdout).groups()
    assert float(last) < 0.5 * float(first)


def test_readme_property_testing_example_runs():
    """The README's 'property-testing your own function' block, executed as written."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Property-testing your own function.*?```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_") and callable(v)]
    assert tests
    for t in tests:
        t()


def test_readme_property_testing_example_catches_a_wrong_gradient():
    """The same gradcheck call fails for a function whose backward is wrong."""
    import pytest

    import autograd
    from autograd.testing import gradcheck

    class BadSoftsign(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x / (1 + x.abs())

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g / (1 + x.abs())  # should be squared

    x = autograd.tensor([[0.5, -1.0], [2.0, 0.3]], dtype="float64", requires_grad=True)
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(BadSoftsign.apply, (x,))
