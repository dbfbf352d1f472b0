"""The main command's models: an MLP and a small CNN, built from a spec a JSON summary can hold.

``build_model(spec)`` rebuilds the exact architecture from the dict that
``model_spec`` wrote into a run's ``summary.json``, so ``denpa predict`` can
load the weights into it.
"""
from __future__ import annotations

import math
from typing import Sequence

import nn


class MLP(nn.Module):
    """``Flatten -> [Linear -> ReLU (-> Dropout)] * len(hidden) -> Linear``.

    >>> import autograd
    >>> MLP(64, 10, hidden=(32,))(autograd.randn(5, 1, 8, 8)).shape
    (5, 10)
    """

    def __init__(self, in_features: int, num_classes: int, hidden: Sequence[int] = (128,), dropout: float = 0.0):
        super().__init__()
        layers, width = [], in_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
            width = h
        self.flatten = nn.Flatten()
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.classifier(self.features(self.flatten(x)))


class CNN(nn.Module):
    """Conv blocks ``Conv2d(3x3, padding=1) -> ReLU`` with 2x2 max pooling, then a small classifier.

    Inputs of 16 pixels or more a side are pooled after every block (28x28
    MNIST: 28 -> 14 -> 7); smaller ones only after the last (8x8 digits: 8 -> 4),
    so the features keep some spatial detail.

    >>> import autograd
    >>> CNN((1, 8, 8), 10)(autograd.randn(2, 1, 8, 8)).shape
    (2, 10)
    """

    def __init__(self, in_shape: Sequence[int] = (1, 8, 8), num_classes: int = 10,
                 channels: Sequence[int] = (16, 32), hidden: int = 64, dropout: float = 0.25):
        super().__init__()
        c, h, w = in_shape
        pool_each = min(h, w) >= 16
        layers = []
        for i, out_c in enumerate(channels):
            layers += [nn.Conv2d(c, out_c, 3, padding=1), nn.ReLU()]
            if pool_each or i == len(channels) - 1:
                layers.append(nn.MaxPool2d(2))
                h, w = h // 2, w // 2
            c = out_c
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, hidden), nn.ReLU(),
                                        *([nn.Dropout(dropout)] if dropout else []), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def model_spec(kind: str, input_shape: Sequence[int], num_classes: int) -> dict:
    """The default architecture for ``kind`` ('mlp' or 'cnn') on inputs of ``input_shape`` (no batch axis)."""
    input_shape = [int(s) for s in input_shape]
    if kind == "mlp":
        features = math.prod(input_shape)
        hidden = [128] if features <= 256 else [256, 128]
        return {"kind": "mlp", "input_shape": input_shape, "num_classes": int(num_classes), "hidden": hidden,
                "dropout": 0.0 if features <= 256 else 0.2}
    if kind == "cnn":
        if len(input_shape) != 3:
            raise ValueError(f"cnn: needs images of shape (C, H, W), got inputs of shape {tuple(input_shape)}; "
                             f"use --model mlp for this dataset")
        small = min(input_shape[1:]) < 16
        return {"kind": "cnn", "input_shape": input_shape, "num_classes": int(num_classes),
                "channels": [16, 32], "hidden": 64 if small else 128, "dropout": 0.25}
    raise ValueError(f"unknown model kind {kind!r}; expected 'mlp' or 'cnn'")


def build_model(spec: dict):
    """The module that ``spec`` (from :func:`model_spec`) describes, freshly initialised."""
    kind = spec.get("kind")
    if kind == "mlp":
        return MLP(math.prod(spec["input_shape"]), spec["num_classes"], spec["hidden"], spec.get("dropout", 0.0))
    if kind == "cnn":
        return CNN(spec["input_shape"], spec["num_classes"], spec["channels"], spec["hidden"],
                   spec.get("dropout", 0.0))
    raise ValueError(f"build_model: unknown model kind {kind!r} in spec {spec}; expected 'mlp' or 'cnn'")
