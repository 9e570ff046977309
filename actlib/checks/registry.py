"""The registry of the chapters' checks: each check with its reference and its mistakes.

A chapter's check is declared in one place, next to the function readers call::

    _HAT = Exercise(
        reference=lambda x: (1 - x.abs()).clamp(min=0),
        inputs=lambda: [torch.linspace(-3, 3, 601, dtype=DTYPE)],
        mistakes=(Mistake(lambda x: 1 - x.abs(), "... negative outside ..."),),
    )


    @_HAT.register
    def check_hat(hat):
        _HAT.run(hat, name="hat", hint="...")

The reference and every mistake take the reader's arguments, so the tests can hand each
of them to the check as an answer: the reference must pass, each mistake must fail with
its own hint. :data:`EXERCISES` lists every registered check, so the tests can also
match them with the check cells of the chapters (``chapters/<chapter>.ipynb``).
"""

from dataclasses import dataclass
from typing import Callable, NamedTuple

from .core import check_function

__all__ = ["EXERCISES", "Exercise", "Mistake"]


class Mistake(NamedTuple):
    """A common wrong answer, as a reader would write it, and the hint it must give."""

    answer: Callable
    hint: str


@dataclass
class Exercise:
    """What a check compares with, on which inputs, and which slips it recognises.

    Args:
        reference: a right answer, taking the reader's arguments; the check compares the
            reader's answer with it.
        inputs: makes the list of input cases (each a tuple of the reader's arguments,
            or a single argument), afresh, so an answer cannot spoil them for the next
            run.
        mistakes: the common wrong answers, each with the hint the check gives for it.
            Default: none.
        check: the ``check_*`` function readers call; :meth:`register` sets it.
    """

    reference: Callable
    inputs: Callable[[], list]
    mistakes: tuple[Mistake, ...] = ()
    check: Callable | None = None

    @property
    def name(self):
        """The check's name, ``"check_hat"``."""
        return self.check.__name__

    @property
    def chapter(self):
        """The chapter whose notebook calls the check: its module's name."""
        return self.check.__module__.rsplit(".", 1)[-1]

    def register(self, check):
        """Record ``check`` as the function readers call (use it as a decorator)."""
        if check.__name__ in EXERCISES:
            raise ValueError(f"{check.__name__} is registered twice")
        self.check = check
        EXERCISES[check.__name__] = self
        return check

    def run(self, answer, *, adapt=None, inputs=None, target=None, **options):
        """Compare ``answer`` with the reference: :func:`~actlib.checks.check_function`.

        Args:
            answer: the reader's function.
            adapt: turns a function of the reader's arguments into the one compared
                (for instance one that stacks a returned pair into one tensor); applied
                alike to the answer, the reference and every mistake. Default: none.
            inputs: the cases of the adapted functions. Default: ``self.inputs()``.
            target: what the adapted answer must equal, where the reference is one
                right answer among many (whitening is unique only up to a rotation).
                Default: the adapted reference.
            **options: passed to ``check_function`` (``name``, ``hint``, ``against``,
                tolerances, ...).
        """

        def same(f):
            return f

        adapt = adapt or same
        check_function(
            adapt(answer) if callable(answer) else answer,  # check_function says why
            adapt(self.reference) if target is None else target,
            self.inputs() if inputs is None else inputs,
            mistakes=[Mistake(adapt(m.answer), m.hint) for m in self.mistakes],
            **options,
        )


#: Every registered exercise, by the name of its check, in the order of registration.
EXERCISES: dict[str, Exercise] = {}
