"""Every knob in template.yaml is wired to something, and the ASL's placeholders to the template."""

from __future__ import annotations

import re
from typing import Any

from tests.template.loading import plain
from tests.template.policies import references

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def test_every_asl_placeholder_has_a_definition_substitution(state_machines):
    for sm in state_machines:
        placeholders = set(_PLACEHOLDER.findall(sm.asl_path.read_text(encoding="utf-8")))
        missing = placeholders - set(sm.substitutions)
        assert not missing, (
            f"{sm.asl_path.name} uses {sorted(missing)} but {sm.logical_id} has no DefinitionSubstitutions for them"
        )


def test_every_definition_substitution_is_used_by_the_asl(state_machines):
    for sm in state_machines:
        placeholders = set(_PLACEHOLDER.findall(sm.asl_path.read_text(encoding="utf-8")))
        unused = set(sm.substitutions) - placeholders
        assert not unused, f"{sm.logical_id} substitutes {sorted(unused)}, which {sm.asl_path.name} never uses"


def test_every_state_machine_definition_file_is_deployed(state_machines):
    from tests.template.loading import STATE_MACHINE_DIR

    deployed = {sm.asl_path.resolve() for sm in state_machines}
    files = {p.resolve() for p in STATE_MACHINE_DIR.glob("*.asl.json")}
    assert files == deployed, f"not deployed by template.yaml: {sorted(str(p) for p in files - deployed)}"


def test_every_parameter_is_used_in_the_template(template):
    body: dict[str, Any] = {k: v for k, v in plain(template).items() if k not in ("Parameters", "Metadata")}
    used = references(body)
    unused = set(template["Parameters"]) - used
    assert not unused, f"parameters never referenced (Ref or Sub): {sorted(unused)}"


def test_parameter_groups_list_every_parameter_once(template):
    groups = template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    listed = [p for group in groups for p in group["Parameters"]]
    assert sorted(listed) == sorted(template["Parameters"]), "the console's parameter groups miss or repeat a parameter"
