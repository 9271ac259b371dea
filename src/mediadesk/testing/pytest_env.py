"""Loaded by pytest (``-p mediadesk.testing.pytest_env``) before Django reads its settings.

It puts the suite in test mode, so that running plain ``pytest`` behaves like ``make test``.
"""

import os

os.environ.setdefault("MEDIADESK_ENV", "test")
