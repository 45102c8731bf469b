"""One run of every default claim, shared by the registry soundness tests."""
from __future__ import annotations

import pytest

from rankcollapse.claims import REGISTRY, Config, load, run


@pytest.fixture(scope="session")
def results():
    load()
    return [run(c, Config(seed=0)) for c in REGISTRY.values() if c.default]
