"""The 8x8 handwritten digits bundled with scikit-learn: the offline default data set."""
from __future__ import annotations

import numpy as _np

from ..creation import tensor
from .dataset import LabeledDataset


def digits(flatten: bool = True, normalize: bool = True, dtype="float32") -> LabeledDataset:
    """1,797 handwritten digits (8x8 grey levels 0..16) in 10 classes, shipped with scikit-learn (no download).

    ``flatten`` gives rows of 64 values (else ``(N, 1, 8, 8)`` images for convolutions);
    ``normalize`` scales grey levels to [0, 1] (``x / 16``), else they stay 0..16.

    The conventions, one for the library, the notebooks and ``denpa train``:

    - split: ``train_val_test_split(ds, (0.7, 0.15, 0.15), seed=s)`` gives 1258 / 270 / 269 samples,
      the very ones ``denpa train --seed s`` trains, validates and tests on;
    - scale: ``digits()`` gives 0..1; ``denpa train`` reads ``normalize=False`` (0..16, the scale
      ``denpa predict`` takes its images in) and standardises them with the training pixels' mean and
      standard deviation, which its ``summary.json`` records.

    >>> from autograd.data import digits, train_val_test_split
    >>> ds = digits()
    >>> len(ds), tuple(ds.data.shape), ds.classes[:3], float(ds.data.max())
    (1797, (1797, 64), [0, 1, 2], 1.0)
    >>> [len(part) for part in train_val_test_split(ds, (0.7, 0.15, 0.15), seed=0)]
    [1258, 270, 269]
    >>> tuple(digits(flatten=False, normalize=False).data.shape), float(digits(normalize=False).data.max())
    ((1797, 1, 8, 8), 16.0)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("digits() reads the digits bundled with scikit-learn, which is not installed: "
                          "pip install 'denpa[data]' (or pip install scikit-learn)") from None
    raw = load_digits()
    x = _np.asarray(raw.images, dtype=_np.float64)
    if normalize:
        x = x / 16.0
    x = x.reshape(len(x), 64) if flatten else x[:, None, :, :]
    return LabeledDataset(tensor(x.astype(dtype)), tensor(_np.asarray(raw.target, dtype=_np.int64)),
                          classes=list(range(10)))
