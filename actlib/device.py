"""Device and seeds: the first cell of every chapter.

Every chapter starts with ``set_seed(SEED)`` and ``DEVICE = get_device()``, so that the
same commit gives the same numbers and the code runs on a GPU where there is one. See
the chapter "How to use this book".
"""

import os
import random

import numpy as np
import torch

from ._validate import check_choice, check_number

__all__ = ["DEVICES", "get_device", "set_seed"]

DEVICES = ("cpu", "cuda", "mps")


def _available(kind: str) -> bool:
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return (
            bool(getattr(torch.backends, "mps", None))
            and torch.backends.mps.is_available()
        )
    return True


def get_device() -> torch.device:
    """The device the book computes on: CUDA, else Apple MPS, else the CPU.

    The environment variable ``ACTLIB_DEVICE`` (one of ``cpu``, ``cuda``, ``mps``)
    overrides the choice; asking for a device that this machine does not have is an
    error, not a silent fallback.

    Example::

        >>> DEVICE = get_device()          # e.g. device(type='cpu')
        >>> x = torch.zeros(3, device=DEVICE)
    """
    wanted = os.environ.get("ACTLIB_DEVICE", "").strip().lower()
    if wanted:
        check_choice("ACTLIB_DEVICE", wanted, DEVICES)
        if not _available(wanted):
            have = [d for d in DEVICES if _available(d)]
            raise RuntimeError(
                f"ACTLIB_DEVICE={wanted!r} but this machine has no {wanted} device; "
                f"available here: {have}"
            )
        return torch.device(wanted)
    for kind in ("cuda", "mps"):
        if _available(kind):
            return torch.device(kind)
    return torch.device("cpu")


def set_seed(seed: int) -> int:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU).

    Functions of actlib that draw random numbers also take a ``seed`` or ``generator``
    of their own; this helper fixes everything else a chapter does (``torch.randn``,
    data shuffling, dropout). Returns the seed, so a chapter can write
    ``SEED = set_seed(2026)``.
    """
    seed = check_number("seed", seed, low=0, high=2**32 - 1, integer=True)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds CUDA and MPS generators too
    return seed
