r"""Approximation: what sums of ReLUs and maxima of lines can draw.

Two constructions that make the universal approximation idea concrete in one dimension.

1. A **sum of N ReLU units** with kinks :math:`c_1 < \dots < c_N` is a piecewise linear
   function that may bend at each kink:

   .. math::

       f_N(x) = b + \sum_{i=1}^{N} a_i \,\max(0,\, x - c_i)

   It is a one-hidden-layer network (hidden weights 1, hidden biases :math:`-c_i`,
   output weights :math:`a_i`, output bias :math:`b`). With the kinks fixed, :math:`a`
   and :math:`b` enter linearly, so least squares finds the best ones in one step
   (:func:`fit_relu_sum`). More units, more bends, a smaller error.

2. A **Maxout unit** with k pieces, :math:`\max_i (w_i x + b_i)`, is a convex piecewise
   linear function. Its pieces can be the tangent lines of a convex curve :math:`f` at
   points :math:`t_i` (:func:`tangent_maxout`):

   .. math::

       w_i = f'(t_i), \qquad b_i = f(t_i) - f'(t_i)\, t_i

   For :math:`f(x) = x^2` on :math:`[-1, 1]` with :math:`t_i` at the centres of k equal
   cells the largest gap is exactly :math:`1/k^2`.

3. What **one line** can do: :func:`best_line_accuracy` searches every direction and
   threshold for the straight boundary that classifies the most points, the yardstick
   the networks of the chapter are measured against.

Universal approximation: Cybenko (1989), Hornik (1991),
Leshno, Lin, Pinkus & Schocken (1993).
Maxout: Goodfellow et al. (2013), "Maxout networks".

Taught in the chapter "Why non-linearity".
"""

import torch
from torch import nn

from ._validate import check_number
from .activations import Maxout

__all__ = ["relu_features", "fit_relu_sum", "tangent_maxout", "best_line_accuracy"]


def _check_1d(name, x):
    if not torch.is_tensor(x):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 1 or not x.is_floating_point() or x.numel() == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D float tensor, got shape {tuple(x.shape)} "
            f"and dtype {x.dtype}"
        )
    return x


def relu_features(x, kinks):
    r"""The ReLU units of a sum of ReLUs at every point: :math:`\max(0, x_n - c_i)`.

    .. math::

        \Phi_{ni} = \max(0,\, x_n - c_i)

    Args:
        x: points, shape ``(N,)``.
        kinks: the kinks :math:`c_i`, shape ``(K,)``, on the device of ``x``.

    Returns:
        ``(N, K)`` tensor: column :math:`i` is unit :math:`i`'s output.

    Example::

        >>> relu_features(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.0, 1.0]))
        tensor([[0., 0.],
                [0., 0.],
                [2., 1.]])

    Taught in the chapter "Why non-linearity".
    """
    _check_1d("x", x)
    _check_1d("kinks", kinks)
    return torch.relu(x[:, None] - kinks[None, :])  # (N, 1) - (1, K) -> (N, K)


def fit_relu_sum(x, y, n_units, *, lo=None, hi=None):
    r"""Fit a sum of ReLUs to the points ``(x, y)`` by least squares.

    .. math::

        f(x) = b + \sum_{i=1}^{N} a_i \max(0, x - c_i)

    The kinks are evenly spaced,
    :math:`c_i = \text{lo} + (i - 1)\,(\text{hi} - \text{lo}) / N` for :math:`i = 1..N`,
    so the first unit is a straight line over the whole interval and every other unit
    adds one bend. The output weights :math:`a` and bias :math:`b` minimise
    :math:`\sum_n (f(x_n) - y_n)^2` (``torch.linalg.lstsq`` in float64).

    Args:
        x: inputs, shape ``(N,)``.
        y: targets, shape ``(N,)``.
        n_units: the number of ReLU units :math:`N`, at least 1.
        lo, hi: the interval the kinks are spread over. Default: ``x.min()`` and
            ``x.max()``.

    Returns:
        an ``nn.Sequential(Linear(1, N), ReLU(), Linear(N, 1))`` holding the fit, of
        ``x``'s dtype and device. Shape: ``(M, 1) -> (M, 1)``.

    Example::

        >>> x = torch.linspace(-3, 3, 301)
        >>> net = fit_relu_sum(x, torch.sin(x), 8)
        >>> float((net(x[:, None]).squeeze(1) - torch.sin(x)).abs().max()) < 0.1
        True

    Taught in the chapter "Why non-linearity".
    """
    _check_1d("x", x)
    _check_1d("y", y)
    if y.shape != x.shape:
        raise ValueError(
            f"y must have the shape of x {tuple(x.shape)}, got {tuple(y.shape)}"
        )
    n_units = check_number("n_units", n_units, low=1, integer=True)
    lo = float(x.min()) if lo is None else check_number("lo", lo, finite=True)
    hi = float(x.max()) if hi is None else check_number("hi", hi, finite=True)
    if not lo < hi:
        raise ValueError(f"lo={lo!r} must be smaller than hi={hi!r}")
    x64, y64 = x.detach().double(), y.detach().double()
    steps = torch.arange(n_units, dtype=torch.float64, device=x.device)  # 0, ..., N - 1
    kinks = lo + (hi - lo) * steps / n_units  # (N,)
    ones = torch.ones_like(x64)[:, None]  # (M, 1)
    A = torch.cat([ones, relu_features(x64, kinks)], dim=1)  # (M, 1 + N)
    result = torch.linalg.lstsq(A.cpu(), y64[:, None].cpu(), driver="gelsd")
    coef = result.solution.to(x.device)  # (1 + N, 1)
    net = nn.Sequential(nn.Linear(1, n_units), nn.ReLU(), nn.Linear(n_units, 1))
    net = net.to(device=x.device, dtype=x.dtype)
    with torch.no_grad():
        net[0].weight.fill_(1.0)  # every hidden unit sees x itself
        net[0].bias.copy_(-kinks)  # ... and bends at its kink: max(0, x - c_i)
        net[2].weight.copy_(coef[1:, 0][None, :])  # a_i
        net[2].bias.copy_(coef[0])  # b
    return net


def tangent_maxout(f, points):
    r"""A Maxout unit whose k pieces are the tangent lines of ``f`` at ``points``.

    .. math::

        \text{maxout}(x)
            = \max_{i=1..k}\, \bigl(f'(t_i)\, x + f(t_i) - f'(t_i)\, t_i\bigr)

    For a convex ``f`` every tangent line lies below the curve, so the unit approximates
    ``f`` from below, and more points make the gaps smaller. Autograd computes
    :math:`f'`.

    Args:
        f: a differentiable, element-wise function of a tensor, e.g.
            ``lambda x: x**2``.
        points: the tangent points :math:`t_i`, a 1-D float tensor of length k.

    Returns:
        ``Maxout(1, 1, k)`` on the device and dtype of ``points``.
        Shape: ``(M, 1) -> (M, 1)``.

    Example::

        >>> unit = tangent_maxout(lambda x: x**2, torch.tensor([-0.5, 0.5]))
        >>> unit(torch.tensor([[0.0], [0.5]])).squeeze(1)
        tensor([-0.2500,  0.2500], grad_fn=<SqueezeBackward1>)

    Taught in the chapter "Why non-linearity".
    """
    if not callable(f):
        raise TypeError(f"f must be a function of a tensor, got {type(f).__name__}")
    _check_1d("points", points)
    t = points.detach().clone().requires_grad_(True)
    value = f(t)
    (slope,) = torch.autograd.grad(value.sum(), t)  # f'(t_i), (k,)
    unit = Maxout(1, 1, k=t.numel()).to(device=points.device, dtype=points.dtype)
    with torch.no_grad():
        unit.linear.weight.copy_(slope[:, None])  # (k, 1): piece i has slope f'(t_i)
        # piece i has intercept f(t_i) - f'(t_i) t_i
        unit.linear.bias.copy_(value.detach() - slope * t.detach())
    return unit


def best_line_accuracy(X, y, *, n_angles=720):
    r"""The largest fraction of points that one straight line classifies correctly.

    A brute-force search. For each of ``n_angles`` directions
    :math:`u = (\cos\theta, \sin\theta)`, :math:`\theta = 2\pi j / \text{n\_angles}`,
    the points are sorted by their projection :math:`u^\top x_n`, and every threshold
    :math:`t` between two neighbours is tried as the rule

    .. math::

        \hat y_n = \mathbf 1[\,u^\top x_n > t\,] .

    Since :math:`\theta` runs round the whole circle, both orientations of every line
    are tried. With the cumulative counts of each class along the sorted order, one
    direction costs one sort. The answer is exact up to the angular resolution
    :math:`2\pi / \text{n\_angles}` (a lower bound on the true best when the best line
    falls between two tried directions).

    Logistic regression minimises the cross-entropy, not the error count, so it can do
    much worse than this bound: on XOR its optimum sits near :math:`w = 0`.

    Args:
        X: points, shape ``(N, 2)``, float.
        y: labels in {0, 1}, shape ``(N,)``.
        n_angles: number of directions tried, at least 4. Default: 720 (half a degree).

    Returns:
        a float in [0.5, 1]: the best accuracy of a line.

    Example::

        >>> corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        >>> best_line_accuracy(corners, torch.tensor([0, 1, 1, 0]))  # XOR
        0.75

    Taught in the chapter "Why non-linearity".
    """
    if not torch.is_tensor(X) or not torch.is_tensor(y):
        raise TypeError(
            f"X and y must be tensors, got {type(X).__name__} and {type(y).__name__}"
        )
    if X.ndim != 2 or X.shape[1] != 2 or not X.is_floating_point() or len(X) == 0:
        raise ValueError(
            f"X must be a non-empty float tensor of shape (N, 2), got shape "
            f"{tuple(X.shape)} and dtype {X.dtype}"
        )
    if y.shape != (len(X),) or not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(
            f"y must hold N = {len(X)} labels in {{0, 1}}, got shape {tuple(y.shape)}"
        )
    n_angles = check_number("n_angles", n_angles, low=4, integer=True)
    X = X.detach().double()
    theta = torch.arange(n_angles, dtype=X.dtype, device=X.device) * (
        2 * torch.pi / n_angles
    )
    u = torch.stack([theta.cos(), theta.sin()], dim=1)  # (A, 2)
    proj = X @ u.T  # (N, 2) x (2, A) -> (N, A)
    ones = y.to(X.dtype)[proj.argsort(dim=0)]  # (N, A): labels in projection order
    zero = torch.zeros(1, n_angles, dtype=X.dtype, device=X.device)
    # threshold before sorted position k: the k points below say 0, the rest say 1
    zeros_below = torch.cat([zero, (1 - ones).cumsum(dim=0)])  # (N + 1, A)
    ones_above = torch.cat([ones.flip(0).cumsum(dim=0).flip(0), zero])  # (N + 1, A)
    return float((zeros_below + ones_above).max()) / len(X)
