"""Fixtures of the template tests: template.yaml as written, as SAM transforms it, and the
state machine definitions it deploys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.template import loading


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    asl_path: Path
    asl: dict[str, Any]
    substitutions: dict[str, Any]

    @property
    def states(self) -> dict[str, dict[str, Any]]:
        return self.asl["States"]


@pytest.fixture(scope="session")
def template() -> Any:
    """template.yaml with short tags in long form; nodes keep their line (start_mark)."""
    return loading.load_template()


@pytest.fixture(scope="session")
def transformed(template: Any) -> dict[str, Any]:
    """The SAM-transformed template: SAM-generated roles, rules and functions as CloudFormation."""
    return loading.transform(template)


@pytest.fixture(scope="session")
def state_machines(template: Any) -> list[StateMachine]:
    found = []
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::StateMachine":
            continue
        props = resource["Properties"]
        path = loading.ROOT / props["DefinitionUri"]
        found.append(
            StateMachine(name, path, loading.load_asl(path), loading.plain(props.get("DefinitionSubstitutions", {})))
        )
    assert found, "template.yaml deploys no AWS::Serverless::StateMachine"
    return found


@pytest.fixture(scope="session")
def state_machine(state_machines: list[StateMachine]) -> StateMachine:
    """The import workflow (the template deploys exactly one state machine)."""
    assert len(state_machines) == 1, [sm.logical_id for sm in state_machines]
    return state_machines[0]


@pytest.fixture(scope="session")
def functions(template: Any) -> dict[str, Path]:
    """{function logical id: its handler file}."""
    found = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            handler = resource["Properties"].get("Handler") or template["Globals"]["Function"]["Handler"]
            module = handler.rsplit(".", 1)[0]
            found[name] = loading.ROOT / resource["Properties"]["CodeUri"] / f"{module}.py"
    assert found
    return found
