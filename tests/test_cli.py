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
    # a flag that differs from the run's own is refused, naming it, before any training
    assert main(common + ["--epochs", "3", "--resume", "--model", "cnn"]) == 2
    err = capsys.readouterr().err
    assert "was trained with --model mlp; this command gives --model cnn" in err
    assert json.loads((out / "summary.json").read_text())["epochs_run"] == 2  # nothing changed


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


# -- the command itself: usage, version, help ---------------------------------------------------------------
def test_denpa_alone_prints_the_usage_and_runs_nothing(capsys):
    assert main([]) == 2
    captured = capsys.readouterr()
    assert "usage: denpa" in captured.err and all(c in captured.err for c in ("train", "predict", "demo"))
    assert "loss" not in captured.out  # the demo did not run


def test_version(capsys):
    import denpa

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"denpa {denpa.__version__}"


def test_every_flag_of_every_command_has_help():
    from denpa.__main__ import build_parser

    parser, subs = build_parser()
    for name, sub in subs.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help, (name, action.dest)


@pytest.mark.parametrize("argv,message", [
    (["demo", "--steps", "-5"], "--steps: must be 0 or more, got -5"),
    (["demo", "--lr", "0"], "--lr: must be a positive finite number"),
    (["demo", "--steps", "many"], "--steps: expected a whole number"),
])
def test_demo_bad_flags(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_demo_runs(capsys):
    assert main(["demo", "--steps", "30"]) == 0
    assert "loss fell from" in capsys.readouterr().out


# -- resume: the run's own flags ------------------------------------------------------------------------------
def _summary(out):
    return json.loads((out / "summary.json").read_text())


def test_resume_takes_the_runs_flags_and_refuses_conflicting_ones(tmp_path, capsys):
    out = tmp_path / "run"
    first = ["train", "--out", str(out), "--optimizer", "sgd", "--lr", "0.05", "--seed", "3", "--epochs", "1",
             "--patience", "0", "--batch-size", "128", "--quiet"]
    assert main(first) == 0
    capsys.readouterr()
    # conflicting --seed / --lr / --optimizer: exit 2, each named with the run's value and the command's
    assert main(["train", "--out", str(out), "--resume", "--epochs", "2", "--seed", "1", "--lr", "0.5",
                 "--optimizer", "adam"]) == 2
    err = capsys.readouterr().err
    for part in ("--optimizer sgd", "--lr 0.05", "--seed 3", "--seed 1", "--lr 0.5", "--optimizer adam"):
        assert part in err, part
    assert _summary(out)["epochs_run"] == 1
    # omitted: taken from the run, and said so; the summary records what was used
    assert main(["train", "--out", str(out), "--resume", "--epochs", "2", "--patience", "0"]) == 0
    said = capsys.readouterr().out
    assert "with the run's own" in said and "--optimizer sgd" in said and "--lr 0.05" in said and "--seed 3" in said
    s = _summary(out)
    assert s["epochs_run"] == 2 and s["optimizer"] == {"name": "sgd", "lr": 0.05, "weight_decay": 0.0}
    assert s["args"]["seed"] == 3 and s["args"]["batch_size"] == 128
    # the same value given explicitly is no conflict
    assert main(["train", "--out", str(out), "--resume", "--epochs", "3", "--patience", "0", "--seed", "3",
                 "--lr", "0.05", "--quiet"]) == 0
    # all epochs done: says so, and how to go on
    assert main(["train", "--out", str(out), "--resume", "--epochs", "3", "--quiet"]) == 2
    assert "already trained 3 epochs" in capsys.readouterr().err


def test_resuming_a_run_that_stopped_early_says_so_and_how_to_go_on(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--epochs", "2", "--patience", "3", "--batch-size", "128",
                 "--quiet"]) == 0
    # make the saved stopper's state that of a run stopped by patience 3 (3 epochs without improvement)
    state = nn.load(out / "checkpoint.npz")
    state["early_stopping"]["wait"] = 3
    nn.save(state, out / "checkpoint.npz")
    capsys.readouterr()
    assert main(["train", "--out", str(out), "--resume", "--epochs", "10", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "stopped early after epoch 2" in err and "not improved for 3 epochs" in err
    assert "--patience larger than 3" in err and "--patience 0" in err
    # as it says: a larger patience goes on
    assert main(["train", "--out", str(out), "--resume", "--epochs", "3", "--patience", "6", "--quiet"]) == 0
    assert _summary(out)["epochs_run"] == 3


def test_existing_run_folder_is_refused_without_resume_or_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    common = ["train", "--out", str(out), "--epochs", "1", "--batch-size", "128", "--quiet"]
    assert main(common + ["--seed", "1"]) == 0
    (out / "notes.txt").write_text("mine")
    before = (out / "model.npz").read_bytes()
    assert main(common + ["--seed", "2"]) == 2
    err = capsys.readouterr().err
    assert "already holds a run" in err and "--resume" in err and "--overwrite" in err
    assert (out / "model.npz").read_bytes() == before
    assert main(common + ["--seed", "2", "--overwrite"]) == 0
    assert _summary(out)["args"]["seed"] == 2 and (out / "notes.txt").read_text() == "mine"
    assert main(common + ["--overwrite", "--resume"]) == 2


def _write_checkpoint(path, **fields):
    state = nn.load(path)
    state.update(fields)
    nn.save(state, path)


@pytest.mark.parametrize("damage,message", [
    ({"epoch": "x"}, "'epoch' must be a whole number"),
    ({"epoch": -5}, "'epoch' must be a whole number"),
    ({"history": [1, 2]}, "'history' must be a dict"),
    ({"run": "adam"}, "'run' must be a dict"),
    ({"run": {"optimizer": "adamm"}}, "recorded --optimizer is 'adamm'"),
    ({"early_stopping": {"wait": "3", "best_epoch": 1}}, "early_stopping['wait']"),
    ("garbage", "is not a checkpoint 'denpa train' can continue"),
    ("list", "holds a list"),
])
def test_malformed_checkpoint_is_a_clear_error(tmp_path, capsys, damage, message):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--epochs", "1", "--batch-size", "128", "--quiet"]) == 0
    ckpt = out / "checkpoint.npz"
    if damage == "garbage":
        ckpt.write_bytes(b"not a checkpoint at all")
    elif damage == "list":
        nn.save([1, 2, 3], ckpt)
    else:
        _write_checkpoint(ckpt, **damage)
    capsys.readouterr()
    assert main(["train", "--out", str(out), "--resume", "--epochs", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_checkpoint_that_does_not_fit_the_model_is_exit_2(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--epochs", "1", "--batch-size", "128", "--quiet"]) == 0
    state = nn.load(out / "checkpoint.npz")
    del state["run"]  # as a checkpoint from before runs recorded their flags: nothing to compare
    nn.save(state, out / "checkpoint.npz")
    assert main(["train", "--out", str(out), "--resume", "--epochs", "2", "--model", "cnn", "--quiet"]) == 2
    assert "does not fit this command" in capsys.readouterr().err


# -- predict: what it refuses, and what it warns about ------------------------------------------------------
def _predict(run, path, *extra):
    return main(["predict", "--weights", str(run), "--input", str(path), *extra])


def test_predict_accepts_an_npz_of_one_array(run, tmp_path, capsys):
    images, _ = digits_raw()
    np.save(tmp_path / "a.npy", images[:4])
    np.savez(tmp_path / "a.npz", images=images[:4])
    assert _predict(run, tmp_path / "a.npy") == 0
    from_npy = capsys.readouterr().out
    assert _predict(run, tmp_path / "a.npz") == 0
    assert capsys.readouterr().out == from_npy
    np.savez(tmp_path / "two.npz", a=images[:2], b=images[:2])
    assert _predict(run, tmp_path / "two.npz") == 2
    assert "holding 2 arrays ['a', 'b']" in capsys.readouterr().err


@pytest.mark.parametrize("name,content,message", [
    ("x.csv", b"0,1,2\n3,4,5\n", "this file is text"),
    ("x.png", b"\x89PNG\r\n\x1a\n" + bytes(20), "this file is a PNG image"),
    ("x.bin", bytes(range(200, 232)), "this file is not a NumPy file"),
])
def test_predict_says_which_formats_it_takes(run, tmp_path, capsys, name, content, message):
    (tmp_path / name).write_bytes(content)
    assert _predict(run, tmp_path / name) == 2
    err = capsys.readouterr().err
    assert message in err and ".npy" in err and "pickle" not in err


def test_predict_refuses_object_arrays_without_pickle_advice(run, tmp_path, capsys):
    np.save(tmp_path / "obj.npy", np.array([object(), object()]), allow_pickle=True)
    assert _predict(run, tmp_path / "obj.npy") == 2
    err = capsys.readouterr().err
    assert "Python objects" in err and "allow_pickle" not in err


def test_predict_refuses_nan_images(run, tmp_path, capsys):
    images, _ = digits_raw()
    x = images[:5].copy()
    x[3, 2, 2] = np.nan
    x[4, 0, 0] = np.inf
    np.save(tmp_path / "nan.npy", x)
    assert _predict(run, tmp_path / "nan.npy") == 2
    captured = capsys.readouterr()
    assert "2 of 5 images hold NaN or infinite values (the first is number 3)" in captured.err
    assert "p=nan" not in captured.out


def test_predict_warns_about_images_scaled_to_0_1(run, tmp_path, capsys):
    images, _ = digits_raw()
    np.save(tmp_path / "unit.npy", images[:6] / 16.0)
    assert _predict(run, tmp_path / "unit.npy") == 0
    err = capsys.readouterr().err
    assert "warning: the images range over [0, 1]" in err and "multiply by 16" in err
    np.save(tmp_path / "raw.npy", images[:6])
    assert _predict(run, tmp_path / "raw.npy") == 0
    assert "warning" not in capsys.readouterr().err  # images at the training scale: no warning


@pytest.mark.parametrize("summary,message", [
    ("{not json", "is not a 'denpa train' summary"),
    ("[]", "holds a JSON list"),
    ('{"model": null, "preprocess": {}}', "'model' must be an object"),
    ('{"model": {"kind": "mlp", "input_shape": "8x8"}, "preprocess": {}}', "model.input_shape must be"),
    ('{"model": {"kind": "mlp", "input_shape": [1, 8, 8]}, "preprocess": {"mean": 1, "std": 0}}',
     "preprocess.std must be a finite number above 0"),
    ('{"model": {"kind": "rnn", "input_shape": [1, 8, 8]}, "preprocess": {"mean": 1, "std": 2}}',
     "cannot be built"),
    ('{"model": {"kind": "mlp", "input_shape": [1, 8, 8]}, "preprocess": {"mean": 1, "std": 2}}',
     "cannot be built"),
])
def test_predict_broken_summary_is_a_clear_error(run, tmp_path, capsys, summary, message):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "model.npz").write_bytes((run / "model.npz").read_bytes())
    (folder / "summary.json").write_text(summary)
    np.save(tmp_path / "ok.npy", np.zeros((2, 8, 8)))
    assert _predict(folder, tmp_path / "ok.npy") == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_spiral_says_points_and_lists_each_shape_once(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "spiral", "--epochs", "1", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "points of shape (2,)" in said and "images" not in said and "--input points.npy" in said
    np.save(tmp_path / "bad.npy", np.zeros((4, 3)))
    assert _predict(out, tmp_path / "bad.npy") == 2
    err = capsys.readouterr().err
    assert "the model expects points of shape (N, 2); the file holds (4, 3)" in err
    np.save(tmp_path / "none.npy", np.zeros((0, 2)))
    assert _predict(out, tmp_path / "none.npy") == 2
    assert "holds no points" in capsys.readouterr().err
    np.save(tmp_path / "pts.npy", np.array([[0.1, 0.2], [-0.5, 0.3]]))
    assert _predict(out, tmp_path / "pts.npy") == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_digits_split_is_the_librarys(tmp_path):
    """`denpa train --seed s` trains, validates and tests on the samples
    `train_val_test_split(digits(), (0.7, 0.15, 0.15), seed=s)` gives in Python (1258 / 270 / 269)."""
    import argparse

    from autograd import data

    args = argparse.Namespace(dataset="digits", val_fraction=0.15, test_fraction=0.15, seed=4)
    prepared = run_command.load_data(args)
    assert prepared.describe()["train"] == 1258 and len(prepared.y_val) == 270 and len(prepared.y_test) == 269
    ds = data.digits(flatten=False, normalize=False)
    parts = data.train_val_test_split(ds, (0.7, 0.15, 0.15), seed=4)
    for part, x, y in zip(parts, (prepared.x_train, prepared.x_val, prepared.x_test),
                          (prepared.y_train, prepared.y_val, prepared.y_test)):
        xs, ys = zip(*(part[i] for i in range(len(part))))
        raw = np.stack([t.numpy() for t in xs])
        assert np.array_equal(np.array([int(t.item()) for t in ys]), y)
        np.testing.assert_allclose(x * prepared.std + prepared.mean, raw, atol=1e-4)
    assert prepared.input_range == [0.0, 16.0]  # the scale predict takes: grey levels 0..16


def test_download_timeout_bounds_a_slow_mirror(tmp_path, monkeypatch, capsys):
    """--download-timeout reaches MNIST(timeout=...): a local server dripping one byte every 0.2 s is given up
    on after about the timeout, not after the file's 10 MB at that pace."""
    import http.server
    import threading
    import time

    from autograd import data

    class Drip(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:  # the client gave up
                pass

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("DENPA_DATA", str(tmp_path / "cache"))
        monkeypatch.setattr(data.FashionMNIST, "mirrors", (f"http://127.0.0.1:{server.server_port}/",))
        t0 = time.perf_counter()
        assert main(["train", "--dataset", "fashion-mnist", "--download-timeout", "1", "--quiet",
                     "--out", str(tmp_path / "run")]) == 1
        took = time.perf_counter() - t0
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert "could not load the fashion-mnist dataset" in err, err
    assert "timed out" in err or "longer than timeout=1 s" in err, err  # a read's share, or the whole deadline
    assert took < 10, took
    assert main(["train", "--download-timeout", "0"]) == 2
    assert "--download-timeout: must be a positive finite number" in capsys.readouterr().err


def test_readme_resume_example_goes_on(tmp_path, capsys):
    """The README's two `--out runs/sgd` commands, as written (into a scratch folder): the second trains on."""
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
    lines = [line.split("#")[0].split() for line in readme.splitlines()
             if line.startswith("denpa train") and "--out runs/sgd" in line]
    assert len(lines) == 2 and "--resume" in lines[1] and "--resume" not in lines[0]
    out = str(tmp_path / "sgd")
    runs = []
    for argv in lines:
        argv = [out if a == "runs/sgd" else a for a in argv[1:]] + ["--quiet"]
        assert main(argv) == 0, capsys.readouterr().err
        runs.append(_summary(tmp_path / "sgd"))
    assert runs[1]["epochs_run"] > runs[0]["epochs_run"]
    assert runs[1]["optimizer"] == runs[0]["optimizer"] and runs[1]["args"]["seed"] == 1
    assert re.search(r"--optimizer sgd", " ".join(lines[0])) and runs[0]["optimizer"]["lr"] == 0.05
