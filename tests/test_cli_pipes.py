"""`denpa train | head` and `denpa predict ... | head`: the reader leaves early, and the command must not end in a
BrokenPipeError traceback. Training goes on to the end (the run folder is the product, not the log);
predict stops, with exit code 141 as a tool killed by SIGPIPE reports in a shell."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT, OPENBLAS_NUM_THREADS="1")


def _read_one_line_and_leave(argv, cwd):
    proc = subprocess.Popen([sys.executable, "-m", "denpa", *argv], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does once it has its line
    err = proc.stderr.read().decode()
    return first.decode(), proc.wait(timeout=300), err


def test_train_into_a_closed_pipe_finishes_the_run_quietly(tmp_path):
    out = tmp_path / "run"
    first, rc, err = _read_one_line_and_leave(["train", "--epochs", "3", "--patience", "0", "--out", str(out)],
                                              tmp_path)
    assert first.startswith("data: digits")
    assert rc == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["epochs_run"] == 3 and (out / "model.npz").exists()


def test_predict_into_a_closed_pipe_stops_quietly(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "denpa", "train", "--epochs", "1", "--quiet", "--out", str(out)],
                          cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    from sklearn.datasets import load_digits

    images = np.tile(load_digits().images, (12, 1, 1))  # ~21,000 lines: far more than a pipe's buffer holds
    np.save(tmp_path / "many.npy", images)
    first, rc, err = _read_one_line_and_leave(["predict", "--weights", str(out), "--input",
                                               str(tmp_path / "many.npy")], tmp_path)
    assert first.startswith("0: ")
    assert rc == 141, err
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err, err
