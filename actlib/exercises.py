"""Checks for the exercises of the book: each one says "Correct" or explains what is wrong.

An exercise cell ends with a check such as ``actlib.check_sigmoid_grad(sigmoid_grad)``. The check
runs the reader's answer on many inputs, edge cases included (``z = 0``, ``|z|`` up to ``1e4``),
compares it with an oracle (torch, or actlib where torch has no such function), and then either
prints one short line::

    Correct: sigmoid_grad matches torch's autograd on 1,008 inputs, z = 0 and |z| = 1e4 included.

or raises :class:`ExerciseError` (an ``AssertionError``) whose message names the input where the
answer went wrong, the value expected there, the value it got, and a hint. Where a mistake is
common (``z * (1 - z)`` instead of ``σ(z)(1 - σ(z))``), the hint names that mistake.

Two generic helpers, :func:`check_function` and :func:`check_value`, do the work; each chapter's
checks are thin wrappers around them. Instructors can use the helpers for exercises of their own.

Chapter "Activation functions" (``chapters/activations.ipynb``):
:func:`check_sigmoid_grad`, :func:`check_tanh_from_sigmoid`, :func:`check_elu_grad`,
:func:`check_sigmoid_depth`, :func:`check_maxout_params`, :func:`check_logsumexp`.
"""
import inspect
import math
import numbers

import torch
import torch.nn.functional as F

__all__ = [
    "ExerciseError",
    "check_function",
    "check_value",
    "check_sigmoid_grad",
    "check_tanh_from_sigmoid",
    "check_elu_grad",
    "check_sigmoid_depth",
    "check_maxout_params",
    "check_logsumexp",
]

_DTYPE = torch.float64  # answers are compared in double precision, so rounding never fails a check


class ExerciseError(AssertionError):
    """An answer to an exercise is wrong; the message says where, what was expected, and a hint."""


# ----------------------------------------------------------------------------- generic helpers


def _as_args(case):
    """An input case is a tensor or number (one argument) or a tuple of positional arguments."""
    return tuple(case) if isinstance(case, tuple) else (case,)


def _clone(arg):
    return arg.clone() if torch.is_tensor(arg) else arg


def _to_tensor(value, what, returned=True):
    """The answer's output as a float64 tensor, or an ExerciseError saying why it cannot be one.

    ``what`` names the function (``returned=True``) or the value (``returned=False``) in messages.
    """
    verb = "returned" if returned else "is"
    if value is None:
        fix = "did you forget the `return` statement?" if returned else "did you assign it?"
        raise ExerciseError(f"{what} {verb} None: {fix}")
    if isinstance(value, bool):
        raise ExerciseError(f"{what} {verb} {value!r}, a truth value; a number or a tensor was expected.")
    try:
        if torch.is_tensor(value):
            return value.detach().to("cpu", _DTYPE)
        return torch.as_tensor(value, dtype=_DTYPE)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ExerciseError(
            f"{what} {verb} a {type(value).__name__} ({value!r:.60}); a number or a tensor was expected."
        ) from err


def _fmt(x):
    """A short, readable form of a number or a small tensor for messages."""
    if torch.is_tensor(x):
        if x.dim() == 0:
            x = x.item()
        elif x.numel() <= 8:
            return "[" + ", ".join(_fmt(v) for v in x.tolist()) + "]"
        else:
            return f"a tensor of shape {tuple(x.shape)}"
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    if isinstance(x, bool) or not isinstance(x, numbers.Number):
        return repr(x)
    if isinstance(x, numbers.Integral) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e6):
        return f"{int(x)}"
    return f"{x:.4g}"


def _arg_names(reference, arg_names, n):
    if arg_names is not None:
        return list(arg_names)[:n] + [f"arg{i}" for i in range(len(arg_names), n)]
    try:
        params = [p.name for p in inspect.signature(reference).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = params[:n] if len(params) >= n else ["z"] + [f"arg{i}" for i in range(1, n)]
    return names


def _where(args, names, index, out_shape):
    """Describe the input at which output element ``index`` went wrong, e.g. 'z = 10, alpha = 0.5'."""
    parts = []
    for name, arg in zip(names, args):
        if torch.is_tensor(arg) and arg.dim() > 0:
            if tuple(arg.shape) == tuple(out_shape) or tuple(arg.shape[:-1]) == tuple(out_shape):
                arg = arg[index]  # element-wise: the one entry; a reduction over the last dim: the row
            if arg.numel() > 8:
                parts.append(f"{name} of shape {tuple(arg.shape)}")
                continue
        parts.append(f"{name} = {_fmt(arg)}")
    return ", ".join(parts)


def _matches_mistake(results, wrong, atol, rtol):
    """Whether the answer is the known mistake ``wrong`` on every input, up to a few overflows.

    A mistake written with a naive formula often overflows at the extremes (``exp(1e4) = inf``, then
    ``inf / inf = nan``) where the clean form of the same mistake does not. Such entries (the answer
    not finite, the mistake different) are excused, so the hint still names the mistake, as long as
    they are at most 10% of the values: an answer that is ``nan`` almost everywhere matches no mistake.
    """
    n_excused = n_all = 0
    for args, _, got in results:
        expected = _to_tensor(wrong(*(_clone(a) for a in args)), "mistake")
        if got.shape != expected.shape:
            return False
        close = torch.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
        excused = ~close & ~torch.isfinite(got)
        if not bool((close | excused).all()):
            return False
        n_excused, n_all = n_excused + int(excused.sum()), n_all + close.numel()
    return n_excused <= 0.1 * n_all


def check_function(answer, reference, inputs, *, name, hint, atol=1e-6, rtol=1e-5,
                   against="the reference", mistakes=(), arg_names=None, note=""):
    """Check that ``answer`` computes the same values as ``reference`` on every input case.

    Each case in ``inputs`` is one call: a tensor or number is passed as the only argument, a tuple
    as the positional arguments. The answer gets its own copy of each tensor, so an answer that
    changes its input in place cannot spoil the reference. Outputs are compared in float64 with
    ``torch.isclose(got, expected, rtol=rtol, atol=atol)`` and must have the reference's shape.

    Args:
        answer: the reader's function.
        reference: the oracle (torch, actlib or a closed form).
        inputs: a non-empty list of cases.
        name: the function's name in messages (``"sigmoid_grad"``).
        hint: the nudge shown when the answer is wrong.
        atol, rtol: tolerances. Default: 1e-6, 1e-5.
        against: what the reference is, for the confirmation (``"torch.tanh"``).
        mistakes: pairs ``(wrong_function, message)``: when the answer matches a known wrong
            function on every input, the message replaces the generic hint.
        arg_names: names of the arguments in messages. Default: the reference's parameter names.
        note: appended to the confirmation (``"z = 0 included"``).

    Raises:
        TypeError: ``answer`` or ``reference`` is not callable, or ``inputs`` is not a list of cases.
        ExerciseError: the answer is wrong (the message holds the input, the values and the hint).

    Example::

        >>> check_function(lambda z: z.clamp(min=0), torch.relu, [torch.linspace(-3, 3, 7)],
        ...                name="relu", hint="max(0, z)")
        Correct: relu matches the reference on 7 inputs.
    """
    if not callable(answer):
        raise TypeError(
            f"{name} must be a function (write `def {name}(...):` and pass its name without "
            f"calling it), got {type(answer).__name__} {answer!r:.60}"
        )
    if not callable(reference):
        raise TypeError(f"reference must be callable, got {type(reference).__name__}")
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"inputs must be a list of input cases, got {type(inputs).__name__}")
    cases = [_as_args(case) for case in inputs]
    if not cases:
        raise ValueError("inputs is empty: give at least one input case")

    results = []  # (args, expected, got-or-error)
    for args in cases:
        expected = _to_tensor(reference(*(_clone(a) for a in args)), "the reference")
        try:
            raw = answer(*(_clone(a) for a in args))
        except NotImplementedError as err:
            raise ExerciseError(f"{name} is not written yet (it raised NotImplementedError). Hint: {hint}") from err
        except Exception as err:
            names = _arg_names(reference, arg_names, len(args))
            raise ExerciseError(
                f"{name} raised {type(err).__name__}: {err} (on input {_where(args, names, (), ())}). "
                f"Hint: {hint}"
            ) from err
        results.append((args, expected, _to_tensor(raw, name)))

    elementwise = all(torch.is_tensor(args[0]) and args[0].dim() > 0 and args[0].shape == expected.shape
                      for args, expected, _ in results)
    for args, expected, got in results:
        names = _arg_names(reference, arg_names, len(args))
        if got.shape != expected.shape:
            raise ExerciseError(
                f"{name} returned shape {tuple(got.shape)} for the input {_where(args, names, (), ())}; "
                f"expected shape {tuple(expected.shape)}. "
                + (f"Work element-wise: one output per entry of {names[0]}, no sum or mean. " if elementwise else "")
                + f"Hint: {hint}"
            )

    for args, expected, got in results:
        close = torch.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
        if bool(close.all()):
            continue
        names = _arg_names(reference, arg_names, len(args))
        bad = (~close).nonzero()[0]
        index = tuple(bad.tolist())
        n_bad, n_all = int((~close).sum()), close.numel()
        where = _where(args, names, index, expected.shape)
        e, g = expected[index].item(), got[index].item()
        message = hint
        for wrong, why in mistakes:
            try:
                if _matches_mistake(results, wrong, atol, rtol):
                    message = why
                    break
            except Exception:  # a known mistake that cannot run on these inputs is simply not this one
                continue
        overflow = ""
        if not math.isfinite(g) and math.isfinite(e):
            overflow = (f" {g} is not a finite number: an exp() overflowed to inf or underflowed to 0 "
                        f"(then log 0 = -inf, inf/inf = nan, inf - inf = nan).")
        count = f" ({n_bad:,} of {n_all:,} values are wrong)" if n_all > 1 else ""
        shown_e, shown_g = _fmt(e), _fmt(g)
        if shown_e == shown_g:  # close but not close enough: show all the digits
            shown_e, shown_g = f"{e:.12g}", f"{g:.12g}"
        raise ExerciseError(
            f"{name} is wrong at {where}: expected {shown_e}, got {shown_g}{count}.{overflow} Hint: {message}"
        )

    n = sum(max(expected.numel(), 1) for _, expected, _ in results)
    print(f"Correct: {name} matches {against} on {n:,} input{'s' if n != 1 else ''}"
          f"{', ' + note if note else ''}.")


def check_value(answer, expected, *, name, hint, atol=1e-8, rtol=1e-6):
    """Check a number (or tensor) the reader computed against the expected one.

    The message of a wrong answer gives the hint but not the expected value, so the check cannot be
    used to read off the answer.

    Args:
        answer: the reader's value (a number, or a tensor / array of the expected shape).
        expected: the right value.
        name: what the value is, for messages (``"L"``).
        hint: the nudge shown when the answer is wrong.
        atol, rtol: tolerances of ``torch.isclose``. Default: 1e-8, 1e-6.

    Raises:
        ExerciseError: the answer is missing, not a number, of the wrong shape, or wrong.

    Example::

        >>> check_value(0.25, 1 / 4, name="the largest value of σ'", hint="σ'(0) = σ(0)(1 - σ(0))")
        Correct: the largest value of σ' = 0.25.
    """
    got = _to_tensor(answer, name, returned=False)
    want = _to_tensor(expected, "the expected value", returned=False)
    if got.shape != want.shape:
        raise ExerciseError(f"{name} has shape {tuple(got.shape)}; expected shape {tuple(want.shape)}. Hint: {hint}")
    if not bool(torch.isclose(got, want, rtol=rtol, atol=atol).all()):
        raise ExerciseError(f"{name} = {_fmt(got)} is not right. Hint: {hint}")
    print(f"Correct: {name} = {_fmt(got)}.")


# ------------------------------------------------------------ chapter "Activation functions"


def _grid():
    """1,001 points on [-10, 10] (z = 0 among them) and the extremes ±20, ±100, ±1e4."""
    return [
        torch.linspace(-10, 10, 1001, dtype=_DTYPE),
        torch.tensor([0.0, 20.0, -20.0, 100.0, -100.0, 1e4, -1e4], dtype=_DTYPE),
    ]


def _autograd(f):
    """z -> f'(z) computed by torch's autograd, element by element (f acts element-wise)."""
    def grad(z, *params):
        z = z.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(z, *params).sum(), z)
        return g
    return grad


def check_sigmoid_grad(sigmoid_grad):
    """Exercise ``act-ex-sigmoid-grad`` (chapter "Activation functions").

    ``sigmoid_grad(z)`` must return σ'(z) = σ(z)(1 - σ(z)) element-wise; the oracle is torch's
    autograd of ``torch.sigmoid``.
    """
    sig = torch.sigmoid
    check_function(
        sigmoid_grad, _autograd(torch.sigmoid), _grid(), name="sigmoid_grad", arg_names=["z"],
        against="torch's autograd", atol=1e-9, rtol=1e-6, note="z = 0 and |z| = 1e4 included",
        hint="σ'(z) = σ(z)(1 − σ(z)): compute a = torch.sigmoid(z) first, then a * (1 - a). "
             "Check yourself: σ'(0) = 0.25 and σ'(±10) ≈ 4.5e-5.",
        mistakes=[
            (lambda z: z * (1 - z), "you applied a(1 − a) to z itself: first compute a = σ(z), then a * (1 - a)."),
            (sig, "you returned σ(z), not its derivative σ(z)(1 − σ(z))."),
            (lambda z: sig(z) * (1 + sig(z)), "check the sign: σ'(z) = σ(z)(1 − σ(z)), with a minus."),
        ],
    )


def check_tanh_from_sigmoid(tanh_from_sigmoid):
    """Exercise ``act-ex-tanh-sigmoid`` (chapter "Activation functions").

    ``tanh_from_sigmoid(z)`` must return 2σ(2z) - 1, which equals tanh(z); the oracle is
    ``torch.tanh``.
    """
    sig = torch.sigmoid
    check_function(
        tanh_from_sigmoid, torch.tanh, _grid(), name="tanh_from_sigmoid", arg_names=["z"],
        against="torch.tanh", atol=1e-9, rtol=1e-6, note="z = 0 and |z| = 1e4 included",
        hint="tanh(z) = 2σ(2z) − 1: double the input, apply torch.sigmoid, double the output, subtract 1.",
        mistakes=[
            (lambda z: 2 * sig(z) - 1, "2σ(z) − 1 is tanh(z/2): double the input too, 2σ(2z) − 1."),
            (lambda z: sig(2 * z), "σ(2z) lies in (0, 1); stretch it to (−1, 1): 2σ(2z) − 1."),
            (lambda z: -torch.tanh(z), "your function is −tanh(z): the leading minus sign (as in some "
                                       "lecture notes) is wrong; tanh(z) > 0 for z > 0."),
        ],
    )


def check_elu_grad(elu_grad):
    """Exercise ``act-ex-elu-grad`` (chapter "Activation functions").

    ``elu_grad(z, alpha)`` must return ELU's derivative: 1 for z > 0 and α·e^z for z ≤ 0 (at
    z = 0, torch's convention, the left piece: α). The oracle is torch's autograd of ``F.elu``.
    """
    grids = _grid()
    cases = [(z, alpha) for alpha in (1.0, 0.5, 2.0) for z in grids]
    check_function(
        elu_grad, _autograd(lambda z, alpha: F.elu(z, alpha=alpha)), cases, name="elu_grad",
        arg_names=["z", "alpha"], against="torch's autograd of F.elu", atol=1e-9, rtol=1e-6,
        note="for alpha = 1, 0.5 and 2, z = 0 included",
        hint="ELU'(z) = 1 for z > 0 and α·e^z for z ≤ 0 (at z = 0 use the left piece, α, as torch "
             "does). torch.where(z > 0, 1.0, alpha * torch.exp(z)) is one line.",
        mistakes=[
            (lambda z, alpha: F.elu(z, alpha=alpha), "you returned ELU(z) itself, not its derivative."),
            (lambda z, alpha: torch.where(z > 0, torch.ones_like(z), torch.exp(z)),
             "right for α = 1 only: the left piece is α·e^z; multiply by alpha."),
            (lambda z, alpha: (z > 0).to(z.dtype),
             "that is ReLU's derivative: for z ≤ 0 ELU's slope is α·e^z, never exactly 0."),
            (lambda z, alpha: torch.where(z >= 0, torch.ones_like(z), alpha * torch.exp(z)),
             "all right except at z = 0: use the left piece there (z ≤ 0 gives α), as torch does."),
        ],
    )


def _layers_below(eps):
    """The smallest number of layers L >= 1 with 0.25**L < eps (exact: powers of 1/4 are exact floats)."""
    layers = 1
    while 0.25**layers >= eps:
        layers += 1
    return layers


def check_sigmoid_depth(sigmoid_depth):
    """Exercise ``act-ex-sigmoid-depth`` (chapter "Activation functions").

    ``sigmoid_depth(eps)`` must return the smallest number of layers ``L >= 1`` for which the bound
    on the product of sigmoid derivatives, ``0.25**L``, is strictly below ``eps`` (0 < eps <= 1).
    """
    cases = [1e-6, 1e-3, 0.5, 0.25, 0.0625, 1e-12, 1.0]
    check_function(
        sigmoid_depth, _layers_below, cases, name="sigmoid_depth", arg_names=["eps"],
        against="a direct count", atol=0, rtol=0, note="eps = 0.25 (exactly 0.25¹) included",
        hint="multiply by 0.25 one layer at a time until the product is strictly below eps (a while "
             "loop), or use math.log with care: at eps = 0.25 one layer gives exactly 0.25, which is "
             "not below it.",
        mistakes=[
            (lambda eps: math.ceil(math.log(eps) / math.log(0.25)),
             "ceil(log(eps) / log(0.25)) is one short when eps is an exact power of 1/4 (eps = 0.25 "
             "needs 2 layers: 0.25¹ is not strictly below 0.25)."),
            (lambda eps: _layers_below(eps) - 1, "one layer short: 0.25**L must be strictly below eps."),
            (lambda eps: _layers_below(eps) + 1, "one layer too many: stop at the first L with 0.25**L < eps."),
        ],
    )


def _maxout_count(d_in, d_out, k):
    """Parameters of actlib.Maxout(d_in, d_out, k) (with biases), counted on the module itself."""
    from .activations import Maxout  # imported here: a chapter's helper, not a dependency of this module

    return sum(p.numel() for p in Maxout(d_in, d_out, k=k).parameters())


def check_maxout_params(maxout_params):
    """Exercise ``act-ex-maxout-params`` (chapter "Activation functions").

    ``maxout_params(d_in, d_out, k)`` must return the number of learned parameters (weights and
    biases) of a Maxout layer with ``k`` pieces; the oracle counts the parameters of
    ``actlib.Maxout(d_in, d_out, k=k)``.
    """
    cases = [(64, 32, 2), (2, 1, 2), (1, 1, 1), (10, 7, 3), (784, 100, 4), (64, 32, 1)]
    check_function(
        maxout_params, _maxout_count, cases, name="maxout_params", arg_names=["d_in", "d_out", "k"],
        against="the parameters of actlib.Maxout", atol=0, rtol=0,
        hint="a Maxout layer is k linear layers side by side: each has a (d_out, d_in) weight and "
             "d_out biases.",
        mistakes=[
            (lambda d_in, d_out, k: k * d_in * d_out, "count the biases too: each of the k pieces has d_out of them."),
            (lambda d_in, d_out, k: d_in * d_out + d_out,
             "that is one linear layer: each of the k pieces has its own weights and biases."),
            (lambda d_in, d_out, k: k * d_in * d_out + d_out,
             "each of the k pieces has its own d_out biases, not one shared set."),
        ],
    )


def check_logsumexp(logsumexp):
    """Exercise ``act-ex-logsumexp`` (chapter "Activation functions").

    ``logsumexp(z)`` must return log Σ_i exp(z_i) over the last dimension, without overflow or
    underflow (subtract the row's maximum first); the oracle is ``torch.logsumexp(z, dim=-1)``.
    """
    gen = torch.Generator().manual_seed(0)
    cases = [
        torch.tensor([1000.0, 0.0, -1000.0], dtype=_DTYPE),     # exp(1000) overflows
        torch.tensor([-1000.0, -1000.0], dtype=_DTYPE),         # exp(-1000) underflows to 0
        torch.tensor([[1000.0, 999.0], [-1000.0, -1001.0]], dtype=_DTYPE),  # one max per row
        3 * torch.randn(4, 10, generator=gen, dtype=_DTYPE),    # ordinary logits
        torch.tensor([5.0], dtype=_DTYPE),                      # one entry: log(e^5) = 5
        torch.tensor([0.0, 0.0, 0.0, 0.0], dtype=_DTYPE),       # log 4
    ]
    check_function(
        logsumexp, lambda z: torch.logsumexp(z, dim=-1), cases, name="logsumexp", arg_names=["z"],
        against="torch.logsumexp", atol=1e-9, rtol=1e-9,
        note="z = [1000, 0, -1000] and z = [-1000, -1000] included",
        hint="take m = the maximum of each row (z.max(dim=-1, keepdim=True).values) and return "
             "m + log Σ exp(z − m), with the last dimension summed away. Every exp(z − m) is at most 1, "
             "so nothing overflows, and the largest is exactly 1, so the sum is never 0.",
        mistakes=[
            (lambda z: torch.log(torch.exp(z).sum(-1)),
             "the naive formula log(Σ exp(z)) overflows (exp(1000) = inf) or underflows (log 0 = −inf): "
             "subtract the row's maximum m first and add it back: m + log Σ exp(z − m)."),
            (lambda z: z.max() + torch.log(torch.exp(z - z.max()).sum(-1)),
             "use each row's own maximum (z.max(dim=-1, keepdim=True)), not the maximum of the whole "
             "tensor: a row far below the global maximum underflows to log 0."),
            (lambda z: torch.log(torch.exp(z - z.max(-1, keepdim=True).values).sum(-1)),
             "you subtracted the maximum m but did not add it back: return m + log Σ exp(z − m)."),
        ],
    )


# ------------------------------------------------------------ chapter "Why non-linearity"
# (the checks of chapter "Why non-linearity" go here; add their names with `__all__ += [...]`)


# ------------------------------------------------------------ chapter "Zero-centring and data preprocessing"
# (the checks of chapter "Zero-centring and data preprocessing", and of the section "Dead ReLUs" of
# chapter "Activation functions", go here; add their names with `__all__ += [...]`)


# ------------------------------------------------------------ chapter "Weight initialisation"
# (the checks of chapter "Weight initialisation" go here; add their names with `__all__ += [...]`)


# ------------------------------------------------------------ chapter "Batch Normalisation"
# (the checks of chapter "Batch Normalisation" go here; add their names with `__all__ += [...]`)


# ------------------------------------------------------------ chapter "Hyperparameter search"
__all__ += ["check_log_uniform", "check_hit_probability", "check_kfold_sizes", "check_log_position"]


def _log_uniform_ref(u, low, high):
    return low * (high / low) ** u


def check_log_uniform(log_uniform):
    """Exercise ``hp-ex-log-uniform`` (chapter "Hyperparameter search").

    ``log_uniform(u, low, high)`` must map uniform numbers ``u`` in [0, 1] to samples spread evenly
    over the decades of [low, high]: ``10 ** (log10(low) + u * (log10(high) - log10(low)))``.
    """
    u = torch.linspace(0, 1, 11, dtype=_DTYPE)
    cases = [(u, 1e-4, 1.0), (u, 1e-6, 1e-1), (u, 0.5, 8.0), (u, 1e-3, 10.0)]
    check_function(
        log_uniform, _log_uniform_ref, cases, name="log_uniform", arg_names=["u", "low", "high"],
        against="10**(log10(low) + u * (log10(high) - log10(low)))", rtol=1e-6, atol=0,
        hint="draw the exponent uniformly: 10 ** (a + u * (b - a)) with a = log10(low), b = log10(high).",
        mistakes=[
            (lambda u, low, high: low + u * (high - low),
             "that is uniform on a linear scale: most samples land in the top decade. Interpolate the "
             "exponent, not the value."),
            (lambda u, low, high: 10 ** (u * (math.log10(high) - math.log10(low))),
             "the exponent must start at log10(low): add it, or u = 0 gives 1 instead of low."),
            (lambda u, low, high: 10 ** (math.log10(low) + u * math.log10(high)),
             "the exponent's range is log10(high) - log10(low), not log10(high)."),
        ],
    )


def _hit_ref(q, n):
    return 1 - (1 - q) ** n


def check_hit_probability(hit_probability):
    """Exercise ``hp-ex-hit`` (chapter "Hyperparameter search").

    ``hit_probability(q, n)``: the chance that at least one of ``n`` independent random trials lands
    in the best fraction ``q`` of the search space, :math:`1 - (1 - q)^n`.
    """
    cases = [(q, n) for q in (0.01, 0.05, 0.1, 0.5) for n in (1, 5, 20, 60)]
    check_function(
        hit_probability, _hit_ref, cases, name="hit_probability", arg_names=["q", "n"],
        against="1 - (1 - q)**n", atol=1e-9, rtol=1e-9,
        hint="compute the chance that all n trials miss the best region, then take its complement.",
        mistakes=[
            (lambda q, n: q * n, "adding the n chances counts twice the cases where two trials hit "
             "(and gives more than 1 for large n): use the chance that every trial misses."),
            (lambda q, n: (1 - q) ** n, "that is the chance that every trial misses: take 1 minus it."),
            (lambda q, n: 1 - q ** n, "q**n is the chance that every trial hits; each trial misses "
             "with probability 1 - q."),
        ],
    )


def _kfold_ref(n, k):
    from sklearn.model_selection import KFold  # the standard tool is the oracle

    return [len(test) for _, test in KFold(n_splits=k).split(range(n))]


def check_kfold_sizes(kfold_sizes):
    """Exercise ``hp-ex-kfold`` (chapter "Hyperparameter search").

    ``kfold_sizes(n, k)`` must return the validation-fold sizes of ``sklearn``'s ``KFold(k)`` on
    ``n`` examples: every fold gets ``n // k``, and the first ``n % k`` folds one more.
    """
    cases = [(10, 5), (1347, 5), (11, 3), (7, 7), (100, 8), (1010, 4)]
    check_function(
        kfold_sizes, _kfold_ref, cases, name="kfold_sizes", arg_names=["n", "k"],
        against="sklearn.model_selection.KFold", atol=0, rtol=0,
        hint="k folds of n // k examples leave n % k over: give one of them to each of the first folds.",
        mistakes=[
            (lambda n, k: [n // k] * k, "the folds must use every example: n % k are left over."),
            (lambda n, k: [n // k] * (k - 1) + [n - (k - 1) * (n // k)],
             "that puts the whole remainder in the last fold; KFold spreads it, one extra example to "
             "each of the first n % k folds."),
        ],
    )


def _log_position_ref(best, low, high):
    return (math.log10(best) - math.log10(low)) / (math.log10(high) - math.log10(low))


def check_log_position(log_position):
    """Exercise ``hp-ex-edge`` (chapter "Hyperparameter search").

    ``log_position(best, low, high)``: where ``best`` lies in ``[low, high]`` on a log scale, 0 at
    ``low`` and 1 at ``high``.
    """
    cases = [(1e-2, 1e-4, 1.0), (1e-4, 1e-4, 1.0), (1.0, 1e-4, 1.0), (0.3, 0.01, 3.0), (5e-3, 1e-3, 1e-1)]
    check_function(
        log_position, _log_position_ref, cases, name="log_position", arg_names=["best", "low", "high"],
        against="the position on a log scale", atol=1e-9, rtol=1e-9,
        hint="measure in decades: (log10(best) - log10(low)) / (log10(high) - log10(low)).",
        mistakes=[
            (lambda best, low, high: (best - low) / (high - low),
             "that is the position on a linear scale, where 1e-2 in [1e-4, 1] looks like the left edge. "
             "Take log10 of all three first."),
        ],
    )
