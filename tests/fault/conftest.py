"""Fixtures of the fault suite: a private tmux server and a seeded random source."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from procs import TmuxServer


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[TmuxServer]:
    """A tmux server on a private socket, killed (with every screen in it) at the end."""
    folder = tmp_path / "tmux"
    folder.mkdir()
    server = TmuxServer(folder)
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """A random source; its seed is printed (set LABELER_FAULT_SEED to replay a run)."""
    seed = int(os.environ.get("LABELER_FAULT_SEED") or random.SystemRandom().randrange(1 << 31))
    print(f"{request.node.name}: LABELER_FAULT_SEED={seed}")
    request.node.user_properties.append(("LABELER_FAULT_SEED", seed))
    return random.Random(seed)
