"""The machinery of the checks: compare an answer with a reference, explain a slip.

A check runs the reader's answer on many inputs, edge cases included (``z = 0``,
``|z|`` up to ``1e4``), compares it with a reference (torch, or actlib where torch has
no such function), and then either prints one short line::

    Correct: sigmoid_grad matches torch's autograd on 1,008 inputs, z = 0 and |z| = 1e4
    included.

or raises :class:`ExerciseError` (an ``AssertionError``) whose message names the input
where the answer went wrong, the value expected there, the value it got, and a hint.
Where a mistake is common (``z * (1 - z)`` instead of ``σ(z)(1 - σ(z))``), the hint
names that mistake.

Two generic helpers, :func:`check_function` and :func:`check_value`, do the work; each
chapter's checks are thin wrappers around them. Instructors can use the helpers for
exercises of their own.
"""

import inspect
import math
import numbers

import torch

__all__ = ["ExerciseError", "check_function", "check_value"]

# answers are compared in double precision, so rounding never fails a check
DTYPE = torch.float64


class ExerciseError(AssertionError):
    """An answer to an exercise is wrong: where, what was expected, what came, a hint.

    The parts of the message are kept apart, so that a notebook can show them in its own
    way; :meth:`message` is the one place that joins them into text.

    Args:
        problem: what is wrong, a sentence or two (``"relu is wrong at z = -2: ..."``).
        hint: the nudge towards the right answer. Default: none.
        where: the input at which the answer went wrong (``"z = -2"``). Default: none.
        expected, got: the value expected there and the value the answer gave, as shown.
            Default: none.
    """

    def __init__(self, problem, *, hint=None, where=None, expected=None, got=None):
        self.problem, self.hint = problem, hint
        self.where, self.expected, self.got = where, expected, got
        super().__init__(self.message())

    @classmethod
    def wrong_value(cls, name, *, where, expected, got, detail="", hint=None):
        """The answer ``name`` gave ``got`` at ``where`` instead of ``expected``."""
        problem = f"{name} is wrong at {where}: expected {expected}, got {got}{detail}"
        return cls(problem, hint=hint, where=where, expected=expected, got=got)

    def message(self):
        """The full message: the problem, then the hint."""
        return f"{self.problem} Hint: {self.hint}" if self.hint else self.problem

    def _render_traceback_(self):
        """What IPython and Jupyter show for this error: the message alone.

        IPython lets an exception render itself through this method. A traceback would
        run through the check's own frames, whose source shows the reference and the
        catalogue of common mistakes: close to the solution itself. A reader needs only
        where the answer went wrong, what was expected, what came, and the hint.
        """
        lines = [f"ExerciseError: {self.problem}"]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return lines


# ---------------------------------------------------------------------- generic helpers


def _as_args(case):
    """An input case is a tensor or number (one argument) or a tuple of arguments."""
    return tuple(case) if isinstance(case, tuple) else (case,)


def _clone(arg):
    return arg.clone() if torch.is_tensor(arg) else arg


def _to_tensor(value, what, returned=True):
    """The answer's output as a float64 tensor, or an ExerciseError saying why not.

    ``what`` names the function (``returned=True``) or the value (``returned=False``) in
    messages.
    """
    verb = "returned" if returned else "is"
    if value is None:
        fix = (
            "did you forget the `return` statement?"
            if returned
            else "did you assign it?"
        )
        raise ExerciseError(f"{what} {verb} None: {fix}")
    if isinstance(value, bool):
        raise ExerciseError(
            f"{what} {verb} {value!r}, a truth value; a number or a tensor was "
            "expected."
        )
    try:
        if torch.is_tensor(value):
            return value.detach().to("cpu", DTYPE)
        return torch.as_tensor(value, dtype=DTYPE)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ExerciseError(
            f"{what} {verb} a {type(value).__name__} ({value!r:.60}); a number or a "
            f"tensor was expected."
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
    if isinstance(x, numbers.Integral) or (
        isinstance(x, float) and x.is_integer() and abs(x) < 1e6
    ):
        return f"{int(x)}"
    return f"{x:.4g}"


def _arg_names(reference, arg_names, n):
    if arg_names is not None:
        return list(arg_names)[:n] + [f"arg{i}" for i in range(len(arg_names), n)]
    try:
        params = [
            p.name
            for p in inspect.signature(reference).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return params[:n] if len(params) >= n else ["z"] + [f"arg{i}" for i in range(1, n)]


def _where(args, names, index, out_shape):
    """The input at which output element ``index`` went wrong: 'z = 10, alpha = 1'."""
    parts = []
    for name, arg in zip(names, args):
        if torch.is_tensor(arg) and arg.dim() > 0:
            shape, out = tuple(arg.shape), tuple(out_shape)
            if shape == out or shape[:-1] == out:
                # element-wise: the one entry; a reduction over the last dim: the row
                arg = arg[index]
            if arg.numel() > 8:
                parts.append(f"{name} of shape {tuple(arg.shape)}")
                continue
        parts.append(f"{name} = {_fmt(arg)}")
    return ", ".join(parts)


def _matches_mistake(results, wrong, atol, rtol):
    """Whether the answer is the known mistake ``wrong`` on every input, but overflows.

    A mistake written with a naive formula often overflows at the extremes
    (``exp(1e4) = inf``, then ``inf / inf = nan``) where the clean form of the same
    mistake does not. Such entries (the answer not finite, the mistake different) are
    excused, so the hint still names the mistake, as long as they are at most 10% of the
    values: an answer that is ``nan`` almost everywhere matches no mistake.
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


def check_function(
    answer,
    reference,
    inputs,
    *,
    name,
    hint,
    atol=1e-6,
    rtol=1e-5,
    against="the reference",
    mistakes=(),
    arg_names=None,
    note="",
):
    """Check that ``answer`` computes the same values as ``reference`` on every input.

    Each case in ``inputs`` is one call: a tensor or number is passed as the only
    argument, a tuple as the positional arguments. The answer gets its own copy of each
    tensor, so an answer that changes its input in place cannot spoil the reference.
    Outputs are compared in float64 with
    ``torch.isclose(got, expected, rtol=rtol, atol=atol)`` and must have the reference's
    shape.

    Args:
        answer: the reader's function.
        reference: the oracle (torch, actlib or a closed form).
        inputs: a non-empty list of cases.
        name: the function's name in messages (``"sigmoid_grad"``).
        hint: the nudge shown when the answer is wrong.
        atol, rtol: tolerances. Default: 1e-6, 1e-5.
        against: what the reference is, for the confirmation (``"torch.tanh"``).
        mistakes: pairs ``(wrong_function, message)`` (a :class:`~actlib.checks.Mistake`
            is one): when the answer matches a known wrong function on every input, the
            message replaces the generic hint.
        arg_names: names of the arguments in messages. Default: the reference's
            parameter names.
        note: appended to the confirmation (``"z = 0 included"``).

    Raises:
        TypeError: ``answer`` or ``reference`` is not callable, or ``inputs`` is not a
            list of cases.
        ExerciseError: the answer is wrong (the message holds the input, the values and
            the hint).

    Example::

        >>> check_function(lambda z: z.clamp(min=0), torch.relu,
        ...                [torch.linspace(-3, 3, 7)], name="relu", hint="max(0, z)")
        Correct: relu matches the reference on 7 inputs.
    """
    if not callable(answer):
        raise TypeError(
            f"{name} must be a function (write `def {name}(...):` and pass its name "
            f"without calling it), got {type(answer).__name__} {answer!r:.60}"
        )
    if not callable(reference):
        raise TypeError(f"reference must be callable, got {type(reference).__name__}")
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(
            f"inputs must be a list of input cases, got {type(inputs).__name__}"
        )
    cases = [_as_args(case) for case in inputs]
    if not cases:
        raise ValueError("inputs is empty: give at least one input case")

    results = []  # (args, expected, got)
    for args in cases:
        expected = _to_tensor(reference(*(_clone(a) for a in args)), "the reference")
        try:
            raw = answer(*(_clone(a) for a in args))
        except NotImplementedError as err:
            raise ExerciseError(
                f"{name} is not written yet (it raised NotImplementedError).", hint=hint
            ) from err
        except Exception as err:
            names = _arg_names(reference, arg_names, len(args))
            where = _where(args, names, (), ())
            raise ExerciseError(
                f"{name} raised {type(err).__name__}: {err} (on input {where}).",
                hint=hint,
                where=where,
            ) from err
        results.append((args, expected, _to_tensor(raw, name)))

    elementwise = all(
        torch.is_tensor(args[0])
        and args[0].dim() > 0
        and args[0].shape == expected.shape
        for args, expected, _ in results
    )
    for args, expected, got in results:
        names = _arg_names(reference, arg_names, len(args))
        if got.shape != expected.shape:
            where = _where(args, names, (), ())
            per_entry = (
                f" Work element-wise: one output per entry of {names[0]}, no sum or "
                "mean."
                if elementwise
                else ""
            )
            raise ExerciseError(
                f"{name} returned shape {tuple(got.shape)} for the input {where}; "
                f"expected shape {tuple(expected.shape)}.{per_entry}",
                hint=hint,
                where=where,
                expected=f"shape {tuple(expected.shape)}",
                got=f"shape {tuple(got.shape)}",
            )

    for args, expected, got in results:
        close = torch.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
        if bool(close.all()):
            continue
        names = _arg_names(reference, arg_names, len(args))
        index = tuple((~close).nonzero()[0].tolist())
        n_bad, n_all = int((~close).sum()), close.numel()
        e, g = expected[index].item(), got[index].item()
        message = hint
        for wrong, why in mistakes:
            try:
                if _matches_mistake(results, wrong, atol, rtol):
                    message = why
                    break
            except (
                Exception
            ):  # a mistake that cannot run on these inputs is not this one
                continue
        overflow = ""
        if not math.isfinite(g) and math.isfinite(e):
            overflow = (
                f" {g} is not a finite number: an exp() overflowed to inf or "
                f"underflowed to 0 (then log 0 = -inf, inf/inf = nan, inf - inf = nan)."
            )
        count = f" ({n_bad:,} of {n_all:,} values are wrong)" if n_all > 1 else ""
        shown_e, shown_g = _fmt(e), _fmt(g)
        if shown_e == shown_g:  # close but not close enough: show all the digits
            shown_e, shown_g = f"{e:.12g}", f"{g:.12g}"
        raise ExerciseError.wrong_value(
            name,
            where=_where(args, names, index, expected.shape),
            expected=shown_e,
            got=shown_g,
            detail=f"{count}.{overflow}",
            hint=message,
        )

    # an element-wise function is checked on each entry of its input tensors; any
    # other on each case, whose output may hold several values
    values = sum(max(expected.numel(), 1) for _, expected, _ in results)
    n = values if elementwise else len(results)
    count = f"{n:,} input{'s' if n != 1 else ''}"
    if values != n:
        count += f" ({values:,} values)"
    print(f"Correct: {name} matches {against} on {count}{', ' + note if note else ''}.")


def check_value(answer, expected, *, name, hint, atol=1e-8, rtol=1e-6):
    """Check a number (or tensor) the reader computed against the expected one.

    The message of a wrong answer gives the hint but not the expected value, so the
    check cannot be used to read off the answer.

    Args:
        answer: the reader's value (a number, or a tensor or array of the right shape).
        expected: the right value.
        name: what the value is, for messages (``"L"``).
        hint: the nudge shown when the answer is wrong.
        atol, rtol: tolerances of ``torch.isclose``. Default: 1e-8, 1e-6.

    Raises:
        ExerciseError: the answer is missing, not a number, of a wrong shape, or wrong.

    Example::

        >>> check_value(0.25, 1 / 4, name="the largest value of σ'",
        ...             hint="σ'(0) = σ(0)(1 - σ(0))")
        Correct: the largest value of σ' = 0.25.
    """
    got = _to_tensor(answer, name, returned=False)
    want = _to_tensor(expected, "the expected value", returned=False)
    if got.shape != want.shape:
        raise ExerciseError(
            f"{name} has shape {tuple(got.shape)}; expected shape {tuple(want.shape)}.",
            hint=hint,
            expected=f"shape {tuple(want.shape)}",
            got=f"shape {tuple(got.shape)}",
        )
    if not bool(torch.isclose(got, want, rtol=rtol, atol=atol).all()):
        raise ExerciseError(f"{name} = {_fmt(got)} is not right.", hint=hint)
    print(f"Correct: {name} = {_fmt(got)}.")


def check_prediction(prediction, *, name, low, high, hint, hints=()):
    """Compare a prediction the reader wrote down before an experiment with its range.

    Predict-then-verify exercises ask for a number first (``predicted = ...``) and a
    function that measures it second; their checks test the function with
    :func:`check_function`, then call this on the prediction.

    Args:
        prediction: the reader's number; ``None`` or ``...`` (the skeleton left as it
            was) means no prediction was made, which is reported, not failed.
        name: what was predicted, for messages (``"the best line's accuracy"``).
        low, high: the accepted range, both ends included.
        hint: the message for a wrong prediction that no entry of ``hints`` covers.
        hints: pairs ``((lo, hi), message)`` for common wrong predictions: a prediction
            in ``[lo, hi]`` gets that message. Default: none.

    Raises:
        ExerciseError: the prediction is not a number, or lies outside the range.

    Example::

        >>> check_prediction(0.75, name="the best line's accuracy", low=0.74,
        ...                  high=0.76, hint="cut one corner off")
        Your prediction of the best line's accuracy, 0.75, is right.
    """
    if prediction is None or prediction is Ellipsis:
        print(
            f"No prediction of {name} was recorded: write yours down before you run "
            "the experiment, then check it."
        )
        return
    value = _to_tensor(prediction, f"the prediction of {name}", returned=False)
    if value.numel() != 1:
        raise ExerciseError(
            f"the prediction of {name} must be one number, got shape "
            f"{tuple(value.shape)}."
        )
    value = float(value)
    if low <= value <= high:
        print(f"Your prediction of {name}, {value:g}, is right.")
        return
    for (lo, hi), message in hints:
        if lo <= value <= hi:
            raise ExerciseError(
                f"Your prediction of {name}, {value:g}, is off.", hint=message
            )
    raise ExerciseError(f"Your prediction of {name}, {value:g}, is off.", hint=hint)
