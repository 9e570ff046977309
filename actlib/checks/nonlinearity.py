"""The checks of chapter "Why non-linearity" (``chapters/nonlinearity.ipynb``).

Exercises: the best line on XOR (predict), the plateaus of a step unit's loss
(predict), which networks are affine on their data (diagnose), XOR from two ReLUs
(design), the hat from three ReLUs, and x² as the maximum of k tangent lines.
"""

import torch
from torch import nn

from .core import DTYPE, check_prediction
from .registry import Exercise, Mistake

__all__ = [
    "check_line_accuracy",
    "check_count_plateaus",
    "check_is_affine",
    "check_xor_relu",
    "check_hat",
    "check_maxout_square",
]


def _needs_function(f, name, args):
    if not callable(f):
        raise TypeError(
            f"{name} must be a function (write `def {name}({args}):` and pass its name "
            f"without calling it), got {type(f).__name__}"
        )


# ------------------------------------------------------------ the best line on XOR


def _line_accuracy(X, y, w, b):
    return ((X @ w + b > 0).to(torch.long) == y).to(DTYPE).mean()


def _line_inputs():
    gen = torch.Generator().manual_seed(0)
    corners = torch.tensor(
        [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=DTYPE
    )
    xor = torch.tensor([0, 1, 1, 0])
    X = torch.randn(50, 2, generator=gen, dtype=DTYPE)
    y = torch.randint(0, 2, (50,), generator=gen)
    one = torch.tensor([1.0, 1.0], dtype=DTYPE)
    return [
        (corners, xor, one, torch.tensor(-0.5, dtype=DTYPE)),  # 3 of 4
        (corners, xor, one, torch.tensor(-1.0, dtype=DTYPE)),  # two corners on it
        (corners, xor, torch.tensor([1.0, -1.0], dtype=DTYPE), torch.tensor(0.0)),
        (X, y, torch.tensor([0.3, -2.0], dtype=DTYPE), torch.tensor(0.1)),
    ]


_LINE_ACCURACY = Exercise(
    reference=_line_accuracy,
    inputs=_line_inputs,
    mistakes=(
        Mistake(
            lambda X, y, w, b: ((X @ w + b >= 0).long() == y).to(DTYPE).mean(),
            "a point exactly on the line (w·x + b = 0) belongs to class 0: use > 0, "
            "not >= 0.",
        ),
        Mistake(
            lambda X, y, w, b: ((X @ w + b > 0).long() == y).to(DTYPE).sum(),
            "return the fraction of points classified right (the mean), not their "
            "count.",
        ),
        Mistake(
            lambda X, y, w, b: ((X @ w + b < 0).long() == y).to(DTYPE).mean(),
            "the rule says 1 on the side where w·x + b > 0: you swapped the sides.",
        ),
    ),
)


@_LINE_ACCURACY.register
def check_line_accuracy(line_accuracy, prediction=None):
    """Exercise ``nl-ex-best-line`` (chapter "Why non-linearity"), predict-then-verify.

    ``line_accuracy(X, y, w, b)`` must return the fraction of rows of ``X`` for which
    ``1[w·x + b > 0]`` equals ``y``. ``prediction`` is the reader's guess, made before
    the search, of the best accuracy a line reaches on the four XOR corners: accepted
    in [0.74, 0.76] (a line gets 3 of the 4 corners right, never 4).
    """
    _needs_function(line_accuracy, "line_accuracy", "X, y, w, b")
    _LINE_ACCURACY.run(
        line_accuracy,
        name="line_accuracy",
        arg_names=["X", "y", "w", "b"],
        atol=1e-9,
        against="a direct count",
        note="points on the line included",
        hint="predict 1 where X @ w + b > 0, compare with y, and average: "
        "((X @ w + b > 0).long() == y).float().mean().",
    )
    check_prediction(
        prediction,
        name="the best line's accuracy on the XOR corners",
        low=0.74,
        high=0.76,
        hints=(
            (
                (0.0, 0.55),
                "a line can do better than a coin on XOR: x1 + x2 < 1.5 puts (1, 1) on "
                "one side and the three other corners on the other, 3 of 4 right.",
            ),
            (
                (0.95, 1.0),
                "no line gets all four: (0, 0) and (1, 1) have the same midpoint, "
                "(0.5, 0.5), as (0, 1) and (1, 0). A side of a line that holds two "
                "points holds their midpoint, so (0.5, 0.5) would lie on both sides.",
            ),
            ((2.0, 4.0), "give a fraction of the four corners, not a count."),
        ),
        hint="try to cut off one corner with a line: how many of the four are right?",
    )


# ------------------------------------------------- the plateaus of a step unit's loss


def _count_plateaus(losses):
    return 1 + (losses[1:] != losses[:-1]).sum()


def _plateau_inputs():
    gen = torch.Generator().manual_seed(0)
    steps = torch.randint(0, 3, (40,), generator=gen).to(DTYPE) / 4
    return [
        torch.tensor([0.5, 0.5, 0.3, 0.3, 0.5, 0.5], dtype=DTYPE),  # back to 0.5
        torch.tensor([0.2, 0.2, 0.2], dtype=DTYPE),  # one plateau
        torch.tensor([0.4, 0.3, 0.2, 0.1], dtype=DTYPE),  # every value its own
        steps,
    ]


_COUNT_PLATEAUS = Exercise(
    reference=_count_plateaus,
    inputs=_plateau_inputs,
    mistakes=(
        Mistake(
            lambda losses: losses.unique().numel(),
            "distinct values are not plateaus: the loss can come back to a value it "
            "had before, on another plateau. Count the places where it changes, + 1.",
        ),
        Mistake(
            lambda losses: (losses[1:] != losses[:-1]).sum(),
            "that counts the jumps; the jumps cut the curve into one piece more.",
        ),
        Mistake(
            lambda losses: (losses[1:] == losses[:-1]).sum(),
            "that counts the flat intervals of the grid; a plateau is a whole run of "
            "equal values.",
        ),
    ),
)


@_COUNT_PLATEAUS.register
def check_count_plateaus(count_plateaus, prediction=None):
    """Exercise ``nl-ex-plateaus`` (chapter "Why non-linearity"), predict-then-verify.

    ``count_plateaus(losses)`` must return the number of maximal runs of equal
    consecutive values of a 1-D tensor. ``prediction`` is the reader's guess of the
    largest number of plateaus that a step unit's loss over N = 10 points can have
    along one weight: accepted 11 (N + 1; each point flips once).
    """
    _needs_function(count_plateaus, "count_plateaus", "losses")
    _COUNT_PLATEAUS.run(
        count_plateaus,
        name="count_plateaus",
        arg_names=["losses"],
        atol=0,
        against="a count of runs",
        note="a loss that returns to an earlier value included",
        hint="a new plateau starts wherever a value differs from the one before: "
        "1 + (losses[1:] != losses[:-1]).sum().",
    )
    check_prediction(
        prediction,
        name="the number of plateaus for N = 10 points",
        low=10.5,
        high=11.5,
        hints=(
            (
                (0.0, 2.5),
                "the step unit has two outputs, but the loss is an average over 10 "
                "points, and each point flips at its own value of w1.",
            ),
            (
                (9.5, 10.5),
                "10 points flip at 10 values of w1: 10 cuts make 11 pieces.",
            ),
        ),
        hint="as w1 slides, point n flips once, where w1 x_n1 + w2 x_n2 + b = 0: how "
        "many pieces do 10 cuts make?",
    )


# ------------------------------------------------------ which networks are affine


def _mystery_points():
    """200 points of the circles problem, float64: where the networks are looked at."""
    from ..data import circles

    X, _ = circles(n=200, noise=0.1, seed=0)
    return X.to(DTYPE)


def mystery_networks():
    """Four float64 networks for exercise ``nl-ex-affine``, named "a" to "d".

    Each maps (N, 2) to (N, 2), as the chapter's classifiers do. Which of them are
    affine on the circles points is the exercise.
    """
    from ..models import mlp

    def net(activation, seed, bias1=None, bias2=None, bias3=0.1):
        n = mlp(
            [2, 16, 16, 2], activation, generator=torch.Generator().manual_seed(seed)
        )
        n = n.to(DTYPE)
        with torch.no_grad():
            linears = [m for m in n if isinstance(m, nn.Linear)]
            if bias1 is not None:
                linears[0].bias.fill_(bias1)
            if bias2 is not None:
                linears[1].bias.fill_(bias2)
            linears[2].bias.fill_(bias3)
        return n.requires_grad_(False)

    return {
        "a": net("relu", 1, bias1=50.0, bias2=500.0),  # every unit active: affine
        "b": net("tanh", 2),
        "c": net("relu", 3, bias1=-50.0),  # every unit dead: a constant
        "d": net("relu", 4),
    }


def _is_affine(f, x):
    """Least squares: the best affine map misses f(x) by a relative 1e-6 at most."""
    y = f(x).detach()
    A = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1)  # (N, 3)
    fit = A @ torch.linalg.lstsq(A, y).solution
    return bool((fit - y).norm() <= 1e-6 * y.norm().clamp(min=1e-12))


def _affine_cases():
    """The four mystery networks and a linear one (the tanh net's layers, no biases)."""
    nets = mystery_networks()
    linears = [m for m in nets["b"] if isinstance(m, nn.Linear)]
    linear = nn.Sequential(
        *(nn.Linear(m.in_features, m.out_features).to(DTYPE) for m in linears)
    )
    with torch.no_grad():
        for new, old in zip(linear, linears):
            new.weight.copy_(old.weight)
            new.bias.zero_()
    return [*nets.values(), linear.requires_grad_(False)]


_IS_AFFINE = Exercise(
    reference=_is_affine,
    inputs=lambda: [(f, _mystery_points()) for f in _affine_cases()],
    mistakes=(
        Mistake(
            lambda f, x: bool(
                torch.allclose(f(x[:-1] + x[1:]), f(x[:-1]) + f(x[1:]), atol=1e-9)
            ),
            "f(x + x') = f(x) + f(x') tests a linear map, and counts an affine map's "
            "bias twice. Test midpoints, f((x + x')/2) = (f(x) + f(x'))/2, or fit the "
            "best affine map by least squares.",
        ),
        Mistake(
            lambda f, x: not any(isinstance(m, (nn.ReLU, nn.Tanh)) for m in f),
            "a network with ReLU layers can still be affine on the data: if every unit "
            "is active on every point (or every unit is dead), no ReLU ever bends. "
            "Test what the network computes, not its layers' names.",
        ),
        Mistake(
            lambda f, x: bool(
                (
                    torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1)
                    @ torch.linalg.lstsq(
                        torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1), f(x)
                    ).solution
                    - f(x)
                )
                .abs()
                .max()
                == 0
            ),
            "floats round: an affine network misses its own best fit by about 1e-15, "
            "not 0. Compare the misfit with a small tolerance (relative 1e-6).",
        ),
    ),
)


@_IS_AFFINE.register
def check_is_affine(is_affine):
    """Exercise ``nl-ex-affine`` (chapter "Why non-linearity"), diagnose.

    ``is_affine(f, x)`` must say (True or False) whether the network ``f`` computes an
    affine map on the points ``x`` (N, 2); the check runs it on the four mystery
    networks and on one more, all in float64, where each answer holds with a wide
    margin (a relative misfit below 1e-12 or above 1e-2).
    """
    _needs_function(is_affine, "is_affine", "f, x")
    cases = _affine_cases()

    def as_number(fn):
        def apply(i):
            out = fn(cases[i], _mystery_points())
            if torch.is_tensor(out) and out.numel() == 1:
                out = bool(out)
            if not isinstance(out, bool):
                raise TypeError(
                    f"is_affine must return True or False, got {type(out).__name__}"
                )
            return torch.tensor(float(out), dtype=DTYPE)

        return apply

    _IS_AFFINE.run(
        is_affine,
        adapt=as_number,
        inputs=list(range(len(cases))),
        name="is_affine",
        arg_names=["network"],
        atol=0,
        against="a least-squares test",
        note="on the four mystery networks and one more",
        hint="fit the best affine map to the outputs, with a column of ones for the "
        "bias (torch.linalg.lstsq), and compare the misfit with a small tolerance.",
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
