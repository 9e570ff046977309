"""actlib: the small shared library of the book "Making neural networks train".

Every chapter imports it (``import actlib``); each module holds one topic and names the
chapter that teaches it. The public API is re-exported here, so
``actlib.get_activation`` and ``actlib.activations.get_activation`` are the same
function.

The two modules that draw, :mod:`~actlib.plots` and :mod:`~actlib.explorers`, import
matplotlib (half a second): they load on first use, so that a process that trains
and draws nothing (a worker of ``python -m actlib.study``) starts without it.
"""

import importlib

from . import (
    activations,
    approximation,
    batchnorm,
    book,
    checks,
    data,
    device,
    diagnostics,
    init,
    models,
    preprocessing,
    search,
    study,
    training,
)
from .activations import *  # noqa: F403
from .approximation import *  # noqa: F403
from .batchnorm import *  # noqa: F403
from .book import *  # noqa: F403
from .checks import *  # noqa: F403
from .data import *  # noqa: F403
from .device import *  # noqa: F403
from .diagnostics import *  # noqa: F403
from .init import *  # noqa: F403
from .models import *  # noqa: F403
from .preprocessing import *  # noqa: F403
from .search import *  # noqa: F403
from .study import *  # noqa: F403
from .training import *  # noqa: F403

__version__ = "0.1.0"

# what each drawing module exports (its __all__; a test checks that they agree)
_DRAWING = {
    "explorers": ("MAX_FRAMES", "Explorer", "explore", "log_values"),
    "plots": (
        "COLORS",
        "use_book_style",
        "plot_activation",
        "plot_activations",
        "update_activation",
        "plot_decision_boundary",
        "plot_history",
        "plot_layer_stats",
    ),
}
__all__ = [
    *activations.__all__,
    *approximation.__all__,
    *batchnorm.__all__,
    *book.__all__,
    *checks.__all__,
    *data.__all__,
    *device.__all__,
    *diagnostics.__all__,
    *_DRAWING["explorers"],
    *init.__all__,
    *models.__all__,
    *_DRAWING["plots"],
    *preprocessing.__all__,
    *search.__all__,
    *study.__all__,
    *training.__all__,
]


def __getattr__(name):
    """Load a drawing module on first use of it or of one of its names."""
    for module, names in _DRAWING.items():
        if name == module or name in names:
            loaded = importlib.import_module(f".{module}", __name__)
            value = loaded if name == module else getattr(loaded, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__, *_DRAWING})
