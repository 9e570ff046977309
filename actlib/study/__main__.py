"""``python -m actlib.study``: one worker of an Optuna study (see ``actlib.study``)."""

import sys

from . import main

sys.exit(main())
