r"""Batch Normalisation, written from scratch with each equation above its line of code.

Ioffe & Szegedy (2015), "Batch Normalization: Accelerating Deep Network Training by
Reducing Internal Covariate Shift", https://arxiv.org/abs/1502.03167.

For a mini-batch :math:`\{z_1, \dots, z_m\}` of one feature (a column of the ``(N, C)``
input, or one channel of an ``(N, C, L)`` input, where :math:`m = N` or
:math:`m = N L`), training mode computes

.. math::

    \mu_B = \frac{1}{m}\sum_{i=1}^{m} z_i, \qquad
    \sigma_B^2 = \frac{1}{m}\sum_{i=1}^{m} (z_i - \mu_B)^2
        \quad\text{(biased: divide by } m\text{)},

    \hat z_i = \frac{z_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad
    y_i = \gamma\, \hat z_i + \beta ,

and updates the running statistics that evaluation mode uses instead of
:math:`\mu_B, \sigma_B^2`:

.. math::

    \hat\mu \leftarrow (1 - \text{momentum})\,\hat\mu
        + \text{momentum}\cdot\mu_B, \qquad
    \hat\sigma^2 \leftarrow (1 - \text{momentum})\,\hat\sigma^2
        + \text{momentum}\cdot\frac{m}{m - 1}\,\sigma_B^2 .

Two variances, as in torch: the normalisation divides by the **biased**
:math:`\sigma_B^2`, the running average collects the **unbiased**
:math:`\frac{m}{m-1}\sigma_B^2`. With ``momentum=None`` the running statistics are the
plain average over all batches seen so far (momentum :math:`= 1/t` at the :math:`t`-th
batch, counted in ``num_batches_tracked``).

The backward pass, :func:`batch_norm_backward`, is written out by hand as well: the
gradient must flow through :math:`\mu_B` and :math:`\sigma_B^2`, since both depend on
every example of the batch.

Taught in the chapter "Batch Normalisation".
"""

import torch
from torch import nn

from ._validate import check_number

__all__ = ["BatchNorm1d", "batch_norm_backward"]


class BatchNorm1d(nn.Module):
    r"""Batch Normalisation over a mini-batch of ``(N, C)`` or ``(N, C, L)`` inputs.

    A drop-in for ``torch.nn.BatchNorm1d``: the same arguments, parameters (``weight`` =
    :math:`\gamma`, ``bias`` = :math:`\beta`), buffers (``running_mean``,
    ``running_var``, ``num_batches_tracked``) and ``state_dict``, so the state of one
    loads into the other.

    .. math::

        y = \gamma \, \frac{z - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta

    with :math:`\mu, \sigma^2` the batch's mean and biased variance in training mode
    (see the module docstring for the running averages), and the running statistics in
    evaluation mode.

    Args:
        num_features: :math:`C`, the number of features (channels). At least 1.
        eps: :math:`\epsilon > 0`, added to the variance so that a constant feature does
            not divide by 0. Default: 1e-5.
        momentum: weight of the new batch in the running averages, in [0, 1], or
            ``None`` for a cumulative (equal-weight) average. Default: 0.1.
        affine: learn :math:`\gamma` (ones) and :math:`\beta` (zeros); without them
            ``weight`` and ``bias`` are ``None``. Default: ``True``.
        track_running_stats: keep running statistics for evaluation mode. With ``False``
            the buffers are ``None`` and the batch's own statistics are used in
            evaluation too. Default: ``True``.
        device, dtype: of the parameters and buffers. Default: ``None`` (torch's
            defaults).

    Shape:
        Input :math:`(N, C)` or :math:`(N, C, L)`; output: the same shape. In training
        mode (or without running statistics) each feature needs more than one value:
        :math:`N > 1` for :math:`(N, C)`, :math:`N L > 1` for :math:`(N, C, L)`.

    Example::

        >>> bn = BatchNorm1d(3)
        >>> y = bn(torch.randn(32, 3) * 5 + 2)       # training mode: batch statistics
        >>> y.mean(0).abs().max() < 1e-5, bn.running_mean.shape
        (tensor(True), torch.Size([3]))

    Taught in the chapter "Batch Normalisation".
    """

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.num_features = check_number(
            "num_features", num_features, low=1, integer=True
        )
        self.eps = check_number("eps", eps, low=0, low_open=True, finite=True)
        self.momentum = (
            None
            if momentum is None
            else check_number("momentum", momentum, low=0, high=1)
        )
        for name, flag in (
            ("affine", affine),
            ("track_running_stats", track_running_stats),
        ):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be True or False, got {flag!r}")
        self.affine, self.track_running_stats = affine, track_running_stats
        kw = {"device": device, "dtype": dtype}
        C = self.num_features
        if affine:
            self.weight = nn.Parameter(torch.ones(C, **kw))  # γ
            self.bias = nn.Parameter(torch.zeros(C, **kw))  # β
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(C, **kw))  # μ̂
            self.register_buffer("running_var", torch.ones(C, **kw))  # σ̂²
            self.register_buffer(
                "num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def _check_input(self, z):
        if not isinstance(z, torch.Tensor):
            raise TypeError(f"input must be a torch.Tensor, got {type(z).__name__}")
        if z.dim() not in (2, 3):
            raise ValueError(
                "expected a 2-d (N, C) or 3-d (N, C, L) input, "
                f"got shape {tuple(z.shape)}"
            )
        if z.shape[1] != self.num_features:
            raise ValueError(
                f"input of shape {tuple(z.shape)} has {z.shape[1]} features "
                "in dimension 1; "
                f"this layer was built with num_features={self.num_features}"
            )

    def forward(self, z):
        self._check_input(z)
        dims = (0,) if z.dim() == 2 else (0, 2)  # average over the batch (and length)
        shape = (1, -1) + (1,) * (z.dim() - 2)  # (C,) -> (1, C) or (1, C, 1)
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            m = z.numel() // self.num_features  # values per feature: N or N·L
            if m <= 1:
                raise ValueError(
                    "Expected more than 1 value per channel when training, "
                    f"got input of shape {tuple(z.shape)}: "
                    "one value per feature has no variance"
                )
            # μ_B = (1/m) Σ_i z_i
            mean = z.mean(dim=dims)
            # σ_B² = (1/m) Σ_i (z_i − μ_B)²                (biased: used to normalise)
            var = ((z - mean.reshape(shape)) ** 2).mean(dim=dims)
            if self.training and self.track_running_stats:
                self._update_running(mean.detach(), var.detach(), m)
        else:
            mean, var = self.running_mean, self.running_var  # evaluation: μ̂, σ̂²
        # ẑ = (z − μ) / √(σ² + ε)
        z_hat = (z - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        if not self.affine:
            return z_hat
        # y = γ ẑ + β
        return self.weight.reshape(shape) * z_hat + self.bias.reshape(shape)

    @torch.no_grad()
    def _update_running(self, mean, var, m):
        self.num_batches_tracked += 1
        # momentum, or 1/t for the cumulative average over the t batches seen so far
        momentum = (
            1.0 / float(self.num_batches_tracked)
            if self.momentum is None
            else self.momentum
        )
        # μ̂ ← (1 − momentum) μ̂ + momentum · μ_B
        self.running_mean.mul_(1 - momentum).add_(momentum * mean)
        # σ̂² ← (1 − momentum) σ̂² + momentum · m/(m − 1) · σ_B²     (unbiased)
        self.running_var.mul_(1 - momentum).add_(momentum * var * m / (m - 1))

    def reset_running_stats(self):
        """Running mean 0, running variance 1, ``num_batches_tracked`` 0 (as torch)."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )


def batch_norm_backward(dy, z, gamma, eps=1e-5):
    r"""The gradients of training-mode Batch Normalisation, by hand (no autograd).

    For one feature with :math:`\hat z_i = (z_i - \mu_B) / \sqrt{\sigma_B^2 + \epsilon}`
    and :math:`y_i = \gamma \hat z_i + \beta` over a batch of :math:`m` examples, the
    chain rule through :math:`\hat z`, :math:`\mu_B` and :math:`\sigma_B^2` (both depend
    on every :math:`z_i`) collapses to

    .. math::

        \frac{\partial L}{\partial z_i} = \frac{\gamma}{m\sqrt{\sigma_B^2 + \epsilon}}
            \Bigl(m\,\frac{\partial L}{\partial y_i}
            - \sum_j \frac{\partial L}{\partial y_j}
            - \hat z_i \sum_j \frac{\partial L}{\partial y_j}\,\hat z_j\Bigr),

    .. math::

        \frac{\partial L}{\partial \gamma} = \sum_i \frac{\partial L}{\partial y_i}
            \hat z_i, \qquad
        \frac{\partial L}{\partial \beta} = \sum_i \frac{\partial L}{\partial y_i} .

    The two sums remove from the upstream gradient its mean and its component along
    :math:`\hat z`: shifting or scaling the whole batch of one feature changes nothing
    after normalisation, so the gradient has no such component. This is the form of
    Ioffe & Szegedy (2015), Section 3, and of CS231n's assignment 2.

    Args:
        dy: :math:`\partial L / \partial y`, the upstream gradient, shape ``(N, C)``.
        z: the input of the layer in the forward pass, shape ``(N, C)``, ``N > 1``.
        gamma: :math:`\gamma`, shape ``(C,)``.
        eps: :math:`\epsilon > 0`, as in the forward pass. Default: 1e-5.

    Returns:
        ``(dz, dgamma, dbeta)`` of shapes ``(N, C)``, ``(C,)``, ``(C,)``.

    Example::

        >>> z, dy = torch.randn(8, 3), torch.randn(8, 3)
        >>> dz, dgamma, dbeta = batch_norm_backward(dy, z, torch.ones(3))
        >>> torch.allclose(dz.sum(0), torch.zeros(3), atol=1e-5)  # no mean component
        True

    Taught in the chapter "Batch Normalisation".
    """
    for name, t in (("dy", dy), ("z", z), ("gamma", gamma)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if z.dim() != 2 or z.shape[0] < 2:
        raise ValueError(
            f"z must have shape (N, C) with N > 1, got shape {tuple(z.shape)}"
        )
    if dy.shape != z.shape or gamma.shape != z.shape[1:]:
        raise ValueError(
            f"dy must have the shape of z {tuple(z.shape)} and gamma shape "
            f"({z.shape[1]},); got dy {tuple(dy.shape)}, gamma {tuple(gamma.shape)}"
        )
    eps = check_number("eps", eps, low=0, low_open=True, finite=True)
    m = z.shape[0]
    mu = z.mean(dim=0)  # (C,)
    inv_std = 1 / torch.sqrt(((z - mu) ** 2).mean(dim=0) + eps)  # (C,): 1/√(σ_B² + ε)
    z_hat = (z - mu) * inv_std  # (N, C)
    # ∂L/∂β = Σ_i ∂L/∂y_i ;  ∂L/∂γ = Σ_i ∂L/∂y_i ẑ_i
    dbeta = dy.sum(dim=0)  # (C,)
    dgamma = (dy * z_hat).sum(dim=0)  # (C,)
    # ∂L/∂z_i = γ/(m √(σ_B² + ε)) (m ∂L/∂y_i − Σ_j ∂L/∂y_j − ẑ_i Σ_j ∂L/∂y_j ẑ_j)
    dz = gamma * inv_std / m * (m * dy - dbeta - z_hat * dgamma)  # (N, C)
    return dz, dgamma, dbeta
