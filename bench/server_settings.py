"""smeqa.settings for benchmark processes: identical, except that collected static files live in a
temporary folder (BENCH_STATIC_ROOT), not in the working tree's staticfiles/, which the test suite's
WhiteNoise would then serve instead of static/. DEBUG=false needs the manifest that collectstatic writes.
"""

import os

from smeqa.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
