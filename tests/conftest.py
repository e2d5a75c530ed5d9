"""Test configuration. Hypothesis explores new random cases on every developer run; under CI
(CI=true) it is derandomized, so that a submission's CI result does not depend on the draw.
Every failure a random run finds becomes a regression test (e.g. tests/test_sharing.py)."""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
