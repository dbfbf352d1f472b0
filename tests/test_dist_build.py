"""Build the wheel and the sdist (setuptools' PEP 517 backend, offline, into a temporary folder) and check what
each ships: typed packages, the license, one version, the extras, and an sdist whose tests can run."""
import email
import pathlib
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "optim", "denpa")
# what a checkout holds that is not source: never copied into the build tree
JUNK = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "runs", ".hypothesis",
                              ".pytest_cache", ".ipynb_checkpoints", ".venv")


def _setuptools_version():
    try:
        import setuptools
    except ImportError:
        return None
    return tuple(int(p) for p in setuptools.__version__.split(".")[:2])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``(wheel, sdist)`` paths, built from a copy of this tree with no network (no build isolation)."""
    version = _setuptools_version()
    if version is None or version < (77, 0):  # the test extra installs setuptools>=77 (SPDX license strings)
        pytest.skip(f"needs setuptools>=77 installed (have {version}); pip install -e '.[test]'")
    tmp = tmp_path_factory.mktemp("dist")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=JUNK, symlinks=True)
    out = tmp / "out"
    out.mkdir()
    # the backend logs to stdout: the two file names go to a file of their own
    # (argv is read first: the backend rewrites sys.argv while it runs)
    code = ("import sys; from setuptools import build_meta as b; out, names = sys.argv[1:3]; "
            "w = b.build_wheel(out); s = b.build_sdist(out); open(names, 'w').write(w + chr(10) + s)")
    proc = subprocess.run([sys.executable, "-c", code, str(out), str(tmp / "names")], cwd=src, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-4000:]
    wheel, sdist = (tmp / "names").read_text().split()
    # the deprecated license table, or any other configuration setuptools warns about, fails here
    assert "Deprecat" not in proc.stderr, proc.stderr[-4000:]
    return out / wheel, out / sdist


def test_wheel_contents(built):
    import autograd

    wheel, _ = built
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        meta = email.message_from_bytes(z.read(f"{dist_info}/METADATA"))
    for pkg in PACKAGES:
        assert f"{pkg}/py.typed" in names, pkg  # type checkers read the hints
        assert f"{pkg}/__init__.py" in names, pkg
    assert "autograd/torch_names.json" in names
    # every source file of the packages ships (sub-packages are discovered, not listed)
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            assert path.relative_to(ROOT).as_posix() in names, path
    assert not [n for n in names if n.startswith(("tests/", "notebooks/", "benchmarks/"))]
    assert f"{dist_info}/licenses/LICENSE" in names
    assert meta["Version"] == autograd.__version__
    assert meta["License-Expression"] == "MIT" and not meta.get("License")
    extras = meta.get_all("Provides-Extra")
    assert {"data", "notebooks", "test"} <= set(extras)
    requires = meta.get_all("Requires-Dist")
    assert any(r.startswith("jupyterlab") and "notebooks" in r for r in requires)
    entry = z_read(wheel, f"{dist_info}/entry_points.txt")
    assert "denpa = denpa.__main__:main" in entry


def z_read(path, name) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode()


def test_sdist_contents(built):
    _, sdist = built
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for need in ("LICENSE", "README.md", "pyproject.toml", ".ci/run", "scripts/test.sh", "docs/torch_compat.md"):
        assert need in names, need
    for pkg in PACKAGES:
        assert f"{pkg}/py.typed" in names
    # each test ships with what it reads: the notebooks test with the notebooks, their sources and builder
    tests = {n for n in names if n.startswith("tests/test_")}
    assert "tests/test_notebooks.py" in tests and "tests/test_cli.py" in tests
    notebooks = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks and notebooks <= names
    assert "notebooks/_build.py" in names and any(n.startswith("notebooks/src/") for n in names)
    # every test file of the checkout ships, and nothing that is not source
    assert {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("test_*.py")} <= tests
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith("runs/")]
