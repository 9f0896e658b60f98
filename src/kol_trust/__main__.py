"""``python -m kol_trust``: the same as the ``kol-trust`` command."""

import sys

from .cli import main

sys.exit(main())
