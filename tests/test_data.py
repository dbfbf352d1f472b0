"""autograd.data: datasets, the loader, splits, toy sets, digits and transforms."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import autograd
from autograd import data


def _ds(n=10):
    return data.TensorDataset(autograd.arange(float(n)).reshape(n, 1), autograd.arange(n))


class _SpyBase(data.TensorDataset):
    calls: list

    def __getitem__(self, index):
        self.calls.append(np.asarray(index).shape)  # the shape of each index the loader asks for
        return super().__getitem__(index)


def _spy(calls):
    return type("Spy", (_SpyBase,), {"calls": calls})


# -- DataLoader ----------------------------------------------------------------------------------

def test_batches_and_last_partial_batch():
    shapes = [tuple(x.shape) for x, _ in data.DataLoader(_ds(10), batch_size=4)]
    assert shapes == [(4, 1), (4, 1), (2, 1)]
    assert len(data.DataLoader(_ds(10), batch_size=4)) == 3


def test_drop_last():
    loader = data.DataLoader(_ds(10), batch_size=4, drop_last=True)
    assert [tuple(y.shape) for _, y in loader] == [(4,), (4,)]
    assert len(loader) == 2


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 9), st.integers(0, 2 ** 16))
def test_shuffle_covers_every_index_once(n, bs, seed):
    loader = data.DataLoader(_ds(n), batch_size=bs, shuffle=True, seed=seed)
    seen = np.concatenate([y.numpy() for _, y in loader])
    assert sorted(seen.tolist()) == list(range(n))


def test_shuffle_reproducible_by_seed_and_new_order_each_epoch():
    a = data.DataLoader(_ds(50), batch_size=50, shuffle=True, seed=3)
    b = data.DataLoader(_ds(50), batch_size=50, shuffle=True, seed=3)
    e1, e2 = [next(iter(a))[1].tolist() for _ in range(2)]
    assert e1 != e2  # a new permutation every epoch
    assert [next(iter(b))[1].tolist() for _ in range(2)] == [e1, e2]


def test_manual_seed_drives_shuffling_without_a_seed():
    autograd.manual_seed(5)
    a = next(iter(data.DataLoader(_ds(30), batch_size=30, shuffle=True)))[1].tolist()
    autograd.manual_seed(5)
    b = next(iter(data.DataLoader(_ds(30), batch_size=30, shuffle=True)))[1].tolist()
    assert a == b and a != list(range(30))


def test_tensor_dataset_batches_are_one_index_per_batch():
    """The loader indexes the dataset once per batch, never sample by sample or by copying it whole."""
    calls = []
    Spy = _spy(calls)
    ds = Spy(autograd.zeros(100, 3), autograd.arange(100))
    for _ in data.DataLoader(ds, batch_size=32, shuffle=True, seed=0):
        pass
    assert calls == [(32,), (32,), (32,), (4,)]


def test_plain_dataset_is_collated():
    class Squares(data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return autograd.tensor([float(i)]), i * i

    x, y = next(iter(data.DataLoader(Squares(), batch_size=3)))
    assert x.shape == (3, 1) and y.tolist() == [0, 1, 4]


def test_getitems_is_used_for_batches():
    class Batchy(data.Dataset):
        def __init__(self):
            self.calls = 0

        def __len__(self):
            return 6

        def __getitem__(self, i):  # pragma: no cover - must not be used
            raise AssertionError("per-sample access")

        def __getitems__(self, idx):
            self.calls += 1
            return [(autograd.tensor(float(i)),) for i in idx]

    ds = Batchy()
    (x,) = next(iter(data.DataLoader(ds, batch_size=4)))
    assert ds.calls == 1 and x.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_collate_dicts_and_custom_collate():
    out = data.default_collate([{"a": autograd.zeros(2), "b": 1}, {"a": autograd.ones(2), "b": 2}])
    assert out["a"].shape == (2, 2) and out["b"].tolist() == [1, 2]
    loader = data.DataLoader(_ds(4), batch_size=2, collate_fn=lambda samples: len(samples))
    assert list(loader) == [2, 2]


def test_loader_errors_and_device():
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader(_ds(), batch_size=0)
    x, _ = next(iter(data.DataLoader(_ds(), batch_size=2, device="cpu")))
    assert x.device == "cpu"
    with pytest.raises(RuntimeError, match="cuda"):
        next(iter(data.DataLoader(_ds(), batch_size=2, device="cuda")))


def test_tensor_dataset_size_mismatch():
    with pytest.raises(ValueError, match="size mismatch"):
        data.TensorDataset(autograd.zeros(3, 2), autograd.zeros(4))


# -- splits -----------------------------------------------------------------------------------------

def test_random_split_fractions_and_lengths():
    parts = data.random_split(_ds(10), [0.5, 0.3, 0.2], seed=0)
    assert [len(p) for p in parts] == [5, 3, 2]
    idx = np.concatenate([np.asarray(p.indices) for p in parts])
    assert sorted(idx.tolist()) == list(range(10))
    a, b = data.random_split(_ds(7), [0.5, 0.5], seed=0)
    assert (len(a), len(b)) == (4, 3)  # the remainder goes to the first part, as PyTorch
    with pytest.raises(ValueError, match="sum of input lengths"):
        data.random_split(_ds(10), [3, 3])


def test_subset_batches_through_the_loader():
    train, _ = data.random_split(_ds(10), [6, 4], seed=1)
    ys = np.concatenate([y.numpy() for _, y in data.DataLoader(train, batch_size=4)])
    assert ys.tolist() == [int(i) for i in train.indices]


def test_train_val_test_split_disjoint_and_stratified():
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    X = np.arange(100)
    (Xa, ya), (Xb, yb), (Xc, yc) = data.train_val_test_split((X, y), (0.6, 0.2, 0.2), seed=0, stratify=y)
    assert sorted(np.concatenate([Xa, Xb, Xc]).tolist()) == list(range(100))
    for part, frac in ((ya, 0.6), (yb, 0.2), (yc, 0.2)):
        for c, total in ((0, 60), (1, 30), (2, 10)):
            assert abs((part == c).sum() - frac * total) <= 1
    tr, va, te = data.train_val_test_split(_ds(20), seed=1)
    assert (len(tr), len(va), len(te)) == (14, 3, 3)
    with pytest.raises(ValueError, match="fractions"):
        data.train_val_test_split(_ds(20), (0.5, 0.2, 0.2))


def test_train_val_test_split_inputs():
    idx = data.train_val_test_split(50, seed=2)  # a sample count: index arrays, as the CLI uses it
    assert [len(i) for i in idx] == [36, 7, 7] and sorted(np.concatenate(idx).tolist()) == list(range(50))
    assert all(np.array_equal(a, b) for a, b in zip(idx, data.train_val_test_split(50, seed=2)))
    assert not np.array_equal(idx[0], data.train_val_test_split(50, seed=3)[0])
    x = np.arange(50) * 10
    parts = data.train_val_test_split(x, seed=2)  # one array: its rows, split the same way for the same seed
    assert all(np.array_equal(p, x[i]) for p, i in zip(parts, idx))
    t = autograd.arange(50)
    (tx, ty), _, _ = data.train_val_test_split((t, t * 2), seed=2)
    assert isinstance(tx, autograd.Tensor) and (ty.numpy() == 2 * tx.numpy()).all() and len(tx) == 36
    tr, te = data.train_val_test_split(_ds(10), (0.8, 0.2), seed=0)  # two parts: train / test
    assert (len(tr), len(te)) == (8, 2)
    with pytest.raises(ValueError, match="different lengths"):
        data.train_val_test_split((np.zeros(4), np.zeros(5)))
    with pytest.raises(ValueError, match="one class label per sample"):
        data.train_val_test_split(10, stratify=np.zeros(9))


def test_random_split_generator_reproducible():
    a = data.random_split(_ds(20), [10, 10], generator=np.random.default_rng(7))
    b = data.random_split(_ds(20), [10, 10], generator=np.random.default_rng(7))
    assert np.array_equal(a[0].indices, b[0].indices)
    autograd.manual_seed(1)
    c = data.random_split(_ds(20), [0.5, 0.5])
    autograd.manual_seed(1)
    assert np.array_equal(c[0].indices, data.random_split(_ds(20), [0.5, 0.5])[0].indices)


def test_subset_and_concat_batches_are_vectorised():
    calls = []
    Spy = _spy(calls)
    a = Spy(autograd.arange(5.0).reshape(5, 1), autograd.arange(5))
    b = Spy(autograd.arange(10.0, 17.0).reshape(7, 1), autograd.arange(10, 17))
    both = a + b  # Dataset.__add__ -> ConcatDataset
    assert isinstance(both, data.ConcatDataset) and len(both) == 12 and both.batched
    sub = data.Subset(data.Subset(both, list(range(11, -1, -1))), [0, 5, 6, 11])  # lists of indices work too
    x, y = next(iter(data.DataLoader(sub, batch_size=4)))
    assert y.tolist() == [16, 11, 10, 0] and x[:, 0].tolist() == [16.0, 11.0, 10.0, 0.0]
    assert sorted(calls) == [(1,), (3,)]  # one fancy index per part, none per sample
    calls.clear()
    seen = np.concatenate([yb.numpy() for _, yb in data.DataLoader(both, batch_size=5, shuffle=True, seed=0)])
    assert sorted(seen.tolist()) == list(range(5)) + list(range(10, 17))
    assert all(shape != () for shape in calls) and len(calls) <= 2 * 3
    assert both[-1][1].item() == 16 and both[[-1, 0]][1].tolist() == [16, 0]
    with pytest.raises(IndexError, match="ConcatDataset"):
        both[[12]]
    with pytest.raises(ValueError, match="empty"):
        data.ConcatDataset([])


def test_loader_generator_options():
    order = lambda loader: next(iter(loader))[1].tolist()  # noqa: E731
    ds = _ds(20)
    by_seed = order(data.DataLoader(ds, batch_size=20, shuffle=True, seed=4))
    assert order(data.DataLoader(ds, batch_size=20, shuffle=True, generator=np.random.default_rng(4))) == by_seed
    assert order(data.DataLoader(ds, batch_size=20, shuffle=True, generator=4)) == by_seed
    with pytest.raises(ValueError, match="not both"):
        data.DataLoader(ds, shuffle=True, generator=np.random.default_rng(0), seed=0)
    with pytest.raises(TypeError, match="NumPy Generator"):
        data.DataLoader(ds, shuffle=True, generator="fixed")
    assert list(data.DataLoader(_ds(0), batch_size=3)) == [] and len(data.DataLoader(_ds(0), batch_size=3)) == 0
    one = list(data.DataLoader(_ds(3), batch_size=None))  # no batching: samples as they are
    assert len(one) == 3 and one[2][1].tolist() == 2


def test_labelled_sets_batch_as_float_inputs_and_int64_labels():
    x, y = next(iter(data.DataLoader(data.spiral(10, 3), batch_size=7, shuffle=True, seed=0)))
    assert x.shape == (7, 2) and x.dtype == np.float32 and y.dtype == np.int64


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 8), st.integers(0, 40), st.booleans())
def test_kfold_partitions_like_sklearn(k, extra, shuffle):
    n = k + extra
    folds = list(data.KFold(k, shuffle=shuffle, seed=0 if shuffle else None).split(np.zeros(n)))
    assert len(folds) == k
    vals = [v for _, v in folds]
    assert sorted(np.concatenate(vals).tolist()) == list(range(n))
    assert [len(v) for v in vals] == [n // k + (1 if i < n % k else 0) for i in range(k)]
    for train, val in folds:
        assert set(train.tolist()).isdisjoint(val.tolist()) and len(train) + len(val) == n
        assert np.all(np.diff(train) > 0) and np.all(np.diff(val) > 0)  # sorted, as scikit-learn's


def test_kfold_shuffle_is_reproducible_by_seed():
    def folds(seed):
        return [v.tolist() for _, v in data.KFold(4, shuffle=True, seed=seed).split(30)]

    assert folds(3) == folds(3) and folds(3) != folds(4)
    assert folds(3) != [v.tolist() for _, v in data.KFold(4).split(30)]


def test_kfold_errors():
    with pytest.raises(ValueError, match="n_splits"):
        data.KFold(1)
    with pytest.raises(ValueError, match="greater than the number of samples"):
        list(data.KFold(5).split(range(3)))
    with pytest.raises(ValueError, match="shuffle is False"):
        data.KFold(3, seed=0)  # a seed without shuffle does nothing: scikit-learn refuses it too


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=6, max_size=60), st.integers(2, 5), st.booleans())
def test_stratified_kfold_keeps_class_shares(labels, k, shuffle):
    y = np.array(labels)
    assume(k <= len(y) and np.bincount(y).max() >= k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a class smaller than k is allowed, with a warning
        folds = list(data.StratifiedKFold(k, shuffle=shuffle, seed=1 if shuffle else None).split(y, y))
    assert sorted(np.concatenate([v for _, v in folds]).tolist()) == list(range(len(y)))
    for c in np.unique(y):
        per_fold = [(y[v] == c).sum() for _, v in folds]
        assert max(per_fold) - min(per_fold) <= 1
        assert all(abs(m - (y == c).sum() / k) < 1 for m in per_fold)
    assert [len(v) for _, v in folds] == [len(y) // k + (1 if i < len(y) % k else 0) for i in range(k)]


def test_folds_match_scikit_learn():
    sk = pytest.importorskip("sklearn.model_selection")
    rng = np.random.default_rng(0)
    for _ in range(40):
        n = int(rng.integers(6, 50))
        k = int(rng.integers(2, 6))
        y = rng.integers(0, int(rng.integers(1, 4)), n)
        stratifiable = np.bincount(y).max() >= k
        pairs = [(data.KFold(k), sk.KFold(k))] + ([(data.StratifiedKFold(k), sk.StratifiedKFold(k))] if stratifiable else [])
        for ours, theirs in pairs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                a = [(t.tolist(), v.tolist()) for t, v in ours.split(np.zeros(n), y)]
                b = [(t.tolist(), v.tolist()) for t, v in theirs.split(np.zeros(n), y)]
            assert a == b


def test_stratified_kfold_errors_and_warning():
    with pytest.raises(ValueError, match="labels"):
        list(data.StratifiedKFold(2).split(np.zeros(4)))
    with pytest.raises(ValueError, match="one class label per sample"):
        list(data.StratifiedKFold(2).split(np.zeros(4), [0, 1, 0]))
    with pytest.raises(ValueError, match="members in each class"):
        list(data.StratifiedKFold(3).split(np.zeros(4), [0, 0, 1, 1]))
    with pytest.warns(UserWarning, match="least populated class"):
        list(data.StratifiedKFold(3).split(np.zeros(6), autograd.tensor([0, 0, 0, 0, 1, 1])))


# -- data sets ----------------------------------------------------------------------------------------

def test_toy_sets():
    assert data.and_gate().targets.tolist() == [0, 0, 0, 1]
    assert data.or_gate().targets.tolist() == [0, 1, 1, 1]
    assert data.xor().targets.tolist() == [0, 1, 1, 0]
    noisy = data.xor(40, noise=0.1, seed=0)
    assert noisy.data.shape == (40, 2) and set(noisy.targets.tolist()) == {0, 1}
    s = data.spiral(20, 3, seed=0)
    assert s.data.shape == (60, 2) and s.data.dtype == np.float32 and s.targets.tolist().count(2) == 20
    assert np.array_equal(data.spiral(20, 3, seed=0).data.numpy(), s.data.numpy())
    assert not np.array_equal(data.spiral(20, 3, seed=1).data.numpy(), s.data.numpy())
    m = data.moons(101, seed=0)
    assert m.data.shape == (101, 2) and m.targets.tolist().count(1) == 51
    assert data.blobs(30, 3).targets.tolist().count(0) == 10


def test_digits():
    pytest.importorskip("sklearn", reason="digits() needs scikit-learn (pip install 'denpa[data]')")
    ds = data.digits()
    assert len(ds) == 1797 and ds.data.shape == (1797, 64) and ds.data.dtype == np.float32
    assert 0.0 <= float(ds.data.min()) and float(ds.data.max()) == 1.0
    assert sorted(set(ds.targets.tolist())) == list(range(10))
    img = data.digits(flatten=False, normalize=False)
    assert img.data.shape == (1797, 1, 8, 8) and float(img.data.max()) == 16.0
    assert "1797 samples" in repr(ds)


def test_digits_without_sklearn(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("sklearn"):
            raise ImportError("no sklearn")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r"denpa\[data\]"):
        data.digits()


# -- transforms -------------------------------------------------------------------------------------

def test_normalize_standardize_one_hot():
    x = autograd.tensor([[1.0, 10.0], [3.0, 30.0]])
    z, mean, std = data.standardize(x)
    assert np.allclose(z.numpy().mean(0), 0) and np.allclose(z.numpy().std(0), 1, atol=1e-4)
    assert np.allclose(data.normalize(x, mean, std).numpy(), z.numpy())
    assert data.one_hot(autograd.tensor([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert data.one_hot(np.array([1]), 2).dtype == np.float32
    with pytest.raises(ValueError, match="one_hot"):
        data.one_hot(autograd.tensor([3]), 3)
