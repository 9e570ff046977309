"""actlib: the small shared library of the book "Making neural networks train".

Every chapter imports it (``import actlib``); each module holds one topic and names the
chapter that teaches it. The public API is re-exported here, so
``actlib.get_activation`` and ``actlib.activations.get_activation`` are the same
function.
"""

from . import (
    activations,
    approximation,
    batchnorm,
    book,
    checks,
    data,
    device,
    diagnostics,
    explorers,
    init,
    models,
    plots,
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
from .explorers import *  # noqa: F403
from .init import *  # noqa: F403
from .models import *  # noqa: F403
from .plots import *  # noqa: F403
from .preprocessing import *  # noqa: F403
from .search import *  # noqa: F403
from .study import *  # noqa: F403
from .training import *  # noqa: F403

__version__ = "0.1.0"
__all__ = [
    *activations.__all__,
    *approximation.__all__,
    *batchnorm.__all__,
    *book.__all__,
    *checks.__all__,
    *data.__all__,
    *device.__all__,
    *diagnostics.__all__,
    *explorers.__all__,
    *init.__all__,
    *models.__all__,
    *plots.__all__,
    *preprocessing.__all__,
    *search.__all__,
    *study.__all__,
    *training.__all__,
]
