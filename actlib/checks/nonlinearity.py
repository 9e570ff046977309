"""The checks of chapter "Why non-linearity" (``chapters/nonlinearity.ipynb``).

Exercises: a stack of linear layers collapses to one, XOR from two ReLUs, the hat from
three ReLUs, and x² as the maximum of k tangent lines.
"""

import torch

from .core import DTYPE
from .registry import Exercise, Mistake

__all__ = ["check_collapse", "check_xor_relu", "check_hat", "check_maxout_square"]


def _affine_stack(weights, biases):
    """The single (W, b) of x -> W_L(...(W_1 x + b_1)...) + b_L, multiplied out."""
    W, b = weights[0], biases[0]
    for W_l, b_l in zip(weights[1:], biases[1:]):
        W, b = W_l @ W, W_l @ b + b_l
    return W, b


def _collapse_cases():
    """Four stacks ``(weights, biases)`` of 1 to 4 layers, each with inputs ``x``.

    The layers are square (width 3), so that every slip runs.
    """
    gen = torch.Generator().manual_seed(0)
    cases = []
    for sizes in ([3, 3, 3, 3, 3], [3, 3, 3, 3], [3, 3], [3, 3, 3]):
        weights = [
            torch.randn(d_out, d_in, generator=gen, dtype=DTYPE)
            for d_in, d_out in zip(sizes, sizes[1:])
        ]
        biases = [torch.randn(d_out, generator=gen, dtype=DTYPE) for d_out in sizes[1:]]
        x = torch.randn(20, sizes[0], generator=gen, dtype=DTYPE)  # (N, d_in)
        cases.append((weights, biases, x))
    return cases


_COLLAPSE = Exercise(
    reference=_affine_stack,
    inputs=lambda: [(weights, biases) for weights, biases, _ in _collapse_cases()],
    mistakes=(
        Mistake(
            lambda ws, bs: (_affine_stack(ws, bs)[0], sum(bs)),
            "each bias is multiplied by every later weight matrix: b <- W_l b + b_l, "
            "not b + b_l.",
        ),
        Mistake(
            lambda ws, bs: (_affine_stack(ws, bs)[0], bs[-1]),
            "the earlier biases do not vanish: each one passes through the later "
            "layers (b <- W_l b + b_l).",
        ),
        Mistake(
            lambda ws, bs: _affine_stack(ws[::-1], bs[::-1]),
            "the first layer acts first, so its matrix stands on the right: "
            "W = W_L ... W_2 W_1.",
        ),
    ),
)


@_COLLAPSE.register
def check_collapse(collapse):
    """Exercise ``nl-ex-collapse`` (chapter "Why non-linearity").

    ``collapse(weights, biases)`` must return the ``(W, b)`` of the one affine map that
    a stack of linear layers ``a -> W_l a + b_l`` computes; the check compares
    ``x @ W.T + b`` with the stack's output on random inputs, for four stacks of 1 to 4
    layers of width 3 (numbered 0 to 3 in messages).
    """
    if not callable(collapse):
        raise TypeError(
            f"collapse must be a function (write `def collapse(weights, biases):` and "
            f"pass its name without calling it), got {type(collapse).__name__}"
        )
    cases = _collapse_cases()

    def through(fn):
        """fn(weights, biases) -> (x, i) -> x @ W.T + b for the stack number i."""

        def apply(x, i):
            weights, biases, _ = cases[i]
            out = fn([w.clone() for w in weights], [v.clone() for v in biases])
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError(
                    "collapse must return two things, the matrix W and the vector b: "
                    "`return W, b`"
                )
            W, b = (torch.as_tensor(v, dtype=DTYPE) for v in out)
            return x @ W.T + b  # (N, d_in) x (d_in, d_out) -> (N, d_out)

        return apply

    _COLLAPSE.run(
        collapse,
        adapt=through,
        inputs=[(x, i) for i, (_, _, x) in enumerate(cases)],
        name="collapse",
        arg_names=["x", "stack"],
        atol=1e-9,
        rtol=1e-9,
        against="four stacks of 1 to 4 linear layers",
        hint="go through the layers in order and keep (W, b) of the map so far: a new "
        "layer a -> W_l a + b_l turns it into (W_l W, W_l b + b_l).",
    )


def _xor_inputs():
    corners = torch.tensor(
        [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=DTYPE
    )
    return [corners, corners[[3, 2, 1, 0, 0]]]


_XOR_RELU = Exercise(
    reference=lambda x: (x[:, 0] != x[:, 1]).to(x.dtype),
    inputs=_xor_inputs,
    mistakes=(
        Mistake(
            lambda x: x[:, 0] + x[:, 1],
            "x1 + x2 is linear, and gives 2 at (1, 1): a line cannot drop back to 0. "
            "Put a ReLU with a kink at x1 + x2 = 1 in between, and subtract it twice.",
        ),
        Mistake(
            lambda x: torch.relu(x[:, 0] + x[:, 1]) - torch.relu(x[:, 0] + x[:, 1] - 1),
            "h1 - h2 is 1 at (1, 1): it flattens out instead of coming down. Subtract "
            "the second unit twice.",
        ),
        Mistake(
            lambda x: (x[:, 0] == x[:, 1]).to(x.dtype),
            "that is XNOR (1 when the inputs are equal): XOR is 1 when they differ.",
        ),
    ),
)


@_XOR_RELU.register
def check_xor_relu(xor_relu):
    """Exercise ``nl-ex-xor-relu`` (chapter "Why non-linearity").

    ``xor_relu(x)`` must map each row of ``x`` in {0, 1}^2 to its XOR (0 or 1), shape
    ``(N, 2) -> (N,)``.
    """
    _XOR_RELU.run(
        xor_relu,
        name="xor_relu",
        arg_names=["x"],
        atol=1e-9,
        against="XOR",
        note="on the four corners of the square",
        hint="two hidden units h1 = relu(x1 + x2) and h2 = relu(x1 + x2 - 1) see the "
        "sum of the inputs; the output h1 - 2 h2 is 0, 1, 0 for sums 0, 1, 2.",
    )


_HAT = Exercise(
    # the closed form, not the ReLU construction the reader writes
    reference=lambda x: (1 - x.abs()).clamp(min=0),
    inputs=lambda: [
        torch.linspace(-3, 3, 601, dtype=DTYPE),
        torch.tensor([-1.0, 0.0, 1.0, 0.5, -0.25], dtype=DTYPE),
    ],
    mistakes=(
        Mistake(
            lambda x: torch.relu(x + 1) - torch.relu(x) - torch.relu(x - 1),
            "after x = 1 your curve keeps falling: the slope must change by -2 at x = "
            "0 (from +1 to -1) and by +1 at x = 1 (from -1 to 0).",
        ),
        Mistake(
            lambda x: torch.relu(x + 1) - torch.relu(x),
            "that ramp stays at 1 for x > 0: add the kinks at x = 0 (slope change -2) "
            "and x = 1 (+1).",
        ),
        Mistake(
            lambda x: 1 - x.abs(),
            "1 - |x| is right on [-1, 1] but negative outside: the hat is 0 there. "
            "Build it from ReLUs.",
        ),
    ),
)


@_HAT.register
def check_hat(hat):
    """Exercise ``nl-ex-hat`` (chapter "Why non-linearity").

    ``hat(x)`` must return the triangle of height 1 on [-1, 1] (0 outside),
    ``max(0, 1 - |x|)``, element-wise.
    """
    _HAT.run(
        hat,
        name="hat",
        arg_names=["x"],
        atol=1e-9,
        rtol=1e-9,
        against="the hat max(0, 1 - |x|)",
        note="x = -1, 0, 1 included",
        hint="the slope is 0, then +1 from x = -1, then -1 from x = 0, then 0 again "
        "from x = 1: a ReLU at each kink, weighted by how much the slope changes there "
        "(+1, -2, +1).",
    )


def _centres(k):
    """The centres t_i = -1 + (2i - 1)/k of k equal cells of [-1, 1]."""
    return -1 + (2 * torch.arange(1, k + 1, dtype=DTYPE) - 1) / k


def _maxout_square(x, k):
    t = _centres(k)
    return (2 * t[None, :] * x[:, None] - t[None, :] ** 2).amax(dim=1)  # (N, k) -> (N,)


def _ends(k):
    return torch.linspace(-1, 1, k, dtype=DTYPE)


_MAXOUT_SQUARE = Exercise(
    reference=_maxout_square,
    inputs=lambda: [
        (torch.linspace(-1, 1, 401, dtype=DTYPE), k) for k in (1, 2, 3, 4, 8)
    ],
    mistakes=(
        Mistake(
            lambda x, k: (
                2 * _centres(k)[None] * x[:, None] + _centres(k)[None] ** 2
            ).amax(1),
            "the tangent at t is f(t) + f'(t)(x - t) = t^2 + 2t(x - t) = 2t x - t^2: "
            "the constant is -t^2.",
        ),
        Mistake(
            lambda x, k: (
                2 * _centres(k)[None] * x[:, None] - _centres(k)[None] ** 2
            ).amin(1),
            "a Maxout unit keeps the largest piece (amax), not the smallest.",
        ),
        Mistake(
            lambda x, k: (2 * _ends(k)[None] * x[:, None] - _ends(k)[None] ** 2).amax(
                1
            ),
            "put the tangent points at the centres of the k cells, t_i = -1 + (2i - "
            "1)/k, not at the ends of [-1, 1].",
        ),
    ),
)


@_MAXOUT_SQUARE.register
def check_maxout_square(maxout_square):
    """Exercise ``nl-ex-maxout-square`` (chapter "Why non-linearity").

    ``maxout_square(x, k)`` must return the maximum of the k tangent lines of x^2 at the
    centres t_i = -1 + (2i - 1)/k of k equal cells of [-1, 1], element-wise in ``x``.
    """
    _MAXOUT_SQUARE.run(
        maxout_square,
        name="maxout_square",
        arg_names=["x", "k"],
        atol=1e-9,
        rtol=1e-9,
        against="the maximum of k tangent lines",
        note="k = 1, 2, 3, 4, 8",
        hint="the tangent of x^2 at t is t^2 + 2t(x - t) = 2t x - t^2; the points are "
        "t_i = -1 + (2i - 1)/k for i = 1..k; return the largest of the k lines at "
        "every x.",
    )
