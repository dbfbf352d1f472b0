"""DataLoader as torch.utils.data.DataLoader: streaming batches, PyTorch's argument rules and errors, len(),
batch samplers, batch_size=None, iterable datasets, Subset indexing and random_split."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import data


def _ds(n=10):
    return data.TensorDataset(autograd.arange(float(n)).reshape(n, 1), autograd.arange(n))


class _Counting(data.Sampler[int]):
    """A long sampler that counts how many keys the loader has taken from it (finite, so a loader that
    read a whole epoch first fails the count instead of hanging)."""

    def __init__(self, n, total=100_000):
        self.n, self.total, self.taken = n, total, 0

    def __iter__(self):
        while self.taken < self.total:
            self.taken += 1
            yield (self.taken - 1) % self.n


class _Squares(data.Dataset):
    """A map-style dataset that is not batched: one sample per __getitem__."""

    def __init__(self, n=6):
        self.n, self.keys = n, []

    def __getitem__(self, i):
        self.keys.append(i)
        return float(i * i), i

    def __len__(self):
        return self.n


class _Stream(data.IterableDataset):
    def __init__(self, n, with_len=False):
        self.n, self.with_len = n, with_len

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        if not self.with_len:
            return super().__len__()
        return self.n


# -- streaming ------------------------------------------------------------------------------------------

def test_huge_random_sampler_streams():
    ds = _ds(10)
    loader = data.DataLoader(ds, sampler=data.RandomSampler(ds, replacement=True, num_samples=10**10), batch_size=4)
    x, y = next(iter(loader))
    assert x.shape == (4, 1) and len(loader) == math.ceil(10**10 / 4)
    loader = data.DataLoader(ds, sampler=data.RandomSampler(ds, num_samples=10**10), batch_size=3)
    first = next(iter(loader))[1].tolist()
    assert len(set(first)) == 3 and len(loader) == math.ceil(10**10 / 3)  # from one permutation: no repeats


@pytest.mark.parametrize("batched", [True, False])
def test_loader_reads_the_sampler_one_batch_at_a_time(batched):
    sampler = _Counting(10)
    ds = _ds(10) if batched else _Squares(10)
    it = iter(data.DataLoader(ds, sampler=sampler, batch_size=4))
    next(it)
    assert sampler.taken <= 5  # one batch (and at most the one key that ends it), never an epoch
    next(it)
    assert sampler.taken <= 9


def test_batch_size_none_streams_too():
    sampler = _Counting(3)
    it = iter(data.DataLoader(_Squares(3), sampler=sampler, batch_size=None))
    assert [next(it) for _ in range(4)] == [[0.0, 0], [1.0, 1], [4.0, 2], [0.0, 0]] and sampler.taken == 4  # lists, as PyTorch's default_convert gives


def test_iterable_dataset_streams():
    class Endless(data.IterableDataset):
        def __iter__(self):
            i = 0
            while True:
                yield i
                i += 1

    it = iter(data.DataLoader(Endless(), batch_size=3))
    assert next(it).tolist() == [0, 1, 2] and next(it).tolist() == [3, 4, 5]


# -- epochs, batch sizes, len -----------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 50), bs=st.integers(1, 12), drop_last=st.booleans(), shuffle=st.booleans(),
       seed=st.integers(0, 10**6))
def test_each_index_once_per_epoch_and_batch_sizes(n, bs, drop_last, shuffle, seed):
    loader = data.DataLoader(_ds(n), batch_size=bs, shuffle=shuffle, drop_last=drop_last, generator=seed)
    for _ in range(2):
        batches = [y.tolist() for _, y in loader]
        assert len(batches) == len(loader) == (n // bs if drop_last else math.ceil(n / bs))
        assert all(len(b) == bs for b in batches[:-1])
        flat = [i for b in batches for i in b]
        assert len(flat) == len(set(flat)) == (n - n % bs if drop_last else n)
        if not shuffle:
            assert flat == list(range(len(flat)))
        if drop_last:
            assert all(len(b) == bs for b in batches)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 40), bs=st.integers(1, 9), drop_last=st.booleans())
def test_unbatched_dataset_same_batches_as_batched(n, bs, drop_last):
    ys = [y.tolist() for _, y in data.DataLoader(_ds(n), batch_size=bs, drop_last=drop_last, shuffle=True,
                                                 generator=1)]
    sq = _Squares(n)
    ys2 = [y.tolist() for _, y in data.DataLoader(sq, batch_size=bs, drop_last=drop_last, shuffle=True, generator=1)]
    assert ys == ys2 and all(type(k) is int for k in sq.keys)  # the dataset gets Python ints


def test_shuffle_reproducible_by_generator_and_global_seed():
    def epoch(loader):
        return [y.tolist() for _, y in loader]

    a = data.DataLoader(_ds(30), batch_size=7, shuffle=True, generator=np.random.default_rng(4))
    b = data.DataLoader(_ds(30), batch_size=7, shuffle=True, seed=4)
    assert epoch(a) == epoch(b) and epoch(a) == epoch(b) and epoch(a) != epoch(a)
    g = data.DataLoader(_ds(30), batch_size=7, shuffle=True)
    autograd.manual_seed(0)
    first = epoch(g)
    autograd.manual_seed(0)
    assert epoch(g) == first
    assert a.sampler.generator is a.generator  # checkpoints save this generator's state


def test_len_as_pytorch():
    assert len(data.DataLoader(_ds(10), batch_size=3)) == 4
    assert len(data.DataLoader(_ds(10), batch_size=3, drop_last=True)) == 3
    assert len(data.DataLoader(_ds(10), batch_size=None)) == 10
    assert len(data.DataLoader(_ds(10), sampler=[4, 3, 1], batch_size=2)) == 2
    assert len(data.DataLoader(_ds(10), batch_sampler=[[0, 1], [2]])) == 2
    with pytest.raises(TypeError):
        len(data.DataLoader(_ds(10), sampler=iter([4, 3])))  # an iterator has no len, as in PyTorch
    assert len(data.DataLoader(_Stream(7, with_len=True), batch_size=2)) == 4
    assert len(data.DataLoader(_Stream(7, with_len=True), batch_size=2, drop_last=True)) == 3
    with pytest.raises(TypeError, match="no len"):
        len(data.DataLoader(_Stream(7), batch_size=2))


# -- sampler, batch_sampler, batch_size=None -----------------------------------------------------------------

def test_sampler_and_batch_sampler():
    ds = _ds(10)
    got = [y.tolist() for _, y in data.DataLoader(ds, sampler=data.SubsetRandomSampler([1, 5, 7], generator=0),
                                                   batch_size=2)]
    assert sorted(sum(got, [])) == [1, 5, 7] and [len(b) for b in got] == [2, 1]
    assert [y.tolist() for _, y in data.DataLoader(ds, sampler=[9, 0, 3], batch_size=2)] == [[9, 0], [3]]
    batches = [[0, 1, 2], [9], [4, 4]]
    loader = data.DataLoader(ds, batch_sampler=batches)
    assert [y.tolist() for _, y in loader] == batches and loader.batch_size is None and not loader.drop_last
    bs = data.BatchSampler(data.WeightedRandomSampler([0, 0, 1, 1], 9, generator=0), 4, drop_last=True)
    assert all(set(y.tolist()) <= {2, 3} and len(y) == 4 for _, y in data.DataLoader(_ds(4), batch_sampler=bs))


def test_one_index_per_batch_for_batched_datasets():
    shapes = []

    class Spy(data.TensorDataset):
        def __getitem__(self, index):
            shapes.append(np.shape(index))
            return super().__getitem__(index)

    ds = Spy(autograd.arange(20))
    list(data.DataLoader(ds, sampler=data.RandomSampler(ds, generator=0), batch_size=8))
    list(data.DataLoader(ds, batch_sampler=[[1, 2, 3]]))
    assert shapes == [(8,), (8,), (4,), (3,)]


def test_getitems_is_used_for_unbatched_datasets():
    class Rows(_Squares):
        def __getitems__(self, keys):
            self.keys.append(list(keys))
            return [self[k] for k in keys]

    ds = Rows(5)
    list(data.DataLoader(ds, batch_size=2))
    assert [k for k in ds.keys if isinstance(k, list)] == [[0, 1], [2, 3], [4]]


def test_batch_size_none_yields_converted_samples():
    arrays = [np.zeros(2), np.ones(2)]

    class Arrays(data.Dataset):
        def __getitem__(self, i):
            return {"x": arrays[i], "name": f"s{i}"}

        def __len__(self):
            return 2

    out = list(data.DataLoader(Arrays(), batch_size=None))
    assert isinstance(out[1]["x"], autograd.Tensor) and out[1]["x"].tolist() == [1.0, 1.0] and out[1]["name"] == "s1"
    seen = list(data.DataLoader(Arrays(), batch_size=None, collate_fn=lambda s: s["name"]))  # applied per sample
    assert seen == ["s0", "s1"]
    assert list(data.DataLoader(range(3), batch_size=None)) == [0, 1, 2]


def test_batches_are_lists_as_pytorch_collates_them():
    import collections

    Pair = collections.namedtuple("Pair", "x y")
    assert type(next(iter(data.DataLoader(_ds(4), batch_size=2)))) is list  # TensorDataset batch, one index
    assert type(next(iter(data.DataLoader(_Squares(4), batch_size=2)))) is list  # collated tuples
    p = data.default_collate([Pair(1.0, 2), Pair(3.0, 4)])
    assert type(p) is Pair and p.x.tolist() == [1.0, 3.0] and p.y.tolist() == [2, 4]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        data.default_collate([(1, 2), (3,)])


def test_collate_fn_and_device_on_every_path():
    pairs = list(data.DataLoader(_Squares(4), batch_size=3, collate_fn=lambda s: [k for _, k in s]))
    assert pairs == [[0, 1, 2], [3]]
    x, y = next(iter(data.DataLoader(_Squares(4), batch_size=2, device="cpu")))
    assert x.device == "cpu" and x.tolist() == [0.0, 1.0]


def test_default_convert():
    out = data.default_convert([np.arange(3), (np.float64(2.5),), "text", 3, np.array(["a"])])
    assert isinstance(out[0], autograd.Tensor) and out[0].tolist() == [0, 1, 2]
    assert isinstance(out[1], list) and float(out[1][0]) == 2.5  # a tuple becomes a list, as in PyTorch
    assert out[2:4] == ["text", 3] and isinstance(out[4], np.ndarray)


# -- PyTorch's argument rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive with batch_size"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    (dict(batch_size=0), "batch_size should be a positive integer value, but got batch_size=0"),
    (dict(batch_size=2.0), "batch_size should be a positive integer value"),
    (dict(drop_last=1), "drop_last should be a boolean value"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(multiprocessing_context="spawn"), "multiprocessing_context can only be used"),
    (dict(generator=1, seed=1), "not both"),
])
def test_argument_errors_as_pytorch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.DataLoader(_ds(4), **kwargs)


def test_allowed_combinations():
    data.DataLoader(_ds(4), batch_sampler=[[0]], batch_size=1, shuffle=False, drop_last=False)  # the defaults
    data.DataLoader(_ds(4), sampler=[0], shuffle=False)
    data.DataLoader(_ds(4), num_workers=2, prefetch_factor=2, persistent_workers=True, pin_memory=True, timeout=5)
    with pytest.raises(ValueError, match="num_samples"):
        data.DataLoader(_ds(0), shuffle=True)  # PyTorch's RandomSampler refuses an empty dataset
    assert list(data.DataLoader(_ds(0))) == []
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        data.DataLoader(_ds(4), collate_fn=3)


def test_attributes_fixed_after_init():
    loader = data.DataLoader(_ds(4), batch_size=2)
    for name in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError, match=f"{name} attribute should not be set after DataLoader is initialized"):
            setattr(loader, name, None)
    loader.collate_fn = None  # others may change, as in PyTorch
    assert isinstance(loader.sampler, data.SequentialSampler) and isinstance(loader.batch_sampler, data.BatchSampler)
    assert isinstance(data.DataLoader(_ds(4), shuffle=True).sampler, data.RandomSampler)
    assert data.DataLoader(_ds(4), batch_size=None).batch_sampler is None


def test_workers_run_in_process():
    calls = []
    loader = data.DataLoader(_ds(6), batch_size=2, num_workers=3, worker_init_fn=calls.append)
    assert [y.tolist() for _, y in loader] == [[0, 1], [2, 3], [4, 5]]
    assert calls == [] and data.get_worker_info() is None  # the calling process, as PyTorch's num_workers=0
    with pytest.raises(TypeError, match="worker_init_fn must be callable"):
        data.DataLoader(_ds(6), worker_init_fn=1)


# -- iterable, chained and stacked datasets --------------------------------------------------------------------

def test_iterable_dataset_batches_and_rules():
    assert [b.tolist() for b in data.DataLoader(_Stream(5), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert [b.tolist() for b in data.DataLoader(_Stream(5), batch_size=2, drop_last=True)] == [[0, 1], [2, 3]]
    assert list(data.DataLoader(_Stream(3), batch_size=None)) == [0, 1, 2]
    data.DataLoader(_Stream(3), shuffle=False)  # unspecified or False is allowed
    for name, value in (("shuffle", True), ("sampler", [0]), ("batch_sampler", [[0]])):
        with pytest.raises(ValueError, match=f"DataLoader with IterableDataset: expected unspecified {name} option"):
            data.DataLoader(_Stream(3), **{name: value})
    with pytest.raises(TypeError, match="no len"):
        len(_Stream(3))
    with pytest.raises(TypeError, match="cannot be indexed"):
        _Stream(3)[0]


def test_chain_and_concat_datasets():
    chained = _Stream(2) + _Stream(3)
    assert isinstance(chained, data.ChainDataset) and list(chained) == [0, 1, 0, 1, 2]
    assert len(data.ChainDataset([_Stream(2, True), _Stream(3, True)])) == 5
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset"):
        list(data.ChainDataset([range(3)]))
    with pytest.raises(TypeError, match="ConcatDataset does not support IterableDataset"):
        data.ConcatDataset([_ds(2), _Stream(2)])


def test_stack_dataset():
    x, y = data.TensorDataset(autograd.arange(4.0)), data.TensorDataset(autograd.arange(4) * 10)
    pairs = data.StackDataset(x, y)
    (x1,), (y1,) = pairs[1]
    assert pairs.batched and len(pairs) == 4 and (x1.item(), y1.item()) == (1.0, 10)
    (xb,), (yb,) = next(iter(data.DataLoader(pairs, batch_size=3)))
    assert xb.tolist() == [0.0, 1.0, 2.0] and yb.tolist() == [0, 10, 20]
    named = data.StackDataset(sq=_Squares(3), idx=range(3))
    assert not named.batched and named.__getitems__([2, 0]) == [{"sq": (4.0, 2), "idx": 2}, {"sq": (0.0, 0), "idx": 0}]
    batch = next(iter(data.DataLoader(named, batch_size=3)))
    assert batch["idx"].tolist() == [0, 1, 2] and batch["sq"][0].tolist() == [0.0, 1.0, 4.0]
    with pytest.raises(ValueError, match="size mismatch"):
        data.StackDataset(range(3), range(4))
    with pytest.raises(ValueError, match="both types are given"):
        data.StackDataset(range(3), a=range(3))
    with pytest.raises(ValueError, match="at least one dataset"):
        data.StackDataset()


# -- Subset and random_split ---------------------------------------------------------------------------------

def test_subset_slices_masks_and_errors():
    sub = data.Subset(data.TensorDataset(autograd.arange(10) * 10), [7, 2, 5, 1])
    assert sub[1:3][0].tolist() == [20, 50] and sub[::-1][0].tolist() == [10, 50, 20, 70]
    assert sub[-1][0].tolist() == 10 and sub[np.int64(0)][0].tolist() == 70
    assert sub[[True, False, False, True]][0].tolist() == [70, 10]
    assert sub[autograd.tensor([3, 0])][0].tolist() == [10, 70]
    plain = data.Subset(_Squares(10), [3, 4, 5])
    assert plain[:2] == [(9.0, 3), (16.0, 4)]  # a list of samples where the dataset is not batched
    assert plain.__getitems__([2, 0]) == [(25.0, 5), (9.0, 3)]
    with pytest.raises(TypeError, match="Subset: indices must be an int, a slice"):
        sub[1.5]
    with pytest.raises(TypeError, match="Subset: indices must be integers"):
        sub[[0.5, 1.0]]
    with pytest.raises(IndexError, match="index 4 is out of range for a Subset of 4 samples"):
        sub[4]
    with pytest.raises(IndexError, match="index -5 is out of range"):
        sub[[0, -5]]
    with pytest.raises(IndexError, match="boolean mask"):
        sub[[True, False]]


def test_random_split_as_pytorch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = data.random_split(range(5), [0, 1], generator=0)  # sums to 1: fractions, as PyTorch reads it
    assert [len(p) for p in parts] == [0, 5] and "length of split at index 0 is 0" in str(caught[0].message)
    a, b = data.random_split(range(10), [0.5, 0.5], generator=3)
    assert isinstance(a.indices, list) and all(type(i) is int for i in a.indices)
    assert sorted(a.indices + b.indices) == list(range(10))
    assert a.indices == data.random_split(range(10), [0.5, 0.5], generator=np.random.default_rng(3))[0].indices
    with pytest.raises(ValueError, match="fraction at index 0 is not between 0 and 1"):
        data.random_split(range(5), [-0.5, 1.5])
    with pytest.raises(ValueError, match="sum of input lengths"):
        data.random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="must not be negative"):
        data.random_split(range(5), [-1, 6])
