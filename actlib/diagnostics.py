r"""Diagnostics: look inside a network, layer by layer, forward and backward.

Whether a network trains shows long before its loss curve does: in the statistics of
each hidden layer. ``layer_stats`` runs one batch through the network with forward hooks
on every activation module and reports, per layer,

- the **forward signal**: mean and standard deviation of the activations
  :math:`a = g(z)`;
- **saturation**: the fraction of entries whose local derivative is tiny,
  :math:`|g'(z)| < 0.01 \max_z g'(z)` (a sigmoid or tanh pushed to its flat ends; the
  left half of a ReLU);
- **dead units**: the fraction of units whose output is 0 for every example (a dead
  ReLU);
- the **backward signal**: :math:`\lVert \partial L / \partial W \rVert` for the weight
  of the linear layer feeding the activation.

Taught in the chapters "Activation functions" (saturation, dead ReLUs) and "Weight
initialisation" (how the signal shrinks or grows with depth).
"""

import contextlib

import torch
from torch import nn

from . import activations

__all__ = ["layer_stats", "signal_stats", "forward_activations"]


def _identify(module):
    """``(name, params)`` if ``module`` is an activation, else ``None``.

    An activation is one of actlib's classes, ``Maxout``, or the torch counterpart that
    each class declares (``nn.ReLU`` for ``ReLU``, ...; ``CentredSigmoid`` has none);
    the class reads the parameters off either. torch's ``nn.Identity`` is left out: it
    also stands in for a layer that is not there.
    """
    if isinstance(module, activations.Maxout):
        return "maxout", {}
    for name, cls in activations.ACTIVATIONS.items():
        # torch's nn.Identity stands in for a missing layer; some have no counterpart
        bare = cls.torch_class in (nn.Identity, None)
        kinds = (cls,) if bare else (cls, cls.torch_class)
        if isinstance(module, kinds):
            return name, cls.params_of(module)
    return None


@contextlib.contextmanager
def _recording(model):
    """Hook every activation (and every Linear) of ``model``; leave no trace afterwards.

    The pass runs as a training step would (BatchNorm normalises with the batch's
    statistics), with dropout off. Afterwards the hooks are removed, every module's
    train/eval flag and every buffer (BatchNorm's running statistics) is restored.
    """
    records = []  # one dict per activation call, in the order of the forward pass
    last_linear = [None]

    def on_linear(module, inputs, output):
        last_linear[0] = module

    def on_activation(module, inputs, output):
        name, params = _identify(module)
        linear = last_linear[0]
        if isinstance(module, activations.Maxout):  # its own Linear feeds it
            inner = [m for m in module.modules() if isinstance(m, nn.Linear)]
            linear = inner[-1] if inner else None
        records.append(
            {
                "name": name,
                "params": params,
                "z": inputs[0],
                "a": output,
                "linear": linear,
            }
        )

    modes = {m: m.training for m in model.modules()}
    buffers = [b.detach().clone() for b in model.buffers()]
    handles = []
    try:
        for m in model.modules():
            if isinstance(m, nn.Linear):
                handles.append(m.register_forward_hook(on_linear))
            if _identify(m) is not None:
                handles.append(m.register_forward_hook(on_activation))
        model.train()
        for m in model.modules():
            if isinstance(m, nn.modules.dropout._DropoutNd):
                m.eval()
        yield records
    finally:
        for h in handles:
            h.remove()
        for m, training in modes.items():
            m.training = training
        with torch.no_grad():
            for b, saved in zip(model.buffers(), buffers):
                b.copy_(saved)


def _check_inputs(model, X, y):
    """The checks shared by ``layer_stats`` and ``signal_stats``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}")
    if y is not None:
        if not isinstance(y, torch.Tensor):
            raise TypeError(f"y must be a torch.Tensor or None, got {type(y).__name__}")
        if len(y) != len(X):
            raise ValueError(
                "X and y must hold the same number of examples, "
                f"got {len(X)} and {len(y)}"
            )


def _device_of(model):
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def forward_activations(model, X):
    """The output of every activation module of ``model`` for the inputs ``X``.

    One forward pass without gradients, with forward hooks on the activation modules
    (actlib's, ``Maxout``, and torch's ``nn.ReLU``, ``nn.Tanh``, ``nn.Sigmoid``, ...),
    in order. BatchNorm uses the batch's statistics; nothing of the model changes (see
    ``layer_stats``).

    Args:
        model: an ``nn.Module``.
        X: inputs ``(N, ...)``, moved to the model's device.

    Returns:
        A list of tensors, one per activation call, e.g. ``(N, h_l)`` for hidden layer
        ``l``.

    Example::

        >>> net = mlp([64, 32, 32, 10], "tanh")
        >>> [a.shape for a in forward_activations(net, X_train[:100])]
        [torch.Size([100, 32]), torch.Size([100, 32])]

    Taught in the chapter "Weight initialisation".
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}")
    with _recording(model) as records, torch.no_grad():
        model(X.to(_device_of(model)))
    return [r["a"] for r in records]


def layer_stats(model, X, y=None):
    r"""Statistics of every hidden layer for one batch: the forward and backward signal.

    One forward pass (and, when ``y`` is given, one backward pass) with hooks on every
    activation module records its input :math:`z` and output :math:`a = g(z)`. One row
    per activation, in order of the forward pass:

    - ``layer``: 1 for the first hidden layer, 2 for the second, ...
    - ``name``: the activation's name (``"relu"``, ``"tanh"``, ``"maxout"``, ...)
    - ``mean``, ``std``: of all entries of :math:`a`
    - ``saturated``: fraction of entries of :math:`z` with
      :math:`|g'(z)| < 0.01 \cdot \max_z g'(z)`, using the closed-form ``derivative``
      and largest slope ``max_derivative`` that each activation class declares (0 for
      maxout: its derivative with respect to the winning piece is always 1)
    - ``dead``: fraction of units (columns of :math:`a`) that output 0 for every example
      of ``X``
    - ``grad_norm``: :math:`\lVert \partial L / \partial W \rVert_2` (Frobenius) for the
      weight of the ``nn.Linear`` feeding this activation, with the loss of ``fit``
      (cross-entropy for int64 labels, mean squared error for float targets); ``None``
      without ``y``.

    The pass runs as a training step would (BatchNorm uses the batch's statistics,
    dropout is off) but leaves no trace: hooks are removed, train/eval flags and
    BatchNorm's running statistics are restored, and the gradients come from
    ``torch.autograd.grad`` (no ``.grad`` is written).

    Args:
        model: an ``nn.Module`` whose activations are modules (as ``mlp`` builds them).
        X: a batch of inputs ``(N, ...)``, moved to the model's device.
        y: targets for the backward pass, or ``None`` for the forward pass only.
            Default: ``None``.

    Returns:
        A list of dicts, one per activation.

    Example::

        >>> X_train, y_train, X_test, y_test = load_digits()
        >>> net = mlp([64, 32, 32, 10], "tanh", init="normal",
        ...           init_params={"std": 1.0},
        ...           generator=torch.Generator().manual_seed(0))
        >>> rows = layer_stats(net, X_train[:200], y_train[:200])
        >>> [round(row["saturated"], 2) for row in rows]
        [0.66, 0.56]      # weights far too large: most tanh units on their flat ends

    Taught in the chapters "Activation functions" and "Weight initialisation".
    """
    _check_inputs(model, X, y)
    from .training import _loss

    device = _device_of(model)
    with _recording(model) as records, torch.set_grad_enabled(y is not None):
        out = model(X.to(device))
        grads = {}
        if y is not None:
            weights = [
                r["linear"].weight
                for r in records
                if r["linear"] is not None and r["linear"].weight.requires_grad
            ]
            weights = list({id(w): w for w in weights}.values())  # each weight once
            if weights:
                found = torch.autograd.grad(
                    _loss(out, y.to(device)), weights, allow_unused=True
                )
                grads = {id(w): g for w, g in zip(weights, found)}
    rows = []
    for i, r in enumerate(records, start=1):
        z, a = r["z"].detach(), r["a"].detach()
        if r["name"] == "maxout":
            saturated = 0.0
        else:
            cls = activations.ACTIVATIONS[r["name"]]
            g = activations.derivative(r["name"], z, **r["params"]).abs()
            top = cls.max_derivative(**r["params"])  # max_z g'(z)
            saturated = (g < 0.01 * top).float().mean().item()
        units = a.reshape(len(a), -1)  # (N, units)
        grad = grads.get(id(r["linear"].weight)) if r["linear"] is not None else None
        rows.append(
            {
                "layer": i,
                "name": r["name"],
                "mean": a.mean().item(),
                "std": a.std().item() if a.numel() > 1 else 0.0,
                "saturated": saturated,
                "dead": (units == 0).all(dim=0).float().mean().item(),
                "grad_norm": None if grad is None else grad.norm().item(),
            }
        )
    return rows


def signal_stats(model, X, y=None):
    r"""The forward and backward signal of every hidden layer, as standard deviations.

    Where ``layer_stats`` reports the gradient of each *weight*, this reports the signal
    that flows through the *units*: forward, the pre-activations :math:`z` and the
    activations :math:`a = g(z)`; backward, the gradients
    :math:`\partial L / \partial a` and :math:`\partial L / \partial z` that
    back-propagation carries down, layer by layer (the quantities of Glorot & Bengio,
    2010, Figures 6 and 7). A good initialisation keeps both roughly flat across depth:

    .. math::

        \mathrm{Var}[z^{(l)}]
        = n_\text{in} \mathrm{Var}[w] \, E\big[(a^{(l-1)})^2\big], \qquad
        \mathrm{Var}\Big[\frac{\partial L}{\partial a^{(l-1)}}\Big]
        = n_\text{out} \mathrm{Var}[w] \,
        E\Big[\Big(\frac{\partial L}{\partial z^{(l)}}\Big)^2\Big]

    One row per activation module, in the order of the forward pass: ``layer`` (1, 2,
    ...), ``name``, ``z_std``, ``a_mean``, ``a_std`` and, when ``y`` is given,
    ``grad_a_std`` and ``grad_z_std`` (the standard deviation over all entries of
    :math:`\partial L / \partial a` and :math:`\partial L / \partial z` for the batch,
    with the loss of ``fit``, a mean over examples); without ``y`` these two are
    ``None``. The pass leaves no trace, as in ``layer_stats``.

    Args:
        model: an ``nn.Module`` whose activations are modules (as ``mlp`` builds them).
        X: a batch of inputs ``(N, ...)``, moved to the model's device.
        y: targets for the backward pass, or ``None`` for the forward pass only.
            Default: ``None``.

    Returns:
        A list of dicts, one per activation.

    Example::

        >>> net = mlp([100] * 11 + [10], "tanh", init="xavier_normal", bias=False,
        ...           generator=torch.Generator().manual_seed(0))
        >>> X, y = torch.randn(500, 100), torch.randint(0, 10, (500,))
        >>> rows = signal_stats(net, X, y)
        >>> [round(r["a_std"], 2) for r in rows][:3]     # slowly shrinking
        [0.63, 0.49, 0.4]

    Taught in the chapter "Weight initialisation".
    """
    _check_inputs(model, X, y)
    from .training import _loss

    device = _device_of(model)
    with _recording(model) as records, torch.set_grad_enabled(y is not None):
        out = model(X.to(device))
        grads = [None] * (2 * len(records))
        if y is not None and records and out.requires_grad:
            # z_1, a_1, z_2, a_2, ...
            tensors = [t for r in records for t in (r["z"], r["a"])]
            grads = list(
                torch.autograd.grad(
                    _loss(out, y.to(device)), tensors, allow_unused=True
                )
            )

    def spread(t):
        return None if t is None else (t.std().item() if t.numel() > 1 else 0.0)

    return [
        {
            "layer": i,
            "name": r["name"],
            "z_std": spread(r["z"].detach()),
            "a_mean": r["a"].detach().mean().item(),
            "a_std": spread(r["a"].detach()),
            "grad_a_std": spread(grads[2 * i - 1]),
            "grad_z_std": spread(grads[2 * i - 2]),
        }
        for i, r in enumerate(records, start=1)
    ]
