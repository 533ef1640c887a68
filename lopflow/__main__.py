"""``python -m lopflow``: the same as the ``lopflow`` command."""

import sys

from lopflow.cli import main

sys.exit(main())
