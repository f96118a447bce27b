"""Reading policy documents and intrinsic references out of a (transformed) template."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_SUB_VAR = re.compile(r"\$\{(?!!)([^}]+)\}")

IDENTITY = "identity"  # attached to a role: what the role may do
RESOURCE = "resource"  # on a bucket, queue, topic or key: who may use it
TRUST = "trust"  # a role's AssumeRolePolicyDocument


@dataclass(frozen=True)
class PolicyDoc:
    owner: str  # logical id of the resource that holds the document
    kind: str
    name: str  # policy name, or the property holding the document
    document: dict[str, Any]

    @property
    def statements(self) -> list[dict[str, Any]]:
        return as_list(self.document.get("Statement"))


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def actions(statement: dict[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: dict[str, Any]) -> list[Any]:
    return as_list(statement.get("Resource"))


def policy_documents(template: dict[str, Any]) -> Iterator[PolicyDoc]:
    for name, resource in template["Resources"].items():
        kind, props = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::IAM::Role":
            yield PolicyDoc(name, TRUST, "AssumeRolePolicyDocument", props["AssumeRolePolicyDocument"])
            for policy in props.get("Policies", []):
                yield PolicyDoc(name, IDENTITY, policy["PolicyName"], policy["PolicyDocument"])
        elif kind in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            yield PolicyDoc(name, IDENTITY, props.get("PolicyName", name), props["PolicyDocument"])
        elif kind in ("AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"):
            yield PolicyDoc(name, RESOURCE, "PolicyDocument", props["PolicyDocument"])
        elif kind == "AWS::KMS::Key":
            yield PolicyDoc(name, RESOURCE, "KeyPolicy", props["KeyPolicy"])


def identity_documents_of_role(template: dict[str, Any], role: str) -> list[PolicyDoc]:
    """The role's inline policies and every IAM::Policy/RolePolicy attached to it."""
    docs = []
    for doc in policy_documents(template):
        if doc.kind != IDENTITY:
            continue
        if doc.owner == role:
            docs.append(doc)
            continue
        props = template["Resources"][doc.owner].get("Properties", {})
        attached = as_list(props.get("Roles")) + as_list(props.get("RoleName"))
        if any(role in references(r) for r in attached):
            docs.append(doc)
    return docs


def allowed_actions(docs: list[PolicyDoc]) -> dict[str, list[dict[str, Any]]]:
    """{action: [the Allow statements granting it]}."""
    found: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        for statement in doc.statements:
            if statement.get("Effect") == "Allow":
                for action in actions(statement):
                    found.setdefault(action, []).append(statement)
    return found


def role_of(template: dict[str, Any], resource: str) -> str:
    """Logical id of the role a (transformed) function or state machine runs as."""
    props = template["Resources"][resource]["Properties"]
    role = props["Role"] if "Role" in props else props["RoleArn"]
    (name,) = references(role)
    return name


def references(node: Any) -> set[str]:
    """Logical ids and parameters a value refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub), without
    the pseudo parameters (AWS::Region, ...)."""
    found: set[str] = set()
    _collect_refs(node, found, frozenset())
    return {name for name in found if not name.startswith("AWS::")}


def _collect_refs(node: Any, found: set[str], local: frozenset[str]) -> None:
    if isinstance(node, dict):
        if "Ref" in node and isinstance(node["Ref"], str):
            found.add(node["Ref"])
        if "Fn::GetAtt" in node:
            target = node["Fn::GetAtt"]
            found.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
        if "Fn::Sub" in node:
            sub = node["Fn::Sub"]
            text, variables = (sub[0], sub[1]) if isinstance(sub, list) else (sub, {})
            names = frozenset(variables)
            for var in _SUB_VAR.findall(text):
                name = var.split(".")[0]
                if name not in names and name not in local:
                    found.add(name)
            _collect_refs(variables, found, local)
            return
        for key, value in node.items():
            if key not in ("Ref",):
                _collect_refs(value, found, local)
    elif isinstance(node, list):
        for item in node:
            _collect_refs(item, found, local)


def is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def principal_services(statement: dict[str, Any]) -> list[Any]:
    """The service principals of a statement (strings, or Fn::Sub for regional ones)."""
    principal = statement.get("Principal")
    if not isinstance(principal, dict):
        return []
    return as_list(principal.get("Service"))
