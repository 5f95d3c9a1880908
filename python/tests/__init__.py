"""Tests of the ``agentbill`` package: ``python3 -m unittest discover -s python/tests -t python``.

Importing this package puts ``python/src`` first on ``sys.path``, so the tests exercise the
source tree without installing it (``test_packaging`` separately installs the built wheel).
"""

import os
import sys

_SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if _SOURCE not in sys.path:
    sys.path.insert(0, _SOURCE)
