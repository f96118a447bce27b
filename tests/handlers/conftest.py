"""Load each step's functions/<step>/app.py as Lambda would: its environment set first (settings
are read at import), under a module name of its own (all four files are called app.py)."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import pytest

from tests import support

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
_counter = itertools.count()


@pytest.fixture
def load_handler(monkeypatch: pytest.MonkeyPatch, aws_env: None):
    """load_handler("validate_artifacts", {"VAR": "value"}) -> the freshly imported module."""
    loaded: list[str] = []

    def load(step: str, env: dict[str, str]):
        for name, value in {**support.POWERTOOLS_ENV, **env}.items():
            monkeypatch.setenv(name, value)
        name = f"handler_{step}_{next(_counter)}"
        spec = importlib.util.spec_from_file_location(name, FUNCTIONS / step / "app.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loaded.append(name)
        spec.loader.exec_module(module)
        return module

    yield load
    for name in loaded:
        sys.modules.pop(name, None)


@pytest.fixture
def bedrock_stub(aws):
    """A Stubber on the bedrock client the handlers get from model_import.clients."""
    from botocore.stub import Stubber

    from model_import.clients import client

    with Stubber(client("bedrock")) as stub:
        yield stub
        stub.assert_no_pending_responses()


def pytest_collection_modifyitems(items):
    # Powertools warns when a handler adds no metric (duplicates, rejections); that is intended here.
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning"))
