"""Input checks shared by the modules of actlib.

Every public function checks what a reader passes in and fails with an error that names
the argument, the value it got and the values it accepts, as ``torch.nn.init`` does.
"""

import math
import numbers
from collections.abc import Iterable


def check_choice(arg, value, choices: Iterable):
    """Return ``value`` if it is one of ``choices``.

    Otherwise raise a ``ValueError`` that names the argument, the value and the choices.
    """
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{arg}={value!r} is not supported; choose one of {choices}")
    return value


def check_number(
    arg, value, *, low=None, high=None, low_open=False, integer=False, finite=False
):
    """Return ``value`` as a number if it lies in the allowed range; else raise.

    ``low``/``high`` are inclusive bounds (``low_open=True`` makes the lower bound
    exclusive); ``finite=True`` also rejects ``inf`` and ``nan``, naming the range.
    """
    # numpy or 0-d torch scalar
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        if integer and isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(
                f"{arg} must be {'an integer' if integer else 'a number'}, "
                f"got {value!r}"
            )
    if finite and not math.isfinite(value):
        left = "(" if low_open or low is None else "["
        lo = "-inf" if low is None else f"{low}"
        hi = "inf)" if high is None else f"{high}]"
        raise ValueError(
            f"{arg}={value!r} is not finite; "
            f"valid values are finite numbers in {left}{lo}, {hi}"
        )
    if value != value:  # NaN
        raise ValueError(f"{arg} must be a number, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if too_low or too_high:
        lo = "-inf" if low is None else f"{low}"
        hi = "inf" if high is None else f"{high}"
        left = "(" if low_open or low is None else "["
        raise ValueError(
            f"{arg}={value!r} is out of range; valid values lie in {left}{lo}, {hi}]"
        )
    return value
