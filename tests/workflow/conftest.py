"""Fixtures for the workflow tests: each test gets its own sandbox (the real template, deployed
into moto), closed afterwards, so no test sees another's models, executions or messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import BedrockBehaviour, Faults, Sandbox

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "nova-micro-demo"


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """make(**options) -> a started Sandbox (closed at the end of the test)."""
    opened: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        sb = Sandbox(REPO, **options).start()
        opened.append(sb)
        return sb

    yield make
    for sb in reversed(opened):
        sb.close()


@pytest.fixture
def sb(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox with the template's defaults and a Bedrock that turns Active on the 2nd check."""
    return sandbox_factory(bedrock=BedrockBehaviour(outcome="active", polls=2), faults=Faults())


@pytest.fixture
def sample() -> Path:
    return SAMPLE


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A handler that fails before it records a metric makes Powertools warn "No application metrics
    # to publish"; on Lambda that goes to the function's log. It is expected here.
    if not config.pluginmanager.hasplugin("warnings"):
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning"))
