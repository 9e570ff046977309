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
:func:`check_sigmoid_depth`, :func:`check_maxout_params`, :func:`check_logsumexp`, and for its section
"Dead ReLUs" :func:`check_dead_fraction`.

Chapter "Why non-linearity" (``chapters/nonlinearity.ipynb``):
:func:`check_collapse`, :func:`check_xor_relu`, :func:`check_hat`, :func:`check_maxout_square`.

Chapter "Zero-centring and data preprocessing" (``chapters/preprocessing.ipynb``):
:func:`check_one_sign_fraction`, :func:`check_condition_number`, :func:`check_standardize`,
:func:`check_whiten`.

Chapter "Weight initialisation" (``chapters/initialisation.ipynb``):
:func:`check_xavier_std`, :func:`check_he_std`, :func:`check_conv_fans`, :func:`check_torch_default_std`.

Chapter "Batch Normalisation" (``chapters/batchnorm.ipynb``): :func:`check_batch_norm_train`,
:func:`check_running_var_update`, :func:`check_undo_batchnorm`, :func:`check_fold_batchnorm`.

Chapter "Hyperparameter search" (``chapters/hyperparameters.ipynb``): :func:`check_log_uniform`,
:func:`check_hit_probability`, :func:`check_kfold_sizes`, :func:`check_log_position`.
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

__all__ += ["check_collapse", "check_xor_relu", "check_hat", "check_maxout_square"]


def _affine_stack(weights, biases):
    """The single (W, b) of x -> W_L(...(W_1 x + b_1)...) + b_L, multiplied out."""
    W, b = weights[0], biases[0]
    for W_l, b_l in zip(weights[1:], biases[1:]):
        W, b = W_l @ W, W_l @ b + b_l
    return W, b


def check_collapse(collapse):
    """Exercise ``nl-ex-collapse`` (chapter "Why non-linearity").

    ``collapse(weights, biases)`` must return the ``(W, b)`` of the one affine map that a stack of
    linear layers ``a -> W_l a + b_l`` computes; the check compares ``x @ W.T + b`` with the stack's
    output on random inputs, for four stacks of 1 to 4 layers of width 3 (numbered 0 to 3 in messages).
    """
    if not callable(collapse):
        raise TypeError(f"collapse must be a function (write `def collapse(weights, biases):` and pass its name "
                        f"without calling it), got {type(collapse).__name__}")
    gen = torch.Generator().manual_seed(0)
    stacks, cases = [], []
    for i, sizes in enumerate(([3, 3, 3, 3, 3], [3, 3, 3, 3], [3, 3], [3, 3, 3])):  # square: every slip runs
        weights = [torch.randn(d_out, d_in, generator=gen, dtype=_DTYPE) for d_in, d_out in zip(sizes, sizes[1:])]
        biases = [torch.randn(d_out, generator=gen, dtype=_DTYPE) for d_out in sizes[1:]]
        stacks.append((weights, biases))
        cases.append((torch.randn(20, sizes[0], generator=gen, dtype=_DTYPE), i))  # (N, d_in), which stack

    def through(fn, x, i):
        weights, biases = stacks[i]
        out = fn([w.clone() for w in weights], [v.clone() for v in biases])
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("collapse must return two things, the matrix W and the vector b: `return W, b`")
        W, b = (torch.as_tensor(v, dtype=_DTYPE) for v in out)
        return x @ W.T + b  # (N, d_in) x (d_in, d_out) -> (N, d_out)

    check_function(
        lambda x, i: through(collapse, x, i), lambda x, i: through(_affine_stack, x, i), cases,
        name="collapse", arg_names=["x", "stack"], atol=1e-9, rtol=1e-9,
        against="four stacks of 1 to 4 linear layers",
        hint="go through the layers in order and keep (W, b) of the map so far: a new layer "
             "a -> W_l a + b_l turns it into (W_l W, W_l b + b_l).",
        mistakes=[
            (lambda x, i: through(lambda ws, bs: (_affine_stack(ws, bs)[0], sum(bs)), x, i),
             "each bias is multiplied by every later weight matrix: b <- W_l b + b_l, not b + b_l."),
            (lambda x, i: through(lambda ws, bs: (_affine_stack(ws, bs)[0], bs[-1]), x, i),
             "the earlier biases do not vanish: each one passes through the later layers (b <- W_l b + b_l)."),
            (lambda x, i: through(lambda ws, bs: _affine_stack(ws[::-1], bs[::-1]), x, i),
             "the first layer acts first, so its matrix stands on the right: W = W_L ... W_2 W_1."),
        ],
    )


def _xor(x):
    return (x[:, 0] != x[:, 1]).to(x.dtype)


def check_xor_relu(xor_relu):
    """Exercise ``nl-ex-xor-relu`` (chapter "Why non-linearity").

    ``xor_relu(x)`` must map each row of ``x`` in {0, 1}^2 to its XOR (0 or 1), shape ``(N, 2) -> (N,)``.
    """
    corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=_DTYPE)
    check_function(
        xor_relu, _xor, [corners, corners[[3, 2, 1, 0, 0]]], name="xor_relu", arg_names=["x"], atol=1e-9,
        against="XOR", note="on the four corners of the square",
        hint="two hidden units h1 = relu(x1 + x2) and h2 = relu(x1 + x2 - 1) see the sum of the inputs; "
             "the output h1 - 2 h2 is 0, 1, 0 for sums 0, 1, 2.",
        mistakes=[
            (lambda x: x[:, 0] + x[:, 1],
             "x1 + x2 is linear, and gives 2 at (1, 1): a line cannot drop back to 0. Put a ReLU with a "
             "kink at x1 + x2 = 1 in between, and subtract it twice."),
            (lambda x: torch.relu(x[:, 0] + x[:, 1]) - torch.relu(x[:, 0] + x[:, 1] - 1),
             "h1 - h2 is 1 at (1, 1): it flattens out instead of coming down. Subtract the second unit twice."),
            (lambda x: (x[:, 0] == x[:, 1]).to(x.dtype),
             "that is XNOR (1 when the inputs are equal): XOR is 1 when they differ."),
        ],
    )


def _hat(x):
    return torch.relu(x + 1) - 2 * torch.relu(x) + torch.relu(x - 1)


def check_hat(hat):
    """Exercise ``nl-ex-hat`` (chapter "Why non-linearity").

    ``hat(x)`` must return the triangle of height 1 on [-1, 1] (0 outside), element-wise.
    """
    cases = [torch.linspace(-3, 3, 601, dtype=_DTYPE), torch.tensor([-1.0, 0.0, 1.0, 0.5, -0.25], dtype=_DTYPE)]
    check_function(
        hat, _hat, cases, name="hat", arg_names=["x"], atol=1e-9, rtol=1e-9,
        against="the hat max(0, 1 - |x|)", note="x = -1, 0, 1 included",
        hint="the slope is 0, then +1 from x = -1, then -1 from x = 0, then 0 again from x = 1: a ReLU "
             "at each kink, weighted by how much the slope changes there (+1, -2, +1).",
        mistakes=[
            (lambda x: torch.relu(x + 1) - torch.relu(x) - torch.relu(x - 1),
             "after x = 1 your curve keeps falling: the slope must change by -2 at x = 0 (from +1 to -1) "
             "and by +1 at x = 1 (from -1 to 0)."),
            (lambda x: torch.relu(x + 1) - torch.relu(x),
             "that ramp stays at 1 for x > 0: add the kinks at x = 0 (slope change -2) and x = 1 (+1)."),
            (lambda x: 1 - x.abs(),
             "1 - |x| is right on [-1, 1] but negative outside: the hat is 0 there. Build it from ReLUs."),
        ],
    )


def _centres(k, dtype=_DTYPE):
    return -1 + (2 * torch.arange(1, k + 1, dtype=dtype) - 1) / k


def _maxout_square(x, k):
    t = _centres(k)
    return (2 * t[None, :] * x[:, None] - t[None, :] ** 2).amax(dim=1)  # (N, k) -> (N,)


def check_maxout_square(maxout_square):
    """Exercise ``nl-ex-maxout-square`` (chapter "Why non-linearity").

    ``maxout_square(x, k)`` must return the maximum of the k tangent lines of x^2 at the centres
    t_i = -1 + (2i - 1)/k of k equal cells of [-1, 1], element-wise in ``x``.
    """
    x = torch.linspace(-1, 1, 401, dtype=_DTYPE)
    cases = [(x, k) for k in (1, 2, 3, 4, 8)]
    check_function(
        maxout_square, _maxout_square, cases, name="maxout_square", arg_names=["x", "k"], atol=1e-9, rtol=1e-9,
        against="the maximum of k tangent lines", note="k = 1, 2, 3, 4, 8",
        hint="the tangent of x^2 at t is t^2 + 2t(x - t) = 2t x - t^2; the points are "
             "t_i = -1 + (2i - 1)/k for i = 1..k; return the largest of the k lines at every x.",
        mistakes=[
            (lambda x, k: (2 * _centres(k)[None] * x[:, None] + _centres(k)[None] ** 2).amax(1),
             "the tangent at t is f(t) + f'(t)(x - t) = t^2 + 2t(x - t) = 2t x - t^2: the constant is -t^2."),
            (lambda x, k: (2 * _centres(k)[None] * x[:, None] - _centres(k)[None] ** 2).amin(1),
             "a Maxout unit keeps the largest piece (amax), not the smallest."),
            (lambda x, k: (2 * torch.linspace(-1, 1, k, dtype=_DTYPE)[None] * x[:, None]
                           - torch.linspace(-1, 1, k, dtype=_DTYPE)[None] ** 2).amax(1),
             "put the tangent points at the centres of the k cells, t_i = -1 + (2i - 1)/k, not at the "
             "ends of [-1, 1]."),
        ],
    )


# ------------------------------------------------------------ chapter "Zero-centring and data preprocessing"
# (the checks of chapter "Zero-centring and data preprocessing", and of the section "Dead ReLUs" of
# chapter "Activation functions", go here; add their names with `__all__ += [...]`)


__all__ += ["check_one_sign_fraction", "check_condition_number", "check_standardize", "check_whiten"]


def _one_sign(G):
    return ((G > 0).all(dim=1) | (G < 0).all(dim=1)).to(_DTYPE).mean()


def check_one_sign_fraction(one_sign_fraction):
    """Exercise ``prep-ex-one-sign`` (chapter "Zero-centring and data preprocessing").

    ``one_sign_fraction(G)`` must return the fraction of rows of ``G`` whose entries are all > 0 or
    all < 0 (a row containing a 0 does not count).
    """
    gen = torch.Generator().manual_seed(0)
    cases = [
        torch.rand(50, 8, generator=gen, dtype=_DTYPE) + 0.1,                    # all positive: 1
        torch.randn(200, 3, generator=gen, dtype=_DTYPE),                        # mixed: about 1/4
        torch.tensor([[1.0, 2.0], [-1.0, -3.0], [1.0, -1.0], [0.0, 1.0]], dtype=_DTYPE),  # 0.5
        -torch.rand(5, 40, generator=gen, dtype=_DTYPE) - 0.1,                   # all negative: 1
        torch.randn(3, 100, generator=gen, dtype=_DTYPE),                        # a wide matrix: 0
    ]
    check_function(
        one_sign_fraction, _one_sign, cases, name="one_sign_fraction", arg_names=["G"],
        against="a direct count", atol=1e-6, rtol=0, note="rows of all-negative entries and rows with a 0 included",
        hint="per row (dim=1): (G > 0).all(dim=1) | (G < 0).all(dim=1), then the mean of that as floats.",
        mistakes=[
            (lambda G: (G > 0).all(dim=1).to(_DTYPE).mean(),
             "count rows of all-negative entries too: δ < 0 makes every gradient of the row negative."),
            (lambda G: ((G > 0).all(dim=0) | (G < 0).all(dim=0)).to(_DTYPE).mean(),
             "you counted columns (dim=0); one example is one row: use dim=1."),
            (lambda G: ((G >= 0).all(dim=1) | (G <= 0).all(dim=1)).to(_DTYPE).mean(),
             "a row with a 0 in it is not strictly of one sign: use > 0 and < 0, not >= and <=."),
        ],
    )


def _condition(X):
    lam = torch.linalg.eigvalsh(X.T @ X / len(X))
    return lam[-1] / lam[0]


def check_condition_number(condition_number):
    """Exercise ``prep-ex-condition`` (chapter "Zero-centring and data preprocessing").

    ``condition_number(X)`` must return λ_max / λ_min of H = XᵀX / N; the oracle is
    ``torch.linalg.cond(X.T @ X)`` (the 1/N cancels).
    """
    gen = torch.Generator().manual_seed(0)
    U = torch.rand(1000, 2, generator=gen, dtype=_DTYPE)
    V = torch.rand(500, 10, generator=gen, dtype=_DTYPE)
    cases = [U, U - U.mean(0), V, V - V.mean(0), torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=_DTYPE)]
    check_function(
        condition_number, lambda X: torch.linalg.cond(X.T @ X), cases, name="condition_number",
        arg_names=["X"], against="torch.linalg.cond(X.T @ X)", atol=0, rtol=1e-6,
        note="raw and centred inputs in [0, 1]^2 and [0, 1]^10",
        hint="the eigenvalues of H = X.T @ X / len(X) (torch.linalg.eigvalsh, ascending), then the "
             "largest divided by the smallest.",
        mistakes=[
            (lambda X: torch.linalg.cond(X),
             "that is the condition number of X itself, the ratio of its singular values: the square "
             "root of κ(H). Use the eigenvalues of X.T @ X / len(X)."),
            (lambda X: 1 / _condition(X), "upside down: κ = λ_max / λ_min ≥ 1."),
            (lambda X: torch.linalg.eigvalsh(X.T @ X / len(X))[-1],
             "that is λ_max alone; divide it by λ_min."),
        ],
    )


def _standardize(X_train, X_test):
    std = X_train.std(dim=0, correction=0)
    return (X_test - X_train.mean(dim=0)) / torch.where(std > 0, std, torch.ones_like(std))


def check_standardize(standardize):
    """Exercise ``prep-ex-standardize`` (chapter "Zero-centring and data preprocessing").

    ``standardize(X_train, X_test)`` must return ``(X_test - mean) / std`` with the training split's
    mean and 1/N standard deviation, a constant training feature divided by 1.
    """
    gen = torch.Generator().manual_seed(0)
    A = 3 * torch.rand(40, 5, generator=gen, dtype=_DTYPE) + 1
    A[:, 2] = 0.0                                               # a constant feature (a blank pixel)
    B = 3 * torch.rand(10, 5, generator=gen, dtype=_DTYPE) + 2  # a test split with another mean
    C = torch.randn(30, 3, generator=gen, dtype=_DTYPE) * torch.tensor([1.0, 10.0, 0.1], dtype=_DTYPE)
    D = torch.randn(8, 3, generator=gen, dtype=_DTYPE)
    cases = [(A, B), (C, D), (C, C)]
    check_function(
        standardize, _standardize, cases, name="standardize", arg_names=["X_train", "X_test"],
        against="the training-split standardisation", atol=1e-9, rtol=1e-7,
        note="a constant feature and a test split with its own mean included",
        hint="mean = X_train.mean(dim=0), std = X_train.std(dim=0, correction=0) with 1 where it is 0 "
             "(torch.where), then (X_test - mean) / std.",
        mistakes=[
            (lambda Xtr, Xte: (Xte - Xte.mean(0)) / torch.where(Xte.std(0, correction=0) > 0,
                                                               Xte.std(0, correction=0), 1.0),
             "you used the test split's own statistics: take the mean and std of X_train."),
            (lambda Xtr, Xte: (Xte - Xtr.mean(0)) / torch.where(Xtr.std(0) > 0, Xtr.std(0), 1.0),
             "torch's std divides by N - 1 by default; use X_train.std(dim=0, correction=0) (1/N, as numpy)."),
            (lambda Xtr, Xte: (Xte - Xtr.mean(0)) / Xtr.std(0, correction=0),
             "a constant training feature has std 0, and x / 0 is inf or nan: divide it by 1 instead."),
            (lambda Xtr, Xte: (Xte - Xtr.mean(0)) / (Xtr.std(0, correction=0) + 1e-8),
             "adding a tiny eps keeps the constant feature finite but blows it up to about 1e8 on the "
             "test split: divide a constant feature by 1 instead."),
        ],
    )


def _white_stats(X):
    """Mean (D,) and covariance (D, D) of X, flattened into one vector: what whitening fixes."""
    X = X.to(_DTYPE)
    return torch.cat([X.mean(0), torch.cov(X.T, correction=0).flatten()])


def check_whiten(whiten):
    """Exercise ``prep-ex-whiten`` (chapter "Zero-centring and data preprocessing").

    ``whiten(X)`` must return data with mean 0 and covariance I (1/N). Whitening is unique only up to
    a rotation, so the check compares those statistics (and the shape), not the values.
    """
    gen = torch.Generator().manual_seed(0)
    A = torch.tensor([[2.0, 0.0], [1.2, 0.4]], dtype=_DTYPE)
    cloud = torch.randn(400, 2, generator=gen, dtype=_DTYPE) @ A.T + torch.tensor([6.0, 4.0], dtype=_DTYPE)
    M = torch.randn(5, 5, generator=gen, dtype=_DTYPE)
    wide = torch.randn(300, 5, generator=gen, dtype=_DTYPE) @ M + 3.0
    cases = [cloud, wide]
    for X in cases:
        out = whiten(X.clone())
        if torch.is_tensor(out) and tuple(out.shape) != tuple(X.shape):
            raise ExerciseError(f"whiten returned shape {tuple(out.shape)} for X of shape {tuple(X.shape)}; "
                                f"expected the same shape (one row per example).")

    def lam_inv(X):
        Xc = X - X.mean(0)
        lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc))
        return Xc @ U / lam

    def no_centre(X):
        lam, U = torch.linalg.eigh(torch.cov(X.T, correction=0))
        return X @ U / torch.sqrt(lam)

    check_function(
        lambda X: _white_stats(whiten(X)),
        lambda X: torch.cat([torch.zeros(X.shape[1], dtype=_DTYPE), torch.eye(X.shape[1], dtype=_DTYPE).flatten()]),
        cases, name="whiten (its mean and covariance)", arg_names=["X"],
        against="mean 0 and covariance I", atol=1e-6, rtol=1e-6,
        note="on a 2-D cloud and on 5-D correlated data",
        hint="Xc = X - X.mean(dim=0); lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc)); "
             "return Xc @ U / torch.sqrt(lam).",
        mistakes=[
            (lambda X: _white_stats(lam_inv(X)),
             "you divided by the eigenvalue λ; divide by its square root: the covariance is then I, not Λ⁻¹."),
            (lambda X: _white_stats(no_centre(X)), "centre X first (subtract its mean): the mean must be 0."),
            (lambda X: _white_stats(_standardize(X, X)),
             "that standardises each feature, but the features stay correlated: rotate onto the "
             "eigenvectors of the covariance before scaling."),
        ],
    )


__all__ += ["check_dead_fraction"]


def _dead_fraction(A):
    return (A == 0).all(dim=0).to(_DTYPE).mean()


def check_dead_fraction(dead_fraction):
    """Exercise ``act-ex-dead-fraction`` (section "Dead ReLUs" of chapter "Activation functions").

    ``dead_fraction(A)`` must return the fraction of units (columns of the ``(N, units)`` ReLU
    outputs ``A``) that are 0 on every example, as ``actlib.layer_stats`` reports under ``dead``.
    """
    gen = torch.Generator().manual_seed(0)
    A = torch.relu(torch.randn(100, 8, generator=gen, dtype=_DTYPE))
    A[:, [1, 5]] = 0.0                                              # two dead units: 0.25
    B = torch.relu(torch.randn(50, 20, generator=gen, dtype=_DTYPE) - 1.5)   # many zeros, few dead
    C = torch.zeros(10, 4, dtype=_DTYPE)                            # all dead: 1
    D = torch.relu(torch.randn(30, 6, generator=gen, dtype=_DTYPE)) + 0.1   # none dead: 0
    check_function(
        dead_fraction, _dead_fraction, [A, B, C, D], name="dead_fraction", arg_names=["A"],
        against="a direct count", atol=1e-6, rtol=0, note="no dead unit and all units dead included",
        hint="a unit is a column (dim=0 runs over the examples): (A == 0).all(dim=0), then the mean of "
             "that as floats.",
        mistakes=[
            (lambda A: (A == 0).to(_DTYPE).mean(),
             "that is the fraction of zero entries; a unit is dead only when its whole column is 0."),
            (lambda A: (A == 0).all(dim=1).to(_DTYPE).mean(),
             "you looked at rows (examples); a unit is a column: use all(dim=0)."),
            (lambda A: (A == 0).any(dim=0).to(_DTYPE).mean(),
             "any() counts units that are 0 on at least one example (almost all ReLU units are); "
             "dead means 0 on every example: all()."),
        ],
    )


# ------------------------------------------------------------ chapter "Weight initialisation"
# (the checks of chapter "Weight initialisation" go here; add their names with `__all__ += [...]`)

__all__ += ["check_xavier_std", "check_he_std", "check_conv_fans", "check_torch_default_std"]

_FAN_PAIRS = [(100, 100), (64, 32), (1, 1), (500, 10), (3, 1000), (784, 256)]


def _glorot_std(fan_in, fan_out):
    return math.sqrt(2.0 / (fan_in + fan_out))


def check_xavier_std(xavier_std):
    """Exercise ``init-ex-xavier-std`` (chapter "Weight initialisation").

    ``xavier_std(fan_in, fan_out)`` must return the Glorot normal standard deviation
    sqrt(2 / (fan_in + fan_out)); the oracle is ``actlib.init_std("xavier_normal", ...)``.
    """
    from .init import init_std

    check_function(
        xavier_std, lambda n, m: init_std("xavier_normal", n, m), _FAN_PAIRS, name="xavier_std",
        arg_names=["fan_in", "fan_out"], against='actlib.init_std("xavier_normal", fan_in, fan_out)',
        atol=1e-12, rtol=1e-9,
        hint="Glorot normal keeps Var[w] = 2 / (fan_in + fan_out), the harmonic compromise between "
             "1/fan_in (forward) and 1/fan_out (backward); the standard deviation is its square root.",
        mistakes=[
            (lambda n, m: 2 / math.sqrt(n + m), "2 / sqrt(n + m) is the erratum of the lecture notes: the "
                                                "square root covers the 2 as well, sqrt(2 / (n + m))."),
            (lambda n, m: 2 / (n + m), "2 / (fan_in + fan_out) is the variance; return its square root."),
            (lambda n, m: math.sqrt(6 / (n + m)), "sqrt(6 / (n + m)) is the limit of Glorot *uniform*; "
                                                  "its standard deviation is that divided by sqrt(3)."),
            (lambda n, m: 1 / math.sqrt(n), "1 / sqrt(fan_in) is LeCun's (CS231n's) form: Glorot averages "
                                            "fan_in and fan_out, sqrt(2 / (fan_in + fan_out))."),
        ],
    )


def check_he_std(he_std):
    """Exercise ``init-ex-he-std`` (chapter "Weight initialisation").

    ``he_std(fan_in, negative_slope)`` must return sqrt(2 / (1 + a^2)) / sqrt(fan_in); the oracle is
    ``actlib.init_std("he_normal", ...)`` (equal to ``torch.nn.init.kaiming_normal_``'s).
    """
    from .init import init_std

    cases = [(n, a) for n in (100, 64, 1, 500) for a in (0.0, 0.01, 0.2, 1.0)]
    check_function(
        he_std, lambda n, a: init_std("he_normal", n, 1, negative_slope=a), cases, name="he_std",
        arg_names=["fan_in", "negative_slope"], against='actlib.init_std("he_normal", ...)',
        atol=1e-12, rtol=1e-9, note="slopes 0, 0.01, 0.2 and 1 included",
        hint="a Leaky ReLU with slope a keeps (1 + a²)/2 of E[z²], so the weights need the variance "
             "2 / ((1 + a²) fan_in): return sqrt(2 / (1 + a**2)) / sqrt(fan_in).",
        mistakes=[
            (lambda n, a: math.sqrt(2 / n), "right for ReLU only (a = 0): divide the 2 by (1 + a²) for a Leaky ReLU."),
            (lambda n, a: 2 / ((1 + a**2) * n), "that is the variance; return its square root."),
            (lambda n, a: math.sqrt(2 / (1 + a) / n), "square the slope: the negative half keeps a² of the "
                                                      "signal's second moment, so the gain is sqrt(2 / (1 + a²))."),
            (lambda n, a: math.sqrt(1 / n), "1 / sqrt(fan_in) forgets the factor 2 that makes up for the "
                                            "half of the signal that ReLU cuts."),
        ],
    )


def _conv_fans(out_channels, in_channels, kh, kw):
    import torch as _torch

    from .init import fans

    return fans(_torch.empty(out_channels, in_channels, kh, kw))


def check_conv_fans(conv_fans):
    """Exercise ``init-ex-conv-fans`` (chapter "Weight initialisation").

    ``conv_fans(out_channels, in_channels, kh, kw)`` must return ``(fan_in, fan_out)`` of a
    ``nn.Conv2d`` weight of shape ``(out_channels, in_channels, kh, kw)``, as ``torch.nn.init``
    computes them: ``(in_channels * kh * kw, out_channels * kh * kw)``.
    """
    cases = [(16, 3, 5, 5), (64, 64, 3, 3), (1, 1, 1, 1), (8, 4, 3, 1), (10, 2, 1, 7)]
    check_function(
        conv_fans, _conv_fans, cases, name="conv_fans",
        arg_names=["out_channels", "in_channels", "kh", "kw"], against="actlib.fans (torch's rule)",
        atol=0, rtol=0,
        hint="every output value of a convolution sums in_channels · kh · kw products: that is fan_in; "
             "each input value feeds out_channels · kh · kw of them: fan_out. Return (fan_in, fan_out).",
        mistakes=[
            (lambda o, i, kh, kw: (i, o), "count the receptive field: each unit sees in_channels · kh · kw "
                                          "inputs, not just in_channels."),
            (lambda o, i, kh, kw: (o * kh * kw, i * kh * kw), "swapped: fan_in counts the *input* channels "
                                                              "(the second dimension of the weight)."),
            (lambda o, i, kh, kw: (i * kh * kw, o), "fan_out counts the receptive field too: out_channels · kh · kw."),
        ],
    )


def check_torch_default_std(torch_default_std):
    """Exercise ``init-ex-torch-default`` (chapter "Weight initialisation").

    ``torch_default_std(fan_in)`` must return the standard deviation of ``nn.Linear``'s default
    weights, ``kaiming_uniform_(a=sqrt(5))`` = U(-1/sqrt(fan_in), 1/sqrt(fan_in)): 1 / sqrt(3 fan_in).
    """
    from .init import gain

    def reference(fan_in):
        limit = math.sqrt(3.0) * gain("leaky_relu", math.sqrt(5)) / math.sqrt(fan_in)  # torch's arithmetic
        return limit / math.sqrt(3.0)

    check_function(
        torch_default_std, reference, [1, 3, 64, 100, 500, 4096], name="torch_default_std",
        arg_names=["fan_in"], against="kaiming_uniform_(a=sqrt(5))'s limit / sqrt(3)", atol=1e-12, rtol=1e-9,
        hint="with a = sqrt(5) the gain is sqrt(2 / 6) = 1/sqrt(3), so the uniform limit is "
             "sqrt(3) · (1/sqrt(3)) / sqrt(fan_in) = 1/sqrt(fan_in); a uniform U(-l, l) has standard "
             "deviation l / sqrt(3).",
        mistakes=[
            (lambda n: 1 / math.sqrt(n), "1/sqrt(fan_in) is the limit l of the uniform draw; its standard "
                                         "deviation is l / sqrt(3)."),
            (lambda n: 1 / (3 * math.sqrt(n)), "divide by sqrt(3), not 3: U(-l, l) has variance l²/3."),
            (lambda n: math.sqrt(2 / n), "that is He's standard deviation; torch's default is three times "
                                         "smaller in variance than even LeCun's 1/fan_in."),
        ],
    )


# ------------------------------------------------------------ chapter "Batch Normalisation"
# (the checks of chapter "Batch Normalisation" go here; add their names with `__all__ += [...]`)

__all__ += ["check_batch_norm_train", "check_running_var_update", "check_undo_batchnorm",
            "check_fold_batchnorm"]


def _bn_cases(seed=0):
    """Batches ``(z, gamma, beta, eps)``: (N, C) of several sizes and scales, N = 2 included."""
    gen = torch.Generator().manual_seed(seed)
    cases = []
    for n, c, scale, shift, eps in [(16, 4, 3.0, 2.0, 1e-5), (2, 3, 1.0, 0.0, 1e-5), (5, 1, 10.0, -7.0, 0.1),
                                     (64, 10, 0.01, 1.0, 1e-3), (7, 6, 1.0, 0.0, 1.0)]:
        z = scale * torch.randn(n, c, generator=gen, dtype=_DTYPE) + shift
        gamma = torch.rand(c, generator=gen, dtype=_DTYPE) + 0.5
        beta = torch.randn(c, generator=gen, dtype=_DTYPE)
        cases.append((z, gamma, beta, eps))
    return cases


def check_batch_norm_train(batch_norm_train):
    """Exercise ``bn-ex-forward`` (chapter "Batch Normalisation").

    ``batch_norm_train(z, gamma, beta, eps)`` must return training-mode Batch Normalisation of an
    ``(N, C)`` batch: each column normalised by its mean and *biased* variance, then scaled by
    ``gamma`` and shifted by ``beta``; the oracle is ``torch.nn.functional.batch_norm``.
    """
    def reference(z, gamma, beta, eps):
        return F.batch_norm(z, None, None, gamma, beta, training=True, eps=eps)

    def normalise(z, var, eps, dim=0):
        return (z - z.mean(dim, keepdim=True)) / torch.sqrt(var + eps)

    check_function(
        batch_norm_train, reference, _bn_cases(), name="batch_norm_train",
        arg_names=["z", "gamma", "beta", "eps"], against="torch.nn.functional.batch_norm",
        atol=1e-8, rtol=1e-6, note="a batch of N = 2 and eps up to 1 included",
        hint="for each feature (column, dim=0): mu = z.mean(0), var = ((z - mu)**2).mean(0) (divide by N, "
             "not N - 1), z_hat = (z - mu) / sqrt(var + eps), return gamma * z_hat + beta.",
        mistakes=[
            (lambda z, g, b, eps: g * normalise(z, z.var(0, unbiased=True), eps) + b,
             "the normalisation uses the biased batch variance (divide by N): z.var(0, unbiased=False). "
             "The unbiased one (N - 1) is only for the running average."),
            (lambda z, g, b, eps: g * (z - z.mean(0)) / z.std(0, unbiased=False) + b,
             "add eps inside the square root: sqrt(var + eps), not sqrt(var)."),
            (lambda z, g, b, eps: g * (z - z.mean(0)) / (z.std(0, unbiased=False) + eps) + b,
             "eps goes inside the square root: sqrt(var + eps), not sqrt(var) + eps."),
            (lambda z, g, b, eps: g * normalise(z, z.var(1, unbiased=False, keepdim=True), eps, dim=1) + b,
             "normalise each feature over the batch (dim=0, down the columns), not each example over "
             "its features (dim=1): that is Layer Normalisation."),
            (lambda z, g, b, eps: normalise(z, z.var(0, unbiased=False), eps),
             "you normalised but did not scale and shift: return gamma * z_hat + beta."),
        ],
    )


def check_running_var_update(running_var_update):
    """Exercise ``bn-ex-running-var`` (chapter "Batch Normalisation").

    ``running_var_update(running_var, z, momentum)`` must return torch's new running variance after
    one training batch ``z`` of shape ``(N, C)``:
    ``(1 - momentum) * running_var + momentum * z.var(0, unbiased=True)``.
    """
    def reference(running_var, z, momentum):
        rv = running_var.clone()
        F.batch_norm(z, torch.zeros_like(rv), rv, training=True, momentum=momentum)
        return rv

    gen = torch.Generator().manual_seed(1)
    cases = []
    for n, c, momentum in [(16, 4, 0.1), (2, 3, 0.1), (5, 2, 0.5), (32, 6, 0.01), (3, 1, 0.9)]:
        z = 2 * torch.randn(n, c, generator=gen, dtype=_DTYPE) + 1
        cases.append((torch.rand(c, generator=gen, dtype=_DTYPE) + 0.5, z, momentum))
    check_function(
        running_var_update, reference, cases, name="running_var_update",
        arg_names=["running_var", "z", "momentum"], against="torch.nn.functional.batch_norm",
        atol=1e-9, rtol=1e-7, note="batches of N = 2 and N = 3 included",
        hint="new = (1 - momentum) * running_var + momentum * var_unbiased, with "
             "var_unbiased = z.var(0, unbiased=True) (divide by N - 1).",
        mistakes=[
            (lambda rv, z, m: (1 - m) * rv + m * z.var(0, unbiased=False),
             "torch's running variance collects the unbiased batch variance (divide by N - 1), "
             "not the biased one used to normalise."),
            (lambda rv, z, m: m * rv + (1 - m) * z.var(0, unbiased=True),
             "momentum is the weight of the NEW batch: (1 - momentum) * running_var + momentum * var."),
            (lambda rv, z, m: z.var(0, unbiased=True),
             "keep the old value too: a running average mixes (1 - momentum) of the old running_var "
             "with momentum of the batch's variance."),
        ],
    )


def check_undo_batchnorm(undo_batchnorm):
    """Exercise ``bn-ex-undo`` (chapter "Batch Normalisation").

    ``undo_batchnorm(z, eps)`` must return ``(gamma, beta)`` that make training-mode Batch
    Normalisation the identity on the batch ``z``: ``gamma = sqrt(var + eps)`` (biased variance),
    ``beta = mean``.
    """
    def stacked(f):
        def run(z, eps):
            out = f(z, eps)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError(f"return two tensors (gamma, beta), got {type(out).__name__}")
            return torch.stack([torch.as_tensor(t, dtype=_DTYPE) for t in out])
        return run

    def right(z, eps):
        return torch.sqrt(z.var(0, unbiased=False) + eps), z.mean(0)

    cases = [(z, eps) for z, _, _, eps in _bn_cases(seed=2)]
    check_function(
        stacked(undo_batchnorm), stacked(right), cases, name="undo_batchnorm", arg_names=["z", "eps"],
        against="the gamma and beta that make BatchNorm the identity (row 0: gamma, row 1: beta)",
        atol=1e-9, rtol=1e-7,
        hint="BN computes gamma * (z - mu) / sqrt(var + eps) + beta. Pick gamma to cancel the division "
             "and beta to add the mean back: gamma = sqrt(var + eps) with the biased variance, beta = mu.",
        mistakes=[
            (stacked(lambda z, eps: (torch.sqrt(z.var(0, unbiased=True) + eps), z.mean(0))),
             "the batch is normalised with its biased variance (divide by N), so gamma must use it too."),
            (stacked(lambda z, eps: (z.std(0, unbiased=False), z.mean(0))),
             "gamma must cancel sqrt(var + eps), eps included, not only the standard deviation."),
            (stacked(lambda z, eps: (z.mean(0), torch.sqrt(z.var(0, unbiased=False) + eps))),
             "gamma and beta are swapped: gamma (the scale) is sqrt(var + eps), beta (the shift) is the mean."),
            (stacked(lambda z, eps: (1 / torch.sqrt(z.var(0, unbiased=False) + eps), -z.mean(0))),
             "that normalises a second time; to undo it multiply by sqrt(var + eps) and add the mean."),
        ],
    )


def check_fold_batchnorm(fold_batchnorm):
    """Exercise ``bn-ex-fold`` (chapter "Batch Normalisation").

    ``fold_batchnorm(W, b, gamma, beta, running_mean, running_var, eps)`` must return ``(W2, b2)``
    such that ``x @ W2.T + b2`` equals evaluation-mode BatchNorm of ``x @ W.T + b``:
    ``s = gamma / sqrt(running_var + eps)``, ``W2 = s[:, None] * W``, ``b2 = s * (b - running_mean) + beta``.
    """
    gen = torch.Generator().manual_seed(3)
    cases = []
    for d_in, d_out, eps in [(4, 4, 0.1), (3, 3, 1e-5), (5, 3, 1e-5), (8, 2, 1.0), (1, 6, 1e-3)]:
        r = lambda *s: torch.randn(*s, generator=gen, dtype=_DTYPE)  # noqa: E731
        cases.append((r(d_out, d_in), r(d_out), r(d_out).abs() + 0.5, r(d_out), r(d_out),
                      torch.rand(d_out, generator=gen, dtype=_DTYPE) * 4 + 0.1, eps))

    def stacked(f):
        def run(W, b, gamma, beta, mean, var, eps):
            out = f(W, b, gamma, beta, mean, var, eps)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError(f"return two tensors (W2, b2), got {type(out).__name__}")
            W2, b2 = (torch.as_tensor(t, dtype=_DTYPE) for t in out)
            return torch.cat([W2, b2.reshape(-1, 1)], dim=1)  # (d_out, d_in + 1)
        return run

    def right(W, b, gamma, beta, mean, var, eps):
        s = gamma / torch.sqrt(var + eps)
        return s[:, None] * W, s * (b - mean) + beta

    check_function(
        stacked(fold_batchnorm), stacked(right), cases, name="fold_batchnorm",
        arg_names=["W", "b", "gamma", "beta", "running_mean", "running_var", "eps"],
        against="evaluation-mode BatchNorm after the linear layer (columns: W2, then b2)", atol=1e-9, rtol=1e-7,
        hint="in evaluation mode BN is y = s * (z - running_mean) + beta with s = gamma / sqrt(running_var + eps). "
             "Put z = W x + b in: each ROW of W is scaled by s, and b2 = s * (b - running_mean) + beta.",
        mistakes=[
            (stacked(lambda W, b, g, be, m, v, eps: ((g / torch.sqrt(v + eps))[:, None] * W,
                                                     be - g / torch.sqrt(v + eps) * m)),
             "the old bias b goes through BN too: b2 = s * (b - running_mean) + beta."),
            (stacked(lambda W, b, g, be, m, v, eps: ((g / torch.sqrt(v))[:, None] * W,
                                                     g / torch.sqrt(v) * (b - m) + be)),
             "divide by sqrt(running_var + eps), eps included."),
            (stacked(lambda W, b, g, be, m, v, eps: (W * (g / torch.sqrt(v + eps))[None, :],
                                                     g / torch.sqrt(v + eps) * (b - m) + be)),
             "scale the ROWS of W (one per output unit): s[:, None] * W, not the columns."),
        ],
    )


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
