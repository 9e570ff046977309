"""Checks for the exercises of the book: each says "Correct" or explains what is wrong.

An exercise cell ends with a check such as ``actlib.check_sigmoid_grad(sigmoid_grad)``.
The check runs the reader's answer on many inputs, compares it with a reference, then
prints one short line or raises :class:`ExerciseError` with a hint (see
:mod:`actlib.checks.core`).

- :mod:`~actlib.checks.core`: the machinery, :func:`check_function`,
  :func:`check_value` and :class:`ExerciseError`; instructors can use them for exercises
  of their own.
- :mod:`~actlib.checks.registry`: every chapter's check with its reference answer and
  its catalogue of common mistakes (:data:`~actlib.checks.registry.EXERCISES`).
- One module per chapter, named after its notebook ``chapters/<name>.ipynb``:
  :mod:`~actlib.checks.activations`, :mod:`~actlib.checks.nonlinearity`,
  :mod:`~actlib.checks.preprocessing`, :mod:`~actlib.checks.initialisation`,
  :mod:`~actlib.checks.batchnorm`, :mod:`~actlib.checks.hyperparameters`.
"""

from . import (
    activations,
    batchnorm,
    core,
    hyperparameters,
    initialisation,
    nonlinearity,
    preprocessing,
    registry,  # noqa: F401 (the tests read actlib.checks.registry.EXERCISES)
)
from .activations import *  # noqa: F403
from .batchnorm import *  # noqa: F403
from .core import *  # noqa: F403
from .hyperparameters import *  # noqa: F403
from .initialisation import *  # noqa: F403
from .nonlinearity import *  # noqa: F403
from .preprocessing import *  # noqa: F403

__all__ = [
    *core.__all__,
    *activations.__all__,
    *nonlinearity.__all__,
    *preprocessing.__all__,
    *initialisation.__all__,
    *batchnorm.__all__,
    *hyperparameters.__all__,
]
