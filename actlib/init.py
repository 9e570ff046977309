r"""Weight initialisation: where the first step of training starts.

Every scheme below draws the weight of each ``nn.Linear`` layer from a distribution
whose spread is chosen from the layer's *fans*: ``fan_in`` (inputs per unit) and
``fan_out`` (units fed). The aim is a signal whose variance neither shrinks nor grows
from layer to layer.

.. math::

    \text{Glorot normal:}\quad
        & \sigma = \text{gain}\,\sqrt{2 / (\text{fan\_in} + \text{fan\_out})} \\
    \text{Glorot uniform:}\quad
        & \ell = \text{gain}\,\sqrt{6 / (\text{fan\_in} + \text{fan\_out})} \\
    \text{He normal:}\quad
        & \sigma = \sqrt{2 / (1 + a^2)} \,/\, \sqrt{\text{fan\_mode}} \\
    \text{He uniform:}\quad
        & \ell = \sqrt{3}\,\sigma_\text{He} \\
    \text{LeCun normal:}\quad
        & \sigma = 1 / \sqrt{\text{fan\_in}}

(:math:`\ell` is the limit of a uniform draw :math:`U(-\ell, \ell)`, whose standard
deviation is :math:`\ell / \sqrt{3}`.)

The draws are made with ``tensor.normal_`` / ``tensor.uniform_`` in the same order and
with the same arithmetic as ``torch.nn.init``, so that with the same ``generator`` state
the weights are equal, draw for draw, to ``torch.nn.init.xavier_normal_`` and friends.

Taught in the chapter "Weight initialisation".
"""

import math

import torch
from torch import nn

from ._validate import check_choice, check_number

__all__ = [
    "INIT_SCHEMES",
    "NONLINEARITIES",
    "fan_in_out",
    "fans",
    "gain",
    "init_std",
    "init_weights",
    "lsuv_init",
]

INIT_SCHEMES = (
    "zeros",
    "constant",
    "normal",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
)

# The parameters each scheme takes, with their defaults.
_PARAMS = {
    "zeros": {},
    "constant": {"val": 0.0},
    "normal": {"std": 0.01},
    "xavier_normal": {"gain": 1.0},
    "xavier_uniform": {"gain": 1.0},
    "he_normal": {"negative_slope": 0.0, "mode": "fan_in"},
    "he_uniform": {"negative_slope": 0.0, "mode": "fan_in"},
    "lecun_normal": {},
}
_MODES = ("fan_in", "fan_out")

# the names ``gain`` (and ``torch.nn.init.calculate_gain``) accepts
NONLINEARITIES = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
)


def _scheme_params(scheme, params):
    """Check ``scheme`` and its keyword ``params``; return them merged with defaults."""
    check_choice("scheme", scheme, INIT_SCHEMES)
    allowed = _PARAMS[scheme]
    for key in params:
        if key not in allowed:
            raise TypeError(
                f"scheme={scheme!r} takes no parameter {key!r}; "
                f"its parameters are {list(allowed)}"
            )
    p = {**allowed, **params}
    if scheme == "constant":
        check_number("val", p["val"])
    elif scheme == "normal":
        check_number("std", p["std"], low=0)
    elif scheme.startswith("xavier"):
        check_number("gain", p["gain"], low=0)
    elif scheme.startswith("he"):
        check_number("negative_slope", p["negative_slope"])
        check_choice("mode", p["mode"], _MODES)
    return p


def fan_in_out(weight):
    """The fans of a linear layer's weight: ``(fan_in, fan_out)``.

    ``nn.Linear(d_in, d_out)`` stores its weight as a matrix of shape ``(d_out, d_in)``
    (it computes ``z = x @ W.T + b``), so ``fan_in = d_in`` is the number of columns and
    ``fan_out = d_out`` the number of rows.

    Args:
        weight: a 2-D tensor of shape ``(fan_out, fan_in)``, e.g.
            ``nn.Linear(...).weight``.

    Example::

        >>> fan_in_out(nn.Linear(64, 32).weight)
        (64, 32)

    Taught in the chapter "Weight initialisation".
    """
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.ndim != 2:
        raise ValueError(
            "weight must be 2-D (out_features, in_features), "
            f"got shape {tuple(weight.shape)}"
        )
    fan_out, fan_in = weight.shape
    return fan_in, fan_out


def fans(weight):
    r"""The fans ``(fan_in, fan_out)`` of any weight, as in ``torch.nn.init``.

    A weight of shape ``(out, in, k_1, ..., k_d)`` (a convolution's, with a receptive
    field of :math:`k_1 \cdots k_d` positions) feeds each output unit from ``in``
    channels at every position:

    .. math::

        \text{fan\_in} = \text{in} \cdot k_1 \cdots k_d, \qquad
        \text{fan\_out} = \text{out} \cdot k_1 \cdots k_d

    For a linear layer (2-D weight ``(out, in)``) this is ``fan_in_out``.

    Args:
        weight: a tensor with at least 2 dimensions, e.g.
            ``nn.Conv2d(3, 16, 5).weight``.

    Shape:
        ``(out, in, *kernel)`` -> two integers.

    Example::

        >>> fans(nn.Conv2d(3, 16, kernel_size=5).weight)   # 3 * 25, 16 * 25
        (75, 400)

    Taught in the chapter "Weight initialisation".
    """
    if not isinstance(weight, torch.Tensor):
        raise TypeError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.ndim < 2:
        raise ValueError(
            "weight must have at least 2 dimensions (out, in, *kernel), "
            f"got shape {tuple(weight.shape)}"
        )
    receptive_field = math.prod(weight.shape[2:])  # 1 for a linear layer
    return weight.shape[1] * receptive_field, weight.shape[0] * receptive_field


def gain(nonlinearity, param=None):
    r"""The gain of a non-linearity, equal to ``torch.nn.init.calculate_gain``.

    The gain is how much to scale :math:`1/\sqrt{\text{fan}}` so that the signal keeps
    its size through the layer:

    .. math::

        \text{linear, conv, sigmoid}: 1, \qquad \tanh: \tfrac53, \qquad
        \text{ReLU}: \sqrt2, \qquad \text{Leaky ReLU}: \sqrt{\frac{2}{1 + a^2}}, \qquad
        \text{SELU}: \tfrac34

    The ReLU gain comes from :math:`E[\mathrm{relu}(z)^2] = \tfrac12 \mathrm{Var}[z]`
    for a symmetric :math:`z` (He et al., 2015, "Delving deep into rectifiers"): half
    the signal is cut, the weights make up for it with twice the variance. A Leaky ReLU
    with slope :math:`a` keeps :math:`\tfrac{1 + a^2}{2}` of it. tanh's :math:`\tfrac53`
    makes up for the slope below 1 away from 0; the sigmoid's gain of 1 is a convention,
    not a derivation.

    Args:
        nonlinearity: one of ``NONLINEARITIES``.
        param: the negative slope :math:`a` of ``"leaky_relu"``. Default: ``None``
            (0.01, as torch).

    Example::

        >>> gain("relu"), gain("leaky_relu", 0.2)
        (1.4142135623730951, 1.3867504905630728)

    Taught in the chapter "Weight initialisation".
    """
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else check_number("param", param, finite=True)
        return math.sqrt(2.0 / (1 + slope**2))
    if param is not None:
        raise TypeError(
            f"nonlinearity={nonlinearity!r} takes no param, got param={param!r}"
        )
    gains = {"tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}
    return gains.get(nonlinearity, 1)


def init_std(scheme, fan_in, fan_out, **params):
    r"""The standard deviation of the weights that a scheme draws for these fans.

    .. math::

        \sigma_\text{normal} = \text{std}, \qquad
        \sigma_\text{Glorot}
            = \text{gain}\sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}, \qquad
        \sigma_\text{He} = \frac{\sqrt{2 / (1 + a^2)}}{\sqrt{\text{fan\_mode}}}, \qquad
        \sigma_\text{LeCun} = \frac{1}{\sqrt{\text{fan\_in}}}

    and 0 for ``zeros`` and ``constant``. The uniform schemes have the same standard
    deviation as their normal twins (their limit is :math:`\sqrt{3}\,\sigma`).

    Erratum of the lecture notes: the Glorot normal standard deviation is
    :math:`\sqrt{2 / (n_\text{in} + n_\text{out})}`, not :math:`2 / \sqrt{n + m}`.

    Args:
        scheme: one of ``INIT_SCHEMES``.
        fan_in: inputs per unit (positive integer).
        fan_out: units of the layer (positive integer).
        **params: the scheme's parameters: ``constant(val=0.0)``, ``normal(std=0.01)``,
            ``xavier_*(gain=1.0)``, ``he_*(negative_slope=0.0, mode="fan_in")``.

    Example::

        >>> init_std("xavier_normal", 100, 100)    # sqrt(2 / 200)
        0.1
        >>> init_std("he_normal", 50, 10)           # sqrt(2 / 50)
        0.2

    Taught in the chapter "Weight initialisation".
    """
    p = _scheme_params(scheme, params)
    fan_in = check_number("fan_in", fan_in, low=1, integer=True)
    fan_out = check_number("fan_out", fan_out, low=1, integer=True)
    if scheme in ("zeros", "constant"):
        return 0.0
    if scheme == "normal":
        return float(p["std"])
    if scheme.startswith("xavier"):
        # Glorot & Bengio (2010)
        return p["gain"] * math.sqrt(2.0 / float(fan_in + fan_out))
    if scheme.startswith("he"):
        fan = fan_in if p["mode"] == "fan_in" else fan_out
        gain = math.sqrt(2.0 / (1 + p["negative_slope"] ** 2))  # He et al. (2015)
        return gain / math.sqrt(fan)
    return 1.0 / math.sqrt(fan_in)  # lecun_normal: LeCun et al. (1998)


@torch.no_grad()
def _init_weight_(weight, scheme, p, generator):
    """Fill one 2-D weight in place, draw for draw as ``torch.nn.init`` does."""
    fan_in, fan_out = fan_in_out(weight)
    if scheme == "zeros":
        return weight.zero_()
    if scheme == "constant":
        return weight.fill_(p["val"])
    std = init_std(scheme, fan_in, fan_out, **{k: p[k] for k in _PARAMS[scheme]})
    if scheme.endswith("uniform"):
        limit = math.sqrt(3.0) * std  # U(-l, l) has std l / sqrt(3)
        return weight.uniform_(-limit, limit, generator=generator)
    return weight.normal_(0.0, std, generator=generator)


def init_weights(model, scheme, *, bias=0.0, generator=None, **params):
    r"""Re-initialise in place the weight and bias of each ``nn.Linear`` in ``model``.

    Each scheme is the formula of its paper:

    - ``zeros`` / ``constant(val)``: every weight equal. Every unit of a layer then
      computes the same thing and gets the same update (row symmetry); a bias cannot
      break it.
    - ``normal(std=0.01)``: :math:`W \sim \mathcal N(0, \text{std}^2)`; fine for a
      shallow net, the signal fades layer after layer in a deep one.
    - ``xavier_normal(gain=1.0)``: Glorot & Bengio (2010), "Understanding the difficulty
      of training deep feedforward neural networks".
      :math:`\sigma = \text{gain}\sqrt{2 / (\text{fan\_in} + \text{fan\_out})}`.
      (Erratum of the lecture notes: not :math:`2 / \sqrt{n + m}`.) For tanh and
      sigmoid.
    - ``xavier_uniform(gain=1.0)``: :math:`U(-\ell, \ell)`,
      :math:`\ell = \text{gain}\sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`.
    - ``he_normal(negative_slope=0.0, mode="fan_in")``: He et al. (2015), "Delving deep
      into rectifiers". :math:`\sigma = \sqrt{2 / (1 + a^2)} / \sqrt{\text{fan\_mode}}`,
      with :math:`a` the negative slope of the (leaky) ReLU that follows;
      ``mode="fan_out"`` keeps the backward signal instead of the forward one. For the
      ReLU family.
    - ``he_uniform(negative_slope=0.0, mode="fan_in")``: :math:`U(-\ell, \ell)`,
      :math:`\ell = \sqrt{3}\,\sigma_\text{He}`.
    - ``lecun_normal``: LeCun et al. (1998), "Efficient BackProp".
      :math:`\sigma = 1 / \sqrt{\text{fan\_in}}` (the CS231n
      ``randn(n_in, n_out) / sqrt(n_in)``).

    Given the same ``generator`` state the weights equal those of
    ``torch.nn.init.zeros_``, ``constant_``, ``normal_``, ``xavier_normal_``,
    ``xavier_uniform_``, ``kaiming_normal_``, ``kaiming_uniform_``
    (``a=negative_slope``) draw for draw, layer by layer in the order of
    ``model.modules()``. The ``nn.Linear`` inside a ``Maxout`` is re-initialised too.

    Args:
        model: an ``nn.Module`` holding at least one ``nn.Linear``, or an
            ``nn.Linear`` itself.
        scheme: one of ``INIT_SCHEMES``.
        bias: the constant every bias is set to. Default: ``0.0``; ``None`` leaves
            biases as they are.
        generator: a ``torch.Generator`` on the weights' device to draw from. Default:
            ``None`` (torch's global generator, see ``set_seed``).
        **params: the scheme's parameters (see above).

    Returns:
        ``model``, initialised in place.

    Example::

        >>> net = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
        >>> g = torch.Generator().manual_seed(0)
        >>> _ = init_weights(net, "xavier_normal", generator=g)
        >>> round(net[0].weight.std().item(), 2)      # about sqrt(2 / 96) = 0.144
        0.15

    Taught in the chapter "Weight initialisation".
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    p = _scheme_params(scheme, params)
    if bias is not None:
        bias = check_number("bias", bias)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            "generator must be a torch.Generator or None, "
            f"got {type(generator).__name__}"
        )
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(
            f"model has no nn.Linear layer to initialise: {type(model).__name__}"
        )
    for layer in linears:
        _init_weight_(layer.weight, scheme, p, generator)
        if bias is not None and layer.bias is not None:
            with torch.no_grad():
                layer.bias.fill_(bias)
    return model


@torch.no_grad()
def lsuv_init(model, X, *, target_std=1.0, tol=0.02, max_iter=10):
    r"""Rescale each layer's weights so that its outputs have ``target_std`` on ``X``.

    Layer-sequential unit-variance initialisation (LSUV; Mishkin & Matas, 2016, "All
    you need is a good init") is data-dependent: instead of a gain worked out for the
    activation, it *measures*. Layer by layer, from the input up, it feeds the batch
    ``X`` through the network, takes the standard deviation of the layer's outputs
    :math:`z = W a + b` and divides the weights by it:

    .. math::

        W \leftarrow W \cdot \frac{\text{target\_std}}{\mathrm{std}(z)}

    until :math:`|\mathrm{std}(z) - \text{target\_std}| \le \text{tol}` or
    ``max_iter`` passes. A layer is fixed before the next one is measured, so each sees
    inputs of the right size. The paper starts from an orthogonal draw
    (``torch.nn.init.orthogonal_``); any random draw that breaks the symmetry will do.
    Biases are left as they are. Without biases and with a (leaky) ReLU, the layer's
    output scales exactly with its weights and one pass suffices; otherwise (tanh,
    biases) a few passes do.

    Args:
        model: an ``nn.Module`` holding at least one ``nn.Linear``, or an
            ``nn.Linear`` itself; its ``nn.Linear`` layers are rescaled in the order
            of ``model.modules()`` (the order of the forward pass for ``mlp``).
        X: a batch of inputs ``(N, ...)``, moved to the model's device; a few hundred
            examples are enough.
        target_std: the standard deviation each layer's outputs should have (> 0).
            Default: ``1.0``.
        tol: the tolerance on the standard deviation (> 0). Default: ``0.02``.
        max_iter: passes per layer at most (positive integer). Default: ``10``.

    Returns:
        ``model``, rescaled in place.

    Shape:
        ``X``: ``(N, d_in)`` for an MLP.

    Example::

        >>> net = mlp([64] + [64] * 10 + [10], "tanh", init="normal",
        ...           init_params={"std": 0.01})
        >>> _ = lsuv_init(net, X_train[:500])
        >>> [round(r["z_std"], 2) for r in signal_stats(net, X_train[:500])][:3]
        [1.0, 1.0, 1.0]

    Taught in the chapter "Weight initialisation".
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}")
    target_std = check_number("target_std", target_std, low=0, low_open=True)
    tol = check_number("tol", tol, low=0, low_open=True)
    max_iter = check_number("max_iter", max_iter, low=1, integer=True)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(
            f"model has no nn.Linear layer to initialise: {type(model).__name__}"
        )
    X = X.to(linears[0].weight.device)
    for layer in linears:
        seen = {}
        hook = layer.register_forward_hook(lambda m, inp, out: seen.update(z=out))
        try:
            for _ in range(max_iter):
                model(X)
                std = seen["z"].std().item()
                if abs(std - target_std) <= tol or std == 0:
                    break
                layer.weight.mul_(target_std / std)
        finally:
            hook.remove()
    return model
