r"""Models: the multi-layer perceptron every chapter trains.

``mlp([d_in, h_1, ..., h_L, d_out])`` stacks, for every hidden layer,

.. math::

    z = W a_\text{prev} + b \;\to\; [\text{BatchNorm}(z)] \;\to\; a = g(z)

and ends with a last linear layer that returns the logits (no activation: the loss
applies softmax). One call sets the three things the book varies: the activation
:math:`g`, the initialisation of :math:`W` and whether Batch Normalisation sits between
the two.

Taught in the chapters "Activation functions", "Weight initialisation" and
"Batch Normalisation".
"""

import torch
from torch import nn

from . import activations
from ._validate import check_choice, check_number
from .init import INIT_SCHEMES, init_weights

__all__ = ["mlp"]


def _check_sizes(sizes):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(
            f"sizes must be a list of layer widths like [64, 32, 10], got {sizes!r}"
        )
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"sizes={sizes!r} needs at least 2 entries: [d_in, ..., d_out]"
        )
    return [
        check_number(f"sizes[{i}]", s, low=1, integer=True) for i, s in enumerate(sizes)
    ]


@torch.no_grad()
def _torch_default_(layer, generator):
    r"""Redraw torch's default initialisation of an ``nn.Linear`` from ``generator``.

    ``nn.Linear.reset_parameters`` draws ``W ~ kaiming_uniform_(a=sqrt(5))``, i.e.
    :math:`U(-1/\sqrt{\text{fan\_in}}, 1/\sqrt{\text{fan\_in}})`, and the bias from the
    same range.
    """
    nn.init.kaiming_uniform_(layer.weight, a=5**0.5, generator=generator)
    if layer.bias is not None:
        bound = 1 / layer.in_features**0.5 if layer.in_features > 0 else 0
        nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def mlp(
    sizes,
    activation="relu",
    init="he_normal",
    batchnorm=False,
    *,
    bias=True,
    act_params=None,
    init_params=None,
    generator=None,
):
    r"""A multi-layer perceptron that returns logits.

    Each hidden layer is ``Linear -> [BatchNorm1d] -> activation``; a last ``Linear``
    returns the logits:

    .. math::

        a^{(0)} = x, \qquad a^{(l)} = g\big(\text{BN}(W^{(l)} a^{(l-1)} + b^{(l)})\big),
        \qquad \text{logits} = W^{(L+1)} a^{(L)} + b^{(L+1)}

    With ``activation="maxout"`` each hidden layer is one ``Maxout(d_in, d_out, k)`` (it
    holds its own ``k`` linear pieces, so there is no separate ``Linear``), followed by
    ``BatchNorm1d`` when ``batchnorm=True``.

    Args:
        sizes: layer widths ``[d_in, h_1, ..., d_out]``: at least 2 positive integers.
        activation: a name of ``activation_names()`` or ``"maxout"``. Default:
            ``"relu"``.
        init: a scheme of ``INIT_SCHEMES`` applied to every ``Linear`` (biases set to 0,
            or to ``init_params["bias"]``), or ``None`` to keep torch's default
            (``kaiming_uniform_(a=sqrt(5))``, bias
            :math:`U(\pm 1/\sqrt{\text{fan\_in}})`). Default: ``"he_normal"``.
        batchnorm: put ``nn.BatchNorm1d`` after each hidden linear layer, before its
            activation (torch's fused layer computes what ``actlib.BatchNorm1d`` spells
            out, only faster). Default: ``False``.
        bias: give the linear layers a bias. Default: ``True``.
        act_params: keywords of ``get_activation`` (e.g. ``{"negative_slope": 0.1}``),
            or ``{"k": 3}`` for maxout. Default: ``None``.
        init_params: keywords of ``init_weights`` (e.g. ``{"gain": 5 / 3}``,
            ``{"bias": 0.01}``). Default: ``None``.
        generator: a ``torch.Generator`` that all initial weights are drawn from, so the
            same seed gives the same network; torch's global random state is then left
            untouched (with ``init=None`` torch's default distribution is redrawn from
            it). Default: ``None`` (torch's global generator, see ``set_seed``).

    Returns:
        ``nn.Sequential``. Shape: ``(N, d_in) -> (N, d_out)``.

    Example::

        >>> net = mlp([64, 32, 10], "tanh", init="xavier_normal",
        ...           generator=torch.Generator().manual_seed(0))
        >>> net(torch.zeros(5, 64)).shape
        torch.Size([5, 10])

    Taught in the chapters "Activation functions", "Weight initialisation" and
    "Batch Normalisation".
    """
    sizes = _check_sizes(sizes)
    check_choice("activation", activation, [*activations.activation_names(), "maxout"])
    if init is not None:
        check_choice("init", init, INIT_SCHEMES)
    for name, flag in (("batchnorm", batchnorm), ("bias", bias)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    for name, d in (("act_params", act_params), ("init_params", init_params)):
        if d is not None and not isinstance(d, dict):
            raise TypeError(
                f"{name} must be a dict of keyword arguments or None, got {d!r}"
            )
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            "generator must be a torch.Generator or None, "
            f"got {type(generator).__name__}"
        )
    act_params = dict(act_params or {})
    if activation == "maxout":
        extra = set(act_params) - {"k"}
        if extra:
            raise TypeError(
                f"activation='maxout' takes no parameter {sorted(extra)[0]!r}; "
                f"its parameters are ['k']"
            )
        k = check_number("act_params['k']", act_params.get("k", 2), low=1, integer=True)

    # With a generator, build under a forked global RNG: construction draws are thrown
    # away and every weight comes from the generator.
    with torch.random.fork_rng(devices=[], enabled=generator is not None):
        layers = []
        for d_in, d_out in zip(sizes[:-2], sizes[1:-1]):  # hidden layers
            if activation == "maxout":
                layers.append(activations.Maxout(d_in, d_out, k=k, bias=bias))
            else:
                layers.append(nn.Linear(d_in, d_out, bias=bias))
            if batchnorm:
                layers.append(nn.BatchNorm1d(d_out))
            if activation != "maxout":
                layers.append(activations.get_activation(activation, **act_params))
        layers.append(nn.Linear(sizes[-2], sizes[-1], bias=bias))  # logits
        model = nn.Sequential(*layers)

    if init is not None:
        init_weights(model, init, generator=generator, **(init_params or {}))
    else:
        if init_params:
            raise TypeError(
                f"init_params={init_params!r} needs an init scheme; init is None"
            )
        if generator is not None:
            for layer in model.modules():
                if isinstance(layer, nn.Linear):
                    _torch_default_(layer, generator)
    return model
