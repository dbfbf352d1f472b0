"""nn.Module: the base class of every layer and model (``torch.nn.Module``).

Sub-modules, Parameters and buffers register by attribute assignment, in three
dicts kept in definition order, so ``state_dict`` keys read as PyTorch writes
them (``0.weight``, ``bn.running_mean``). ``__call__`` runs ``forward`` inside
a module scope (:mod:`autograd.scope`), which costs nothing per op and lets the
graph renderer group a model's ops by module.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import numpy as _np

from autograd import scope as _scope
from autograd.backend import array_module
from autograd.device import Device
from autograd.grad_mode import no_grad, state as _grad_state
from autograd.tensor import Tensor
from autograd.versions import bump

from .parameter import Buffer, Parameter

__all__ = ["Module"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it skipped (both empty after a strict load)."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


class _RemovableHandle:
    """``handle.remove()`` takes a registered hook out again."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self.hooks = hooks
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _register(hooks: "OrderedDict", hook: Callable, prepend: bool, with_kwargs: bool) -> _RemovableHandle:
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    handle = _RemovableHandle(hooks)
    hooks[handle.id] = (hook, with_kwargs)
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _not_a_tensor(module, args, error: BaseException) -> None:
    """Raise a TypeError saying to pass a Tensor when ``error`` came from an nn layer given non-Tensor data.

    Only the failure path calls this (no cost per call); a user's own module, or one that takes other input,
    keeps its own error, and an error already explained by an inner layer passes through unchanged.
    """
    if getattr(error, "_input_not_tensor", False) or not args or isinstance(args[0], Tensor):
        return
    if not type(module).__module__.startswith("nn.") or not isinstance(args[0], _DATA_TYPES):
        return
    name, kind = type(module).__name__, type(args[0]).__name__
    err = TypeError(f"{name}: the input must be a Tensor, not {kind}; layers take Tensors, so convert it first, "
                    f"e.g. layer(autograd.tensor(x)) (torch.tensor(x) under `import denpa as torch`)")
    err._input_not_tensor = True  # type: ignore[attr-defined]  # outer containers pass it through
    raise err from error


_DATA_TYPES = (list, tuple, int, float, complex, _np.ndarray, _np.generic)


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _host_array(value):
    """A state-dict value (Tensor, NumPy/CuPy array, number) as an array."""
    if isinstance(value, Tensor):
        return value.array
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return value
    from autograd.backend import as_array

    return as_array(value)


def _prepare_entry(key: str, target: Tensor, value, assign: bool):
    """(the array to write into ``target``, None) or (None, the reason it cannot be): nothing is written here.

    Checks what PyTorch's ``copy_`` would refuse (shape) and what it would silently mangle here (strings,
    objects, complex into real, NaN or infinity into an integer buffer), and does the cast and the device
    move now, so that writing the result cannot fail.
    """
    if value is None:
        return None, f"{key} is None in the checkpoint; expected a tensor of shape {tuple(target.shape)}."
    try:
        v = _host_array(value)
        if not hasattr(v.dtype, "kind"):  # e.g. a torch.Tensor: has shape and dtype, but not NumPy's
            import numpy as np

            v = np.asarray(v)
        shape = tuple(v.shape)
    except Exception as e:  # ragged lists, odd objects: whatever as_array refuses
        return None, f"{key} could not be read as an array ({type(e).__name__}: {e})."
    if shape != tuple(target.shape):
        return None, (f"size mismatch for {key}: copying a param with shape {shape} from checkpoint, "
                      f"the shape in current model is {tuple(target.shape)}.")
    kind, want = v.dtype.kind, target.array.dtype
    if kind not in "biufc":
        return None, f"{key} holds values of dtype {v.dtype}, which cannot be copied into a {want} tensor."
    if kind == "c" and want.kind != "c":
        return None, f"{key} holds complex values; copying them into a {want} tensor would drop the imaginary part."
    if assign and target.requires_grad and kind not in "fc":
        return None, (f"{key} holds {v.dtype} values; assign=True would make a parameter that requires grad "
                      f"{v.dtype} (only floating point tensors can require gradients).")
    from autograd.backend import array_module as _xp, device_of, to_device

    new = to_device(v, device_of(target.array))
    if not assign and new.dtype != want:
        if want.kind in "biu" and kind in "fc" and not bool(_xp(new).isfinite(new).all()):
            return None, f"{key} holds NaN or infinite values, which a {want} tensor cannot hold."
        new = new.astype(want)
    return new, None


class Module:
    """Base class of layers and models: subclass it, assign layers and Parameters in ``__init__``, write ``forward``.

    >>> import autograd, nn
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(2, 3)
    ...         self.out = nn.Linear(3, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> model = TwoLayer()
    >>> [name for name, _ in model.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> model(autograd.randn(4, 2)).shape
    (4, 1)
    """

    training: bool
    _version = 1

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments; "
                            "Module.__init__() takes none (call super().__init__())")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()

    def forward(self, *args, **kwargs):
        """The computation of the module: every subclass defines it.

         Call the module (``model(x)``), not ``forward``, so forward hooks run and a drawing groups the ops by
         module, as in PyTorch.
        """
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # -- calling ------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """Run :meth:`forward` (with the forward hooks), as ``torch.nn.Module.__call__``: call the module,
        not ``forward``, so hooks run and a drawing groups its ops.

        >>> import autograd, nn
        >>> nn.Linear(3, 2)(autograd.ones(1, 3)).shape
        (1, 2)
        """
        hooked = self._forward_pre_hooks or self._forward_hooks
        if not hooked and not _grad_state.enabled:  # nothing is recorded: no graph to label with this call
            try:
                return self.forward(*args, **kwargs)
            except (AttributeError, TypeError) as e:
                _not_a_tensor(self, args, e)
                raise
        call = _scope.enter(self)
        try:
            if hooked:
                args, out = self._call_with_hooks(args, kwargs)
            else:
                out = self.forward(*args, **kwargs)
        except BaseException as e:
            _scope.leave(call, (), None)
            if isinstance(e, (AttributeError, TypeError)):
                _not_a_tensor(self, args, e)
            raise
        _scope.leave(call, args, out)
        return out

    def _call_with_hooks(self, args, kwargs):
        for hook, with_kwargs in list(self._forward_pre_hooks.values()):
            if with_kwargs:
                res = hook(self, args, kwargs)
                if res is not None:
                    if not (isinstance(res, tuple) and len(res) == 2):
                        raise RuntimeError(f"forward pre-hook {hook!r} registered with with_kwargs=True must return "
                                           f"None or an (args, kwargs) tuple, got {type(res).__name__}")
                    args, kwargs = res
            else:
                res = hook(self, args)
                if res is not None:
                    args = res
            if not isinstance(args, tuple):
                args = (args,)
        out = self.forward(*args, **kwargs)
        for hook, with_kwargs in list(self._forward_hooks.values()):
            res = hook(self, args, kwargs, out) if with_kwargs else hook(self, args, out)
            if res is not None:
                out = res
        return args, out

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> _RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; a returned value replaces ``args``.

        With ``with_kwargs=True`` it is called as ``hook(module, args, kwargs)`` and may return
        ``(args, kwargs)``. ``prepend=True`` runs it before the hooks already registered.

        >>> import autograd, nn
        >>> layer = nn.Identity()
        >>> handle = layer.register_forward_pre_hook(lambda m, args: (args[0] * 10,))
        >>> layer(autograd.tensor([1.0]))
        tensor([10.])
        >>> handle.remove(); layer(autograd.tensor([1.0]))
        tensor([1.])
        """
        return _register(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> _RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; a returned value replaces the output.

        With ``with_kwargs=True`` it is called as ``hook(module, args, kwargs, output)``.
        ``prepend=True`` runs it before the hooks already registered.
        """
        return _register(self._forward_hooks, hook, prepend, with_kwargs)

    # -- registration ---------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            d["_modules"][name] = value
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(nn.Module or None expected)")
            d["_modules"][name] = None
        elif isinstance(value, Buffer):
            if params is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self._forget(name, keep="_buffers")
            self.register_buffer(name, value, persistent=value.__dict__.get("persistent", True))
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep=None):
        """Drop ``name`` from every store but ``keep`` (which keeps its place in the order, as PyTorch's)."""
        d = self.__dict__
        d.pop(name, None)
        for store in ("_parameters", "_buffers", "_modules"):
            if store != keep:
                d[store].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if name in d[store]:
                del d[store][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def _check_name(self, kind: str, name: str, store: str) -> None:
        """PyTorch's rules: a string, no ".", not empty, and not already taken by anything but ``store``."""
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got "{name}"')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if name not in self.__dict__[store] and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Optional[Parameter]) -> None:
        """Add ``param`` (or None, a placeholder) as parameter ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name("parameter", name, "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"cannot assign non-leaf Tensor to parameter '{name}'; "
                             "use nn.Parameter(tensor.detach()) to make a weight from a computed value")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Optional[Tensor], persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (e.g. BatchNorm's ``running_mean``).

        Non-persistent buffers are left out of ``state_dict``.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name("buffer", name, "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Optional["Module"]) -> None:
        """Add a child module (the same as assigning it as an attribute)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        self._check_name("module", name, "_modules")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        """The sub-module at dotted path ``target`` (``""`` is this module)."""
        mod = self
        for part in target.split(".") if target else ():
            if part not in mod._modules:
                raise AttributeError(f"{mod._get_name()} has no attribute `{part}` (looking up '{target}')")
            mod = mod._modules[part]
        return mod

    def _get_member(self, target: str, store: str, kind: str):
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if name not in mod.__dict__[store]:
            raise AttributeError(f"{mod._get_name()} has no {kind} `{name}`")
        return mod.__dict__[store][name]

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target`` (``"encoder.0.weight"``)."""
        return self._get_member(target, "_parameters", "parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target`` (``"bn.running_mean"``)."""
        return self._get_member(target, "_buffers", "buffer")

    # -- iteration --------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True) -> Iterator[Tuple[str, "Module"]]:
        """(path, module) for this module and every sub-module, depth first, each once."""
        if memo is None:
            memo = set()
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            children = [(name + ("." if name else "") + k, m) for k, m in mod._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        """This module and every sub-module below it, each once, depth first (``torch.nn.Module.modules``).

         >>> import nn
         >>> [type(m).__name__ for m in nn.Sequential(nn.Linear(2, 2), nn.ReLU()).modules()]
         ['Sequential', 'Linear', 'ReLU']
        """
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[Tuple[str, "Module"]]:
        """``(name, module)`` for each direct sub-module, each module once."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator["Module"]:
        """The direct sub-modules (not their sub-modules), each once."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, store: str, prefix: str, recurse: bool, remove_duplicate: bool = True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for k, v in mod.__dict__[store].items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield mod_prefix + ("." if mod_prefix else "") + k, v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[Tuple[str, Parameter]]:
        """(dotted name, Parameter) pairs; a parameter shared by two layers comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every Parameter of this module (and, with ``recurse``, of its sub-modules), each once: what an optimizer takes.

         >>> import nn, optim
         >>> model = nn.Linear(3, 2)
         >>> [tuple(p.shape) for p in model.parameters()]
         [(2, 3), (2,)]
         >>> opt = optim.SGD(model.parameters(), lr=0.1)
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, Tensor]]:
        """``(name, tensor)`` for every buffer (running statistics and the like), names as in ``state_dict``; ``prefix`` goes in front of each name."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer of this module (and, with ``recurse``, of its sub-modules)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # -- modes and gradients -----------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Training mode (``mode=True``) or evaluation mode, for this module and all below it."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(mode): training mode is expected to be boolean, got {type(mode).__name__}")
        self.__dict__["training"] = mode
        for m in self.children():  # through each child's own train(), so a layer that overrides it is obeyed
            m.train(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: Dropout passes through, BatchNorm uses its running statistics."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Set ``requires_grad`` on every parameter (``False`` freezes the module); returns the module.

         >>> import nn
         >>> all(not p.requires_grad for p in nn.Linear(2, 2).requires_grad_(False).parameters())
         True
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's ``.grad`` (to None, or to zeros in place)."""
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.array[...] = 0

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Call ``fn`` on every sub-module (children first) and then on this module."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -- devices and dtypes ---------------------------------------------------------------
    def _convert(self, fn) -> "Module":
        """Replace every parameter's and buffer's data (and gradient) by ``fn(data)``, in place."""
        with no_grad():
            for t in list(self.parameters()) + list(self.buffers()):
                new = fn(t.array)
                if new is not t.array:
                    t.array = new
                    bump(t)
                if t.grad is not None:
                    g = fn(t.grad.array)
                    if g is not t.grad.array:
                        t.grad = Tensor._wrap(g, None)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """Move to a device and/or cast floating-point parameters and buffers to a dtype, in place.

        >>> import autograd, nn
        >>> nn.Linear(2, 2).to(autograd.float64).weight.dtype
        dtype('float64')
        """
        device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, (str, Device)) and str(a).split(":")[0] in ("cpu", "cuda"):
                device = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                dtype = a
        if device is not None:
            from autograd.creation import check_device

            check_device(device)  # a clear error when the device cannot be had (no CuPy, no GPU)
            from autograd.backend import to_device

            self._convert(lambda a: to_device(a, device))
        if dtype is not None:
            import numpy as np

            dt = np.dtype(dtype)
            if dt.kind not in "fc":
                raise TypeError(f"Module.to only accepts floating point dtypes, got {dt}")
            self._convert(lambda a: a.astype(dt) if a.dtype.kind in "fc" and a.dtype != dt else a)
        return self

    def cpu(self) -> "Module":
        """Move every parameter and buffer to the CPU, in place; returns the module."""
        return self.to("cpu")

    def cuda(self, device=None) -> "Module":
        """Move every parameter and buffer to a CUDA device (an index, ``'cuda:1'``, default the current one), in place; returns the module."""
        return self.to("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

    def float(self) -> "Module":
        """Cast floating-point parameters and buffers to float32, in place; returns the module."""
        return self.to("float32")

    def double(self) -> "Module":
        """Cast floating-point parameters and buffers to float64, in place; returns the module."""
        return self.to("float64")

    def half(self) -> "Module":
        """Cast floating-point parameters and buffers to float16, in place; returns the module."""
        return self.to("float16")

    # -- state ------------------------------------------------------------------------------
    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False) -> Dict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name (PyTorch's keys), detached unless ``keep_vars``.

        >>> import nn
        >>> list(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).state_dict())
        ['0.weight', '0.bias', '2.weight', '2.bias']
        """
        out = OrderedDict() if destination is None else destination
        for mod_prefix, mod in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
            dot = mod_prefix + "." if mod_prefix else ""
            for k, p in mod._parameters.items():
                if p is not None:
                    out[dot + k] = p if keep_vars else p.detach()
            for k, b in mod._buffers.items():
                if b is not None and k not in mod._non_persistent_buffers_set:
                    out[dot + k] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy values from ``state_dict`` into this module's parameters and buffers.

        Values may be Tensors, NumPy arrays or nested lists; they are cast to each
        parameter's dtype (with ``assign=True`` the arrays themselves are taken, dtype
        and all). Everything is checked before anything is written: on missing or
        unexpected keys (with ``strict``) or any size mismatch, one RuntimeError lists
        them all and the module is left exactly as it was. Returns
        ``(missing_keys, unexpected_keys)``.

        >>> import nn
        >>> net = nn.Sequential(nn.Linear(2, 3))
        >>> net.load_state_dict({"0.weight": net[0].weight.detach()}, strict=False)
        _IncompatibleKeys(missing_keys=['0.bias'], unexpected_keys=[])
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors, plan = [], []
        for k, t in own.items():
            if k not in state_dict:
                continue
            new, error = _prepare_entry(k, t, state_dict[k], assign)
            if error:
                errors.append(error)
            else:
                plan.append((t, new))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(self._get_name(), "\n\t".join(errors)))
        # every value is now an array of the right shape, dtype and device: nothing below can fail part-way
        for t, new in plan:
            if assign:  # take the checkpoint's array (and dtype) itself, as PyTorch's assign=True does
                t.array = new
            else:
                t.array[...] = new
            bump(t)  # graphs that saved the old values must not backpropagate through the new ones
        return _IncompatibleKeys(missing, unexpected)

    # -- printing ---------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr``; layers override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({k}): " + _addindent(repr(m), 2) for k, m in self._modules.items()]
        lines = extra_lines + child_lines
        s = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                s += extra_lines[0]
            else:
                s += "\n  " + "\n  ".join(lines) + "\n"
        return s + ")"
