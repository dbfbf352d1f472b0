"""`denpa train` / `denpa predict` (python -m denpa ...): outputs, flag errors, resume, predict round trip."""
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn
from denpa.__main__ import main
from denpa.train import build_model, run as run_command

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One short training run on digits, shared by the tests that read its outputs."""
    out = tmp_path_factory.mktemp("run")
    assert main(["train", "--epochs", "2", "--quiet", "--out", str(out), "--seed", "1"]) == 0
    return out


def digits_raw():
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.images.astype(np.float64), d.target


def test_train_writes_every_output(run):
    files = sorted(p.name for p in run.iterdir())
    assert {"model.npz", "checkpoint.npz", "curves.png", "summary.json"} <= set(files)
    assert "graph.svg" in files or "graph.dot" in files
    assert not [f for f in files if f.startswith(".")], files  # no temporary files left behind
    assert (run / "curves.png").read_bytes()[:8] == PNG_MAGIC

    summary = json.loads((run / "summary.json").read_text())
    assert summary["args"]["epochs"] == 2 and summary["args"]["dataset"] == "digits"
    assert summary["model"]["kind"] == "mlp" and summary["model"]["input_shape"] == [1, 8, 8]
    assert summary["dataset"]["train"] + summary["dataset"]["val"] + summary["dataset"]["test"] == 1797
    assert summary["history"]["epoch"] == [1, 2] and len(summary["history"]["val_accuracy"]) == 2
    test = summary["test"]
    assert 0.5 < test["accuracy"] <= 1 and test["correct"] == round(test["accuracy"] * test["total"])
    assert summary["timings_s"]["train"] > 0 and len(summary["timings_s"]["per_epoch"]) == 2
    assert summary["versions"]["numpy"] == np.__version__ and summary["denpa"] == autograd.__version__

    model = build_model(summary["model"])
    model.load_state_dict(nn.load(run / "model.npz"))  # the weights load into the recorded architecture


def test_graph_svg_has_module_clusters(run):
    if not (run / "graph.svg").exists():
        pytest.skip("Graphviz 'dot' is not installed here")
    svg = ET.parse(run / "graph.svg").getroot()
    titles = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith("cluster") for t in titles)
    text = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "classifier" in text


def test_graph_falls_back_to_dot_source_without_graphviz(monkeypatch, tmp_path):
    monkeypatch.setattr(run_command.shutil, "which", lambda name: None)
    model = build_model({"kind": "mlp", "input_shape": [1, 8, 8], "num_classes": 10, "hidden": [8]})
    name, note = run_command._write_graph(model, np.zeros((2, 1, 8, 8), np.float32), tmp_path / "graph")
    assert name == "graph.dot" and "apt-get install graphviz" in note and "dot -Tsvg" in note
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")


@pytest.mark.parametrize("argv,message", [
    (["--epochs", "0"], "--epochs: must be at least 1"),
    (["--batch-size", "-3"], "--batch-size: must be at least 1"),
    (["--lr", "fast"], "--lr: expected a number"),
    (["--dataset", "imagenet"], "invalid choice: 'imagenet'"),
    (["--optimizer", "adamm"], "invalid choice: 'adamm'"),
    (["--model", "cnn", "--dataset", "spiral"], "2-D points"),
    (["--device", "cuda"], "--device cuda"),
    (["--val-fraction", "0.6", "--test-fraction", "0.4"], "less than 10%"),
    (["--resume"], "--resume needs --out"),
])
def test_bad_flags_fail_before_training(argv, message, capsys, tmp_path):
    assert main(["train", *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "epoch" not in captured.out  # nothing was trained


def test_unwritable_out_fails_before_training(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["train", "--out", str(blocker / "run")]) == 2
    assert "cannot write there" in capsys.readouterr().err
    assert main(["train", "--out", str(blocker)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_resume_continues_a_run(tmp_path, capsys):
    out = tmp_path / "run"
    common = ["train", "--quiet", "--out", str(out), "--patience", "0", "--batch-size", "128"]
    assert main(common + ["--epochs", "1"]) == 0
    first = json.loads((out / "summary.json").read_text())
    assert main(common + ["--epochs", "2", "--resume"]) == 0
    resumed = json.loads((out / "summary.json").read_text())
    assert resumed["epochs_run"] == 2 and resumed["history"]["epoch"] == [1, 2]
    assert resumed["history"]["loss"][0] == first["history"]["loss"][0]
    assert "test accuracy" in capsys.readouterr().out
    # a checkpoint resumed by a different command is refused with a reason, not a traceback
    assert main(common + ["--epochs", "3", "--resume", "--model", "cnn"]) == 1
    assert "does not fit this command" in capsys.readouterr().err


def test_diverging_training_stops_with_the_step_and_writes_no_model(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "2", "--quiet", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "denpa train: error: training stopped at epoch 1, step" in err and "is nan" in err
    assert not (out / "model.npz").exists() and not (out / "summary.json").exists()


@pytest.mark.parametrize("shape", ["n88", "n64", "n188", "one"])
def test_predict_round_trip(run, tmp_path, capsys, shape):
    images, labels = digits_raw()
    x = images[:12]
    x = {"n88": x, "n64": x.reshape(12, 64), "n188": x.reshape(12, 1, 8, 8), "one": x[0]}[shape]
    np.save(tmp_path / "images.npy", x)
    assert main(["predict", "--weights", str(run), "--input", str(tmp_path / "images.npy")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    predicted = [int(line.split(":")[1].split()[0]) for line in lines]
    # the same model, loaded and preprocessed by hand
    summary = json.loads((run / "summary.json").read_text())
    model = build_model(summary["model"])
    model.load_state_dict(nn.load(run / "model.npz"))
    model.eval()
    pre = summary["preprocess"]
    n = 1 if shape == "one" else 12
    xs = ((images[:n].reshape(n, 1, 8, 8) - pre["mean"]) / pre["std"]).astype(np.float32)
    with autograd.no_grad():
        expected = model(autograd.tensor(xs)).numpy().argmax(1).tolist()
    assert predicted == expected
    if shape == "n88":
        assert np.mean(np.array(predicted) == labels[:12]) >= 0.5  # it learned something in 2 epochs


def test_predict_errors(run, tmp_path, capsys):
    np.save(tmp_path / "mnist.npy", np.zeros((3, 28, 28)))
    assert main(["predict", "--weights", str(run), "--input", str(tmp_path / "mnist.npy")]) == 2
    err = capsys.readouterr().err
    assert "(N, 1, 8, 8)" in err and "(N, 64)" in err and "(3, 28, 28)" in err
    assert main(["predict", "--weights", str(tmp_path), "--input", str(tmp_path / "mnist.npy")]) == 2
    assert "no model.npz" in capsys.readouterr().err
    assert main(["predict", "--weights", str(run), "--input", str(tmp_path / "missing.npy")]) == 2
    assert "no such file" in capsys.readouterr().err
    np.save(tmp_path / "none.npy", np.zeros((0, 8, 8)))
    assert main(["predict", "--weights", str(run), "--input", str(tmp_path / "none.npy")]) == 2
    assert "holds no images" in capsys.readouterr().err
    # weights that do not fit the architecture the summary records
    other = tmp_path / "other"
    other.mkdir()
    summary = json.loads((run / "summary.json").read_text())
    summary["model"]["hidden"] = [64]
    (other / "summary.json").write_text(json.dumps(summary))
    (other / "model.npz").write_bytes((run / "model.npz").read_bytes())
    np.save(tmp_path / "ok.npy", np.zeros((2, 8, 8)))
    assert main(["predict", "--weights", str(other), "--input", str(tmp_path / "ok.npy")]) == 1
    assert "does not load into the architecture" in capsys.readouterr().err
    np.save(tmp_path / "scaled.npy", np.ones((2, 8, 8)) * 255)
    assert main(["predict", "--weights", str(run / "model.npz"), "--input", str(tmp_path / "scaled.npy")]) == 0
    assert "warning: the images range over [255, 255]" in capsys.readouterr().err


def _idx_gz(array):
    """An IDX file (gzipped), as the MNIST mirrors serve them."""
    import gzip
    import struct

    code = {np.dtype("uint8"): 0x08}[array.dtype]
    header = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.tobytes())


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    """A 28x28 data set in MNIST's files, in a cache folder of its own: class k lights up row band k."""
    import hashlib

    from autograd import data

    rng = np.random.default_rng(0)
    folder = tmp_path / "cache" / "mnist"
    folder.mkdir(parents=True)
    sums = {}
    for prefix, n in (("train", 150), ("t10k", 40)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            images[i, 2 + 2 * k: 4 + 2 * k, 4:24] = 255
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{prefix}-{kind}-ubyte.gz"
            blob = _idx_gz(arr)
            (folder / name).write_bytes(blob)
            sums[name] = hashlib.sha256(blob).hexdigest()
    monkeypatch.setenv("DENPA_DATA", str(tmp_path / "cache"))
    monkeypatch.setattr(data.MNIST, "sha256", sums)
    return images


def test_train_and_predict_on_mnist_files(tiny_mnist, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "mnist", "--model", "cnn", "--epochs", "1", "--batch-size", "50",
                 "--quiet", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"]["input_shape"] == [1, 28, 28] and summary["model"]["kind"] == "cnn"
    assert summary["preprocess"]["input_range"] == [0.0, 255.0]
    assert summary["dataset"]["test"] == 40 and summary["dataset"]["classes"] == [str(i) for i in range(10)]
    np.save(tmp_path / "images.npy", tiny_mnist[:5])  # raw uint8 images, as the files hold them
    capsys.readouterr()
    assert main(["predict", "--weights", str(out), "--input", str(tmp_path / "images.npy")]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 5


def test_missing_dataset_files_fail_with_where_to_put_them(tmp_path, monkeypatch, capsys):
    from autograd import data

    monkeypatch.setenv("DENPA_DATA", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(data.FashionMNIST, "mirrors", ("http://127.0.0.1:9/",))  # nothing listens: offline
    assert main(["train", "--dataset", "fashion-mnist", "--quiet", "--out", str(tmp_path / "run")]) == 1
    err = capsys.readouterr().err
    assert "could not load the fashion-mnist dataset" in err and str(tmp_path / "empty-cache") in err
