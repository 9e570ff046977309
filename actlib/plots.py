"""Plots shared by the chapters: one look for every figure of the book.

Each function draws on the ``ax`` it is given (or on a new pyplot figure when
``ax=None``) and returns the Axes it drew on, so a chapter can add a title or a line;
:func:`plot_activations` returns its Figure. Colours come from the Okabe-Ito palette,
which stays distinct for every common colour-vision deficiency.

Taught in: every chapter (first in "Activation functions").
"""

import math

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

from ._validate import check_choice, check_number
from .activations import activation_names, get_activation

# the keyword `derivative` of plot_activation shadows it
from .activations import derivative as _derivative

__all__ = [
    "COLORS",
    "use_book_style",
    "plot_activation",
    "plot_activations",
    "update_activation",
    "plot_decision_boundary",
    "plot_history",
    "plot_layer_stats",
]

# Okabe & Ito (2008), "Color universal design": blue, orange, bluish green, vermillion,
# reddish purple, sky blue, yellow, black. Yellow comes late: it is faint on white.
COLORS = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
]


def use_book_style():
    """Set the book's matplotlib style (rcParams), once, in each chapter's setup cell.

    Small figures (6 x 3.5 in at 100 dpi), 10-11 pt fonts, no top or right spine, a
    light grid, the Okabe-Ito colour cycle ``COLORS`` and constrained layout (labels
    never clipped). In Jupyter (and in the book's build), figures are shown as "retina"
    PNGs: drawn at twice the resolution and displayed at their size, so they stay sharp
    on high-density screens.
    """
    mpl.rcParams.update(
        {
            "figure.figsize": (6, 3.5),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.constrained_layout.use": True,
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "figure.titlesize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "grid.linewidth": 0.6,
            "axes.axisbelow": True,
            "axes.prop_cycle": mpl.cycler(color=COLORS),
            "lines.linewidth": 1.8,
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )
    _retina_in_jupyter()


def _retina_in_jupyter():
    """Show this kernel's inline figures at 2x resolution (nothing outside IPython)."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # a plain Python: figures are saved or shown by the reader
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def _axes(ax):
    """The axes to draw on: ``ax``, or a new pyplot figure's."""
    if ax is None:
        return plt.subplots()[1]
    if not isinstance(ax, mpl.axes.Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {ax!r}")
    return ax


def plot_activation(name, ax=None, *, z=None, derivative=True, **params):
    r"""Plot activation ``name`` (solid) and its derivative (dashed) against :math:`z`.

    The derivative is the closed form of ``actlib.derivative``.

    .. math:: a = g(z), \qquad g'(z) = \frac{\mathrm{d}a}{\mathrm{d}z}

    Args:
        name: one of ``activation_names()``.
        ax: the axes to draw on. Default: a new figure.
        z: the points, a 1-D tensor or array. Default: 401 points in :math:`[-5, 5]`.
        derivative: also draw ``actlib.derivative(name, z)``. Default: ``True``.
        **params: the activation's parameters, e.g. ``negative_slope``, ``alpha`` or
            ``beta``.

    Example::

        >>> ax = plot_activation("leaky_relu", negative_slope=0.1)
    """
    module, z = _activation_and_points(name, z, params)
    ax = _axes(ax)
    a, da = _curves(name, module, z, derivative)
    ax.plot(z.numpy(), a, color=COLORS[0], label=f"{name}(z)", gid="activation")
    if derivative:
        ax.plot(
            z.numpy(), da, "--", color=COLORS[1], label=f"{name}′(z)", gid="derivative"
        )
    ax.axhline(0, color="0.55", lw=0.8, zorder=0)
    ax.axvline(0, color="0.55", lw=0.8, zorder=0)
    ax.set(title=_activation_title(name, module, params), xlabel="z")
    ax.legend(loc="upper left")
    return ax


def update_activation(ax, name, **params):
    """Move the curves that :func:`plot_activation` drew on ``ax`` to activation
    ``name`` with ``params``, in place, at the same points ``z``: the lines, their
    labels and the title become what ``plot_activation(name, ax, z=z, **params)``
    draws on a new axes; a legend is redrawn at the upper left; limits still on
    autoscale are recomputed, limits set by hand stay.

    Changing the data of existing lines is matplotlib's fast path for a figure that
    is redrawn again and again (the ``update`` that an explorer's ``draw`` returns
    may call it; see :func:`~actlib.explorers.explore`): no axes and no ticks are
    made anew.

    Args:
        ax: an Axes on which :func:`plot_activation` drew.
        name: one of ``activation_names()``.
        **params: the activation's parameters, as for :func:`plot_activation`.
    """
    if not isinstance(ax, mpl.axes.Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {ax!r}")
    lines = {line.get_gid(): line for line in ax.lines}
    if "activation" not in lines:
        raise ValueError(
            "ax holds no curve of plot_activation; draw it first with "
            "plot_activation(name, ax, ...)"
        )
    z = lines["activation"].get_xdata()
    module, z = _activation_and_points(name, z, params)
    a, da = _curves(name, module, z, "derivative" in lines)
    lines["activation"].set(ydata=a, label=f"{name}(z)")
    if "derivative" in lines:
        lines["derivative"].set(ydata=da, label=f"{name}′(z)")
    ax.set_title(_activation_title(name, module, params))
    if ax.get_legend() is not None:  # a new one with the new labels, where it was
        ax.legend(loc="upper left")
    ax.relim()
    ax.autoscale_view()
    return ax


def _activation_and_points(name, z, params):
    """The activation module (its parameters checked) and the points as a 1-D CPU
    float tensor (default: 401 points in [-5, 5])."""
    check_choice("name", name, activation_names())
    module = get_activation(name, **params)  # checks the params before a figure exists
    z = (
        torch.linspace(-5, 5, 401)
        if z is None
        else torch.as_tensor(z, dtype=torch.float32).detach().cpu()
    )
    if z.ndim != 1 or z.numel() < 2:
        raise ValueError(
            f"z must be a 1-D tensor of at least 2 points, got shape {tuple(z.shape)}"
        )
    return module, z


def _curves(name, module, z, derivative):
    """``g(z)`` and, when ``derivative``, the closed form ``g'(z)`` (else None), as
    NumPy arrays."""
    with torch.no_grad():
        a = module(z).numpy()
    # module.params holds what derivative() takes, prelu's learned alpha included
    da = _derivative(name, z, **module.params).numpy() if derivative else None
    return a, da


def _activation_title(name, module, params):
    """``leaky_relu (negative_slope=0.1)``, or the name alone without parameters."""
    shown = ", ".join(
        f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in module.params.items()
    )
    return f"{name} ({shown})" if params else name


def plot_activations(names=None, *, ncols=3, **kwargs):
    """A grid with one :func:`plot_activation` per name; returns the Figure.

    Args:
        names: a list of ``activation_names()``. Default: all of them.
        ncols: panels per row. Default: 3.
        **kwargs: passed to every :func:`plot_activation` (``z``, ``derivative``,
            parameters).
    """
    if isinstance(names, str):
        names = [names]
    names = activation_names() if names is None else list(names)
    if not names:
        raise ValueError("names must list at least one activation, got an empty list")
    for name in names:
        check_choice("names", name, activation_names())
    ncols = min(check_number("ncols", ncols, low=1, integer=True), len(names))
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.2 * ncols, 2.4 * nrows),
        squeeze=False,
        sharex=True,
        layout="constrained",
    )
    for i, (ax, name) in enumerate(zip(axes.flat, names)):
        plot_activation(name, ax, **kwargs)
        bottom = i >= len(names) - ncols  # the lowest panel of its column
        ax.set_xlabel("z" if bottom else "")
        ax.tick_params(labelbottom=bottom)
        if i > 0:
            ax.get_legend().remove()  # one legend is enough: solid g(z), dashed g'(z)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    return fig


def plot_decision_boundary(model, X, y, ax=None, *, resolution=200):
    """Colour the plane by what ``model`` predicts; the 2-D points ``(X, y)`` go on top.

    Two classes: the shading is the predicted probability of class 1 and a black line
    marks 0.5, the decision boundary. More classes: each region takes its class's
    colour. The model runs in eval mode on the device of its parameters, on a
    ``resolution x resolution`` grid.

    Args:
        model: maps (N, 2) inputs to (N, C) logits (or (N, 1) / (N,) logits of class 1).
        X: inputs, shape (N, 2). y: integer labels, shape (N,).
        ax: the axes to draw on. Default: a new figure.
        resolution: grid points per axis. Default: 200.
    """
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {tuple(X.shape)}")
    if y.shape != X.shape[:1]:
        raise ValueError(
            f"y must have shape ({X.shape[0]},), one label per row of X, "
            f"got {tuple(y.shape)}"
        )
    resolution = check_number("resolution", resolution, low=2, high=2000, integer=True)
    parameter = next(iter(model.parameters()), None)
    device = parameter.device if parameter is not None else X.device
    dtype = (
        parameter.dtype
        if parameter is not None and parameter.is_floating_point()
        else torch.float32
    )
    X_cpu, y_cpu = X.detach().cpu().float(), y.detach().cpu()
    lo, hi = X_cpu.min(0).values, X_cpu.max(0).values
    pad = 0.1 * (hi - lo) + 1e-3
    u, v = torch.meshgrid(
        torch.linspace(float(lo[0] - pad[0]), float(hi[0] + pad[0]), resolution),
        torch.linspace(float(lo[1] - pad[1]), float(hi[1] + pad[1]), resolution),
        indexing="xy",
    )  # (R, R) each
    u_np, v_np = u.numpy(), v.numpy()
    grid = torch.stack([u.ravel(), v.ravel()], 1)  # (R*R, 2)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(grid.to(device=device, dtype=dtype)).float().cpu()  # (R*R, C)
    finally:
        model.train(was_training)
    ax = _axes(ax)
    if out.ndim == 1 or out.shape[1] <= 2:  # two classes: shade P(class 1)
        p = (
            torch.sigmoid(out.reshape(-1))
            if out.ndim == 1 or out.shape[1] == 1
            else out.softmax(1)[:, 1]
        )
        cmap = mpl.colors.LinearSegmentedColormap.from_list(
            "actlib", [COLORS[0], "#ffffff", COLORS[1]]
        )
        p = p.reshape(u.shape).numpy()
        ax.contourf(u_np, v_np, p, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.6)
        if p.min() < 0.5 < p.max():
            ax.contour(u_np, v_np, p, levels=[0.5], colors="k", linewidths=1)
        colors = [COLORS[int(c) % 2] for c in y_cpu]
    else:  # C classes: colour each region by its class
        n = out.shape[1]
        pred = out.argmax(1).reshape(u.shape).numpy()
        palette = [COLORS[c % len(COLORS)] for c in range(n)]
        ax.contourf(
            u_np, v_np, pred, levels=np.arange(n + 1) - 0.5, colors=palette, alpha=0.3
        )
        colors = [palette[int(c) % n] for c in y_cpu]
    ax.scatter(
        X_cpu[:, 0].numpy(),
        X_cpu[:, 1].numpy(),
        c=colors,
        s=12,
        edgecolors="white",
        linewidths=0.4,
    )
    ax.set(
        xlabel="$x_1$",
        ylabel="$x_2$",
        xlim=(u_np.min(), u_np.max()),
        ylim=(v_np.min(), v_np.max()),
    )
    ax.grid(False)
    return ax


def plot_history(history, ax=None):
    """The loss of every step (left axis) and the accuracy of each epoch (right axis).

    Args:
        history: what :func:`actlib.fit` returns (``step_loss``, ``train_acc``,
            ``val_acc``, ...).
        ax: the axes for the loss. Default: a new figure. The accuracies go on a
            twin axis.
    """
    for field in ("step_loss", "train_acc", "val_acc"):
        if not hasattr(history, field):
            raise TypeError(
                "history must be the History that actlib.fit returns "
                f"(with .{field}), got {history!r}"
            )
    ax = _axes(ax)
    loss = np.asarray(history.step_loss, dtype=float)
    finite = np.isfinite(loss)
    steps = np.arange(1, len(loss) + 1)
    ax.plot(
        steps,
        np.where(finite, loss, np.nan),
        color=COLORS[0],
        lw=1,
        label="loss (each step)",
    )
    if len(loss) and not finite.all():
        first = int(np.argmin(finite))
        ax.axvline(
            steps[first],
            color=COLORS[3],
            ls=":",
            label=f"non-finite loss (step {steps[first]})",
        )
    ax.set(xlabel="step", ylabel="loss")
    handles, labels = ax.get_legend_handles_labels()
    if history.train_acc:
        steps_per_epoch = len(loss) / len(history.train_acc)
        # the step ending each epoch
        epochs = steps_per_epoch * np.arange(1, len(history.train_acc) + 1)
        right = ax.twinx()
        right.plot(
            epochs,
            history.train_acc,
            "o-",
            color=COLORS[1],
            ms=3,
            label="train accuracy",
        )
        if history.val_acc:
            right.plot(
                epochs[: len(history.val_acc)],
                history.val_acc,
                "s--",
                color=COLORS[2],
                ms=3,
                label="validation accuracy",
            )
        right.set(ylabel="accuracy", ylim=(0, 1.02))
        right.grid(False)
        right.spines["right"].set_visible(True)
        more_handles, more_labels = right.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=len(labels),
        frameon=False,
        borderaxespad=0.2,
    )
    return ax


def plot_layer_stats(rows, ax=None, *, key="std"):
    """One bar per layer of a statistic from :func:`actlib.layer_stats`.

    Several keys give groups of bars, one group per layer.

    Args:
        rows: the list of dicts ``layer_stats`` returns (``layer``, ``name``, ``mean``,
            ``std``, ``saturated``, ``dead``, ``grad_norm``).
        ax: the axes to draw on. Default: a new figure.
        key: the statistic, or a list of them. Default: ``"std"``, the spread of each
            layer's activations (it shrinks or explodes with depth under a bad
            initialisation).
    """
    if (
        not isinstance(rows, (list, tuple))
        or not rows
        or not all(isinstance(r, dict) for r in rows)
    ):
        raise ValueError(
            "rows must be the non-empty list of dicts that actlib.layer_stats "
            f"returns, got {rows!r}"
        )
    stats = [k for k in rows[0] if k not in ("layer", "name")]
    keys = [key] if isinstance(key, str) else list(key)
    if not keys:
        raise ValueError(f"key must name at least one statistic; choose from {stats}")
    for k in keys:
        check_choice("key", k, stats)
        if any(r[k] is None for r in rows):
            raise ValueError(
                f"key={k!r} is None in the rows: "
                "call actlib.layer_stats(model, X, y) with y to get gradient norms"
            )
    ax = _axes(ax)
    layers = np.arange(len(rows))
    width = 0.8 / len(keys)
    for i, k in enumerate(keys):
        ax.bar(
            layers + (i - (len(keys) - 1) / 2) * width,
            [float(r[k]) for r in rows],
            width,
            color=COLORS[i % len(COLORS)],
            label=k,
        )
    ax.set_xticks(layers, [f"{r['layer']}\n{r['name']}" for r in rows])
    ax.set(xlabel="layer", ylabel=keys[0] if len(keys) == 1 else "value")
    if len(keys) > 1:
        ax.legend()
    ax.grid(False, axis="x")
    return ax
