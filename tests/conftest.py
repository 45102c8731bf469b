"""Hypothesis profiles: ``dev`` (default), ``ci`` (derandomized, modest counts) and
``thorough`` (heavy).  Choose with ``RANKCOLLAPSE_PROFILE=ci|dev|thorough``; CI=true
selects ``ci`` unless a profile is named."""
import os

from hypothesis import HealthCheck, settings

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=25, **_common)
settings.register_profile("ci", max_examples=25, derandomize=True, print_blob=True, **_common)
settings.register_profile("thorough", max_examples=400, **_common)

_default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("RANKCOLLAPSE_PROFILE", _default))


def thorough() -> bool:
    """True under the ``thorough`` profile: tests may scale their sizes up."""
    return os.environ.get("RANKCOLLAPSE_PROFILE") == "thorough"


def examples(n: int) -> int:
    """Example count for an expensive property test: ``n`` in ``dev`` / ``ci``, ten times
    that under ``thorough`` (so the heavy profile really is heavier)."""
    return 10 * n if thorough() else n
