"""The optimizer base class: parameter groups, per-parameter state, and their state dict.

Every optimizer keeps PyTorch's layout: ``param_groups`` is a list of dicts (the
tensors under ``"params"``, the hyperparameters beside them) and ``state`` maps
each parameter to a dict of its running arrays (held as Tensors) and counters.
``state_dict()`` keys that state by the parameter's position over all groups,
so it loads into a freshly built model.
"""
from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from itertools import chain
from typing import Any, Callable, Iterable, Optional, Union

from autograd import Tensor
from autograd.backend import array_module
from autograd.grad_mode import enable_grad
from autograd.versions import bump

ParamsT = Union[Iterable[Tensor], Iterable[dict], Iterable[tuple]]

__all__ = ["Optimizer"]


def _iterable_params(name: str, params: Any) -> Iterable:
    """``params`` itself when it can be iterated; otherwise a TypeError that says what to pass.

    The common slips are a model (``SGD(model, ...)``) and its unbound method (``SGD(model.parameters, ...)``).
    """
    if callable(getattr(params, "parameters", None)):
        raise TypeError(f"{name}: params should be an iterable of Tensors or dicts, but got the module "
                        f"{type(params).__name__}; pass its parameters: {name}(model.parameters(), ...)")
    if callable(params) and getattr(params, "__name__", "") in ("parameters", "named_parameters"):
        raise TypeError(f"{name}: params is the method {params.__name__} itself; call it: "
                        f"{name}(model.{params.__name__}(), ...)")
    try:
        iter(params)
    except TypeError:
        raise TypeError(f"{name}: params should be an iterable of Tensors or dicts (e.g. model.parameters() "
                        f"or [w, b]), but got {type(params).__name__}") from None
    return params


class Optimizer:
    """Base class of all optimizers: holds ``param_groups`` and ``state``.

    A subclass passes its hyperparameters as ``defaults`` and implements
    ``_step_group(group)``, the in-place update of one group's parameters;
    ``step(closure)`` runs the closure (with gradients on) and then every group.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0., 0.], requires_grad=True)
    >>> opt.state_dict()["param_groups"][0]["params"]
    [0]
    """

    #: state keys holding numbers (or lists of numbers), never arrays: not shape-checked, not cast
    _scalar_state: frozenset = frozenset({"step"})

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params should be an iterable of Tensors or dicts, but got a "
                f"Tensor of shape {tuple(params.shape)}; pass [tensor] or model.parameters()"
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(_iterable_params(type(self).__name__, params))
        if not groups:
            raise ValueError(f"{type(self).__name__}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- groups ---------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones come from the defaults).

        >>> import autograd, optim
        >>> a, b = autograd.zeros(2, requires_grad=True), autograd.zeros(3, requires_grad=True)
        >>> opt = optim.SGD([a], lr=0.1)
        >>> opt.add_param_group({"params": [b], "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "add_param_group: optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("add_param_group: all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = names
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"add_param_group: optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__module__}.{type(p).__name__}")
            if p.grad_fn is not None and not p.retains_grad:
                raise ValueError(f"add_param_group: can't optimize a non-leaf Tensor (shape {tuple(p.shape)}, made by "
                                 f"{p.grad_fn.name}); optimize the leaf it came from, or detach().requires_grad_()")
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("add_param_group: all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in params):
            raise ValueError("add_param_group: some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- the step ----------------------------------------------------------------------------
    def step(self, closure: Optional[Callable[[], Any]] = None):
        """Update every parameter that has a gradient; return ``closure()``'s loss (None without one).

        The closure runs with gradient recording on (it usually zeroes the
        gradients, computes the loss and calls ``backward``); the update itself
        works on the arrays in place and records nothing.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement _step_group(group) or step(closure)")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop every parameter's gradient (``set_to_none``), or fill it with zeros in place.

        >>> import autograd, optim
        >>> w = autograd.ones(2, requires_grad=True)
        >>> (w * 3).sum().backward()
        >>> opt = optim.SGD([w])
        >>> opt.zero_grad(set_to_none=False); w.grad
        tensor([0., 0.])
        >>> opt.zero_grad(); w.grad is None
        True
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if g.grad_fn is not None:  # a gradient kept with create_graph: cut it from its graph first
                    g.detach_()
                else:
                    g._rg = False
                g.array[...] = 0
                bump(g)

    # -- state dict ----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``, as PyTorch's.

        Parameters are numbered by position over all groups, so the dict loads
        into another optimizer built the same way over fresh parameters. The
        state's arrays are the optimizer's own, as in PyTorch: save the dict (or
        ``copy.deepcopy`` it) before stepping again if you need a snapshot.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)] if isinstance(p, Tensor) else p: _copy_containers(v) for p, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a dict from :meth:`state_dict`, validating all of it before changing anything.

        Raises ValueError (and leaves the optimizer as it was) when the number
        of groups, the parameters per group, or any state array's shape does
        not match. Arrays are copied, cast to their parameter's dtype and put on
        its device.

        >>> import autograd, optim
        >>> w = autograd.ones(2, requires_grad=True)
        >>> opt = optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step()
        >>> fresh = optim.Adam([autograd.ones(2, requires_grad=True)], lr=0.1)
        >>> fresh.load_state_dict(opt.state_dict())
        >>> fresh.state_dict()["state"][0]["step"]
        1
        """
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            got = sorted(map(str, state_dict)) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"{name}: expected a dict with keys 'state' and 'param_groups' "
                             f"(from optimizer.state_dict()), got {got}")
        groups, saved_groups = self.param_groups, state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError(f"{name}: loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}) than the optimizer ({len(groups)})")
        for i, (g, s) in enumerate(zip(groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(f"{name}: loaded state dict contains a parameter group that doesn't match the size "
                                 f"of optimizer's group: group {i} has {len(s['params'])} parameters in the state "
                                 f"dict and {len(g['params'])} in the optimizer")
        id_map = dict(zip(chain.from_iterable(s["params"] for s in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        new_state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if isinstance(k, str) and k.isdigit():  # a format that keeps only string keys (JSON-like)
                k = int(k)
            if k not in id_map:
                raise ValueError(f"{name}: the state dict has state for parameter {k!r}, but its param_groups "
                                 f"list only {sorted(id_map)}")
            if not isinstance(v, dict):
                raise ValueError(f"{name}: the state of parameter {k} must be a dict, got {type(v).__name__}")
            p = id_map[k]
            new_state[p] = {key: self._load_value(key, val, p, self._state_shape(p), f"{name}: state[{k}][{key!r}]")
                            for key, val in v.items()}
        new_groups = []
        for g, s in zip(groups, saved_groups):
            ng = {k: v for k, v in g.items() if k != "params"}  # options the saved group lacks keep their values
            ng.update(copy.deepcopy({k: v for k, v in s.items() if k != "params"}))
            ng["params"] = g["params"]
            new_groups.append(ng)
        # everything checked: commit
        self.state = new_state
        self.param_groups[:] = new_groups

    def _state_shape(self, p: Tensor) -> tuple:
        """The shape every array in ``p``'s state must have."""
        return tuple(p.shape)

    def _load_value(self, key, value, p, shape, where):
        """A checked, copied, cast version of one loaded state entry (recursing into lists)."""
        if isinstance(value, (list, tuple)):
            return type(value)(self._load_value(key, v, p, shape, f"{where}[{i}]") for i, v in enumerate(value))
        scalar = key in self._scalar_state
        if scalar and (value is None or isinstance(value, (bool, int, float))):
            return value
        arr = value.array if isinstance(value, Tensor) else value
        if not hasattr(arr, "shape") or not hasattr(arr, "dtype"):
            raise ValueError(f"{where}: expected {'a number' if scalar else 'an array or a Tensor'}, "
                             f"got {type(value).__name__}")
        if scalar:
            if arr.size != 1:
                raise ValueError(f"{where}: expected a number, got an array of shape {tuple(arr.shape)}")
            return arr.reshape(()).item()
        if tuple(arr.shape) != shape:
            raise ValueError(f"{where}: array of shape {tuple(arr.shape)} doesn't match the expected shape {shape} "
                             f"(the state dict comes from a different model or parameter layout)")
        if arr.dtype.kind not in "fcib":
            raise ValueError(f"{where}: array of dtype {arr.dtype} is not numeric")
        return Tensor._wrap(_copy_to(arr, p.array), None)

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    def __getstate__(self):
        d = dict(self.__dict__)
        d.pop("step", None)  # a scheduler's wrapper of step(), bound to this object: rebuilt by the scheduler
        return d


def _copy_containers(v):
    """Copy dicts and lists (not the arrays in them), so a state dict's structure isn't aliased."""
    if isinstance(v, dict):
        return {k: _copy_containers(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy_containers(x) for x in v]
    return v


def _copy_to(arr, like):
    """A copy of ``arr`` with ``like``'s dtype (for float parameters) on ``like``'s device."""
    xp = array_module(like)
    if array_module(arr) is not xp and type(arr).__module__.startswith("cupy"):
        arr = arr.get()  # device to host; the host-to-device direction is xp.array's job
    dtype = like.dtype if like.dtype.kind in "fc" else None
    return xp.array(arr, dtype=dtype, copy=True)


def _scalar(x) -> float:
    """A hyperparameter (float, or a 1-element Tensor as PyTorch allows for lr) as a Python float."""
    return x if type(x) is float else float(x)


def _check(cond: bool, opt: str, what: str, value) -> None:
    if not cond:
        raise ValueError(f"{opt}: Invalid {what}: {value}")


def _no_pytorch_only(opt: str, differentiable: bool = False, capturable: bool = False, fused=None) -> None:
    """Reject PyTorch options that select CUDA-graph, fused-kernel or differentiable-step code paths."""
    for name, value in (("differentiable", differentiable), ("capturable", capturable), ("fused", fused)):
        if value:
            raise NotImplementedError(f"{opt}: {name}=True is not supported (it selects a PyTorch-specific code "
                                      f"path; the update here is always the plain in-place one); leave it unset")
