"""Plots shared by the chapters: one look for every figure of the book.

Each function draws on the ``ax`` it is given (or on a new figure) and returns what it drew on, so a
chapter can add a title or a line. Taught in: every chapter.
"""
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

from ._validate import check_number
from .activations import activation_names, derivative, get_activation

__all__ = ["COLORS", "use_book_style", "plot_activation", "plot_activations", "plot_decision_boundary",
           "plot_history", "plot_layer_stats"]

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def use_book_style():
    """Set the book's matplotlib style: small figures, readable fonts, light grid, colour-blind-safe colours."""
    mpl.rcParams.update({
        "figure.figsize": (6, 3.5), "figure.dpi": 100, "savefig.dpi": 100,
        "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 9,
        "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": True, "grid.alpha": 0.3, "axes.prop_cycle": mpl.cycler(color=COLORS),
        "figure.constrained_layout.use": True,
    })


def _axes(ax):
    return plt.subplots()[1] if ax is None else ax


def plot_activation(name, ax=None, *, z=None, derivative=True, **params):
    """Plot activation ``name`` (solid) and its closed-form derivative (dashed) against z.

    Args:
        name: one of ``activation_names()``.
        ax: the axes to draw on. Default: a new figure.
        z: the points (a 1-D tensor). Default: 401 points in [-5, 5].
        derivative: also draw ``actlib.derivative(name, z)``. Default: ``True``.
        **params: the activation's parameters (``negative_slope``, ``alpha``, ...).
    """
    module = get_activation(name, **params)  # validates name and params
    z = torch.linspace(-5, 5, 401) if z is None else torch.as_tensor(z, dtype=torch.float32)
    ax = _axes(ax)
    with torch.no_grad():
        ax.plot(z, module(z), color=COLORS[0], label=f"{name}(z)")
    if derivative:
        d_params = module.params if name == "prelu" else params
        ax.plot(z, _derivative(name, z, **d_params), "--", color=COLORS[1], label=f"{name}'(z)")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set(title=name, xlabel="z")
    ax.legend(loc="upper left")
    return ax


_derivative = derivative  # the keyword argument `derivative` above shadows the function


def plot_activations(names=None, *, ncols=3, derivative=True, **kwargs):
    """A grid with one :func:`plot_activation` per name (default: every activation); returns the Figure."""
    names = activation_names() if names is None else list(names)
    if not names:
        raise ValueError("names must list at least one activation")
    ncols = min(check_number("ncols", ncols, low=1, integer=True), len(names))
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.5 * nrows), squeeze=False,
                             sharex=True)
    for ax, name in zip(axes.flat, names):
        plot_activation(name, ax, derivative=derivative, **kwargs)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    return fig


def plot_decision_boundary(model, X, y, ax=None, *, resolution=200):
    """Colour the plane by the class ``model`` predicts, with the points ``(X, y)`` on top (2-D inputs)."""
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {tuple(X.shape)}")
    resolution = check_number("resolution", resolution, low=2, integer=True)
    ax = _axes(ax)
    X_cpu = X.detach().cpu()
    lo, hi = X_cpu.min(0).values - 0.5, X_cpu.max(0).values + 0.5
    u, v = torch.meshgrid(torch.linspace(lo[0], hi[0], resolution), torch.linspace(lo[1], hi[1], resolution),
                          indexing="xy")
    grid = torch.stack([u.ravel(), v.ravel()], 1)  # (R*R, 2)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    with torch.no_grad():
        pred = model(grid.to(device)).argmax(1).cpu().reshape(u.shape)
    model.train(was_training)
    n_classes = int(max(pred.max(), y.max())) + 1
    cmap = mpl.colors.ListedColormap(COLORS[:n_classes])
    ax.contourf(u, v, pred, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    ax.scatter(X_cpu[:, 0], X_cpu[:, 1], c=y.cpu(), cmap=cmap, s=8, edgecolors="none")
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    return ax


def plot_history(history, ax=None):
    """The loss of every step (left axis) and the accuracy of every epoch (right axis)."""
    ax = _axes(ax)
    ax.plot(history.step_loss, color=COLORS[0], lw=1, label="loss (each step)")
    ax.set(xlabel="step", ylabel="loss")
    if history.train_acc:
        steps_per_epoch = len(history.step_loss) / max(len(history.train_acc), 1)
        epochs = steps_per_epoch * np.arange(1, len(history.train_acc) + 1)
        right = ax.twinx()
        right.plot(epochs, history.train_acc, "o-", color=COLORS[1], ms=3, label="train accuracy")
        if history.val_acc:
            right.plot(epochs, history.val_acc, "s--", color=COLORS[2], ms=3, label="validation accuracy")
        right.set(ylabel="accuracy", ylim=(0, 1.02))
        right.grid(False)
        right.legend(loc="center right")
    ax.legend(loc="upper right")
    return ax


def plot_layer_stats(rows, ax=None, *, key="std"):
    """One bar per layer of a statistic from :func:`actlib.layer_stats` (``std``, ``saturated``, ...)."""
    if not rows:
        raise ValueError("rows is empty: pass the list that actlib.layer_stats returns")
    keys = [k for k in rows[0] if isinstance(rows[0][k], (int, float)) and k != "layer"]
    if key not in rows[0]:
        raise ValueError(f"key={key!r} is not a statistic of the rows; choose one of {keys}")
    ax = _axes(ax)
    values = [np.nan if r[key] is None else r[key] for r in rows]
    ax.bar([r["layer"] for r in rows], values, color=COLORS[0])
    ax.set(xlabel="layer", ylabel=key)
    return ax
