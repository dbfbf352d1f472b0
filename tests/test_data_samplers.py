"""autograd.data samplers: orders, lengths, errors and seeded reproducibility, as torch.utils.data.sampler."""
from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import data
from autograd.data.sampler import index_chunks

sizes = st.integers(1, 60)
seeds = st.integers(0, 2**32 - 1)


def _rng(seed):
    return np.random.default_rng(seed)


# -- Sampler base --------------------------------------------------------------------------------------

def test_sampler_base_is_generic_and_has_no_len():
    class Evens(data.Sampler[int]):  # subscripted as PyTorch code writes it
        def __init__(self, n):
            super().__init__(None)  # older PyTorch code passes data_source up
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

    assert list(Evens(5)) == [0, 2, 4]
    with pytest.raises(TypeError):
        len(Evens(5))  # no __len__ defined: a TypeError, as len() of any object without one
    with pytest.raises(NotImplementedError, match="__iter__"):
        iter(data.Sampler()).__next__()


def test_sequential_sampler():
    s = data.SequentialSampler(range(7))
    assert list(s) == list(range(7)) and len(s) == 7
    assert list(data.SequentialSampler([])) == []
    assert all(type(i) is int for i in s)  # Python ints, as PyTorch's samplers give


# -- RandomSampler -------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(n=sizes, seed=seeds)
def test_random_sampler_each_index_once_per_epoch(n, seed):
    s = data.RandomSampler(range(n), generator=_rng(seed))
    for _ in range(2):
        epoch = list(s)
        assert sorted(epoch) == list(range(n)) and len(s) == n


@settings(max_examples=40, deadline=None)
@given(n=sizes, extra=st.integers(1, 130), seed=seeds)
def test_random_sampler_more_samples_than_the_dataset(n, extra, seed):
    total = n + extra
    out = list(data.RandomSampler(range(n), num_samples=total, generator=seed))
    assert len(out) == total
    for start in range(0, total - total % n, n):  # whole permutations one after another ...
        assert sorted(out[start:start + n]) == list(range(n))
    assert len(set(out[total - total % n:])) == total % n  # ... and a cut-short one without repeats


@settings(max_examples=30, deadline=None)
@given(n=sizes, total=st.integers(1, 300), seed=seeds)
def test_random_sampler_with_replacement(n, total, seed):
    s = data.RandomSampler(range(n), replacement=True, num_samples=total, generator=_rng(seed))
    out = list(s)
    assert len(out) == len(s) == total and all(0 <= i < n for i in out)


def test_random_sampler_with_replacement_repeats_indices():
    out = list(data.RandomSampler(range(3), replacement=True, num_samples=300, generator=0))
    assert collections.Counter(out).keys() == {0, 1, 2}  # all drawn, so some more than once


def test_random_sampler_streams_a_huge_epoch():
    for replacement in (True, False):
        s = data.RandomSampler(range(10), replacement=replacement, num_samples=10**10, generator=0)
        it = iter(s)
        first = [next(it) for _ in range(25)]
        assert len(s) == 10**10 and all(0 <= i < 10 for i in first)


def test_random_sampler_errors_as_pytorch():
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        data.RandomSampler(range(3), replacement=1)
    for bad in (0, -2, 2.5, "3"):
        with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
            data.RandomSampler(range(3), num_samples=bad)
    with pytest.raises(ValueError, match="num_samples=0"):
        data.RandomSampler([])  # an empty dataset cannot be shuffled, as in PyTorch
    with pytest.raises(TypeError, match="NumPy Generator"):
        data.RandomSampler(range(3), generator="seed")


def test_random_sampler_generator_reproducible():
    a = data.RandomSampler(range(50), generator=_rng(3))
    b = data.RandomSampler(range(50), generator=_rng(3))
    first, second = list(a), list(a)
    assert first == list(b) and second == list(b)  # same seed, same sequence of epochs
    assert first != second  # a new order every epoch
    assert list(data.RandomSampler(range(50), generator=3)) == first  # an int seed is the same generator


def test_random_sampler_global_seed_reproducible():
    s = data.RandomSampler(range(40))
    autograd.manual_seed(5)
    a = list(s)
    autograd.manual_seed(5)
    assert list(s) == a
    autograd.manual_seed(6)
    assert list(s) != a


# -- SubsetRandomSampler ---------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(indices=st.lists(st.integers(-5, 1000), unique=True, max_size=40), seed=seeds)
def test_subset_random_sampler_each_index_once(indices, seed):
    s = data.SubsetRandomSampler(indices, generator=_rng(seed))
    out = list(s)
    assert sorted(out) == sorted(indices) and len(s) == len(indices)
    assert all(type(i) is int for i in out)


def test_subset_random_sampler_keys_of_any_kind_and_reproducible():
    keys = ["a", "b", "c", "d"]
    assert sorted(data.SubsetRandomSampler(keys, generator=0)) == keys
    a = list(data.SubsetRandomSampler(list(range(30)), generator=9))
    assert a == list(data.SubsetRandomSampler(list(range(30)), generator=9))
    assert sorted(data.SubsetRandomSampler(autograd.tensor([4, 8, 15]), generator=0)) == [4, 8, 15]


# -- WeightedRandomSampler -------------------------------------------------------------------------------

def test_weighted_sampler_follows_the_weights():
    w = [0.0, 1.0, 0.0, 3.0]
    s = data.WeightedRandomSampler(w, 20000, generator=0)
    counts = collections.Counter(s)
    assert len(s) == 20000 and set(counts) == {1, 3}  # a zero weight is never drawn
    assert abs(counts[3] / 20000 - 0.75) < 0.02  # 0.75 within ~6 standard deviations


@settings(max_examples=30, deadline=None)
@given(w=st.lists(st.floats(0, 10), min_size=1, max_size=30), seed=seeds, data_=st.data())
def test_weighted_sampler_without_replacement_is_unique(w, seed, data_):
    positive = sum(x > 0 for x in w)
    if positive == 0:
        return
    k = data_.draw(st.integers(1, positive))
    out = list(data.WeightedRandomSampler(w, k, replacement=False, generator=seed))
    assert len(out) == len(set(out)) == k and all(w[i] > 0 for i in out)


def test_weighted_sampler_without_replacement_draws_in_proportion():
    s = data.WeightedRandomSampler([1, 2, 3, 4], 2, replacement=False, generator=0)
    firsts = collections.Counter(next(iter(s)) for _ in range(8000))  # the first draw follows the weights
    assert all(abs(firsts[i] / 8000 - (i + 1) / 10) < 0.03 for i in range(4))
    tiny = [1.0] * 11 + [5e-324]  # a subnormal weight is still positive: all 12 can be drawn
    assert sorted(data.WeightedRandomSampler(tiny, 12, replacement=False, generator=1)) == list(range(12))
    huge = [1e308, 1e308, 0.0]  # a sum that overflows float64 must not break the draw
    assert set(data.WeightedRandomSampler(huge, 50, generator=2)) == {0, 1}


def test_weighted_sampler_reproducible_and_accepts_tensors():
    w = autograd.tensor([1.0, 2.0, 3.0])
    assert list(data.WeightedRandomSampler(w, 50, generator=4)) == list(data.WeightedRandomSampler(w, 50, generator=4))
    autograd.manual_seed(2)
    a = list(data.WeightedRandomSampler(w, 50))
    autograd.manual_seed(2)
    assert a == list(data.WeightedRandomSampler(w, 50))


def test_weighted_sampler_errors_as_pytorch():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        data.WeightedRandomSampler([1, 2], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean value"):
        data.WeightedRandomSampler([1, 2], 2, replacement=0)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence .* shape \(1, 2\)"):
        data.WeightedRandomSampler([[1, 2]], 2)
    cases = [([-1, 2], 3, True, "< 0"), ([0, 0], 3, True, "sum of probabilities <= 0"),
             ([float("nan"), 1], 3, True, "infinity or NaN"), ([1, 2], 3, False, "without replacement"),
             ([1, 0, 2], 3, False, "2 indices of positive weight")]
    for w, k, replacement, message in cases:  # PyTorch raises these when the epoch starts, so do we
        s = data.WeightedRandomSampler(w, k, replacement=replacement)
        with pytest.raises(RuntimeError, match=message):
            list(s)


# -- BatchSampler ----------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 70), bs=st.integers(1, 20), drop_last=st.booleans(), shuffle=st.booleans(), seed=seeds)
def test_batch_sampler_sizes_and_order(n, bs, drop_last, shuffle, seed):
    inner = data.RandomSampler(range(n), generator=seed) if shuffle and n else data.SequentialSampler(range(n))
    expected = list(data.RandomSampler(range(n), generator=seed)) if shuffle and n else list(range(n))
    batches = list(data.BatchSampler(inner, bs, drop_last))
    assert len(batches) == len(data.BatchSampler(inner, bs, drop_last))
    assert all(len(b) == bs for b in batches[:-1])
    flat = [i for b in batches for i in b]
    if drop_last:
        assert all(len(b) == bs for b in batches) and flat == expected[:n - n % bs]
    else:
        assert flat == expected and (not batches or 1 <= len(batches[-1]) <= bs)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 3000), bs=st.integers(1, 700), drop_last=st.booleans())
def test_batch_sampler_across_blocks(n, bs, drop_last):
    # the block size is 65536; a small one here makes batches straddle blocks
    from autograd.data import sampler as sampler_module

    saved = sampler_module._BLOCK
    sampler_module._BLOCK = 97
    try:
        batches = list(data.BatchSampler(data.SequentialSampler(range(n)), bs, drop_last))
    finally:
        sampler_module._BLOCK = saved
    flat = [i for b in batches for i in b]
    assert flat == list(range(n - (n % bs if drop_last else 0)))
    assert all(len(b) == bs for b in batches[:-1])


def test_batch_sampler_over_any_iterable():
    assert list(data.BatchSampler(["a", "b", "c"], 2, False)) == [["a", "b"], ["c"]]
    assert list(data.BatchSampler(iter(range(5)), 2, True)) == [[0, 1], [2, 3]]
    with pytest.raises(TypeError):
        len(data.BatchSampler(iter(range(5)), 2, True))  # an iterator has no len, as in PyTorch


def test_batch_sampler_errors_as_pytorch():
    for bad in (0, -1, 2.0, True, None):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            data.BatchSampler(range(4), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=0"):
        data.BatchSampler(range(4), 2, 0)


def test_overridden_iter_is_what_batches_hold():
    class Backwards(data.SequentialSampler):  # overrides __iter__ only: its blocks must not be used
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

    s = Backwards(range(5))
    assert index_chunks(s) is None and index_chunks(data.SequentialSampler(range(5))) is not None
    assert list(data.BatchSampler(s, 2, False)) == [[4, 3], [2, 1], [0]]
    ds = data.TensorDataset(autograd.arange(5))
    assert [b[0].tolist() for b in data.DataLoader(ds, sampler=s, batch_size=2)] == [[4, 3], [2, 1], [0]]


def test_torch_namespace_has_the_samplers():
    import denpa as torch

    assert torch.utils.data.RandomSampler is data.RandomSampler
    from denpa.utils.data import BatchSampler, WeightedRandomSampler  # noqa: F401
    import denpa.utils.data.sampler as sm  # torch.utils.data.sampler.<Class>, as real code imports it

    assert sm.SequentialSampler is data.SequentialSampler
