"""Render a (transformed) template's intrinsic functions into the concrete values CloudFormation
would deploy, for one choice of parameter values: Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Join,
Fn::Split, Fn::Select and the condition functions. Every resource the template references gets the
name and ARN shape AWS gives a resource of its type, in a fake account and region."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.template.loading import ACCOUNT_ID, REGION

PARTITION = "aws"
STACK = "my-stack"
PSEUDO = {
    "AWS::Partition": PARTITION,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::StackName": STACK,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK}/1",
}

#: A valid value for each parameter a Condition tests (each matches the parameter's AllowedPattern;
#: a test holds that). The other value of each is its default.
SAMPLES = {
    "ImportRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/existing-bedrock-import-role",
    "ModelKmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/11111111-2222-3333-4444-555555555555",
    "AllowedModelKmsKeyArns": (
        f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/66666666-7777-8888-9999-000000000000,"
        f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    ),
    "NotificationEmail": "ops@example.com",
    "ModelPackageGroupNames": "nova-sft-approved,team-b--models",
}

_NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}]+)\}")


def _name(logical_id: str) -> str:
    return f"{STACK}-{logical_id}-ABC123DEF456"


def _arn(service: str, rest: str, region: bool = True) -> str:
    return f"arn:{PARTITION}:{service}:{REGION if region else ''}:{ACCOUNT_ID}:{rest}"


def _ref_and_attributes(logical_id: str, resource: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(what Ref returns, {attribute: value}) for a resource, in the shape AWS documents per type."""
    kind, props = resource["Type"], resource.get("Properties", {})
    name = _name(logical_id)
    if kind == "AWS::S3::Bucket":
        name = name.lower()
        return name, {"Arn": f"arn:{PARTITION}:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}
    if kind == "AWS::DynamoDB::Table":
        return name, {"Arn": _arn("dynamodb", f"table/{name}")}
    if kind == "AWS::SNS::Topic":
        arn = _arn("sns", name)
        return arn, {"TopicArn": arn, "TopicName": name}
    if kind == "AWS::SQS::Queue":
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}", {"Arn": _arn("sqs", name), "QueueName": name}
    if kind == "AWS::KMS::Key":
        key_id = "12345678-90ab-cdef-1234-567890abcdef"
        return key_id, {"Arn": _arn("kms", f"key/{key_id}"), "KeyId": key_id}
    if kind == "AWS::IAM::Role":
        name = props.get("RoleName", name)
        return name, {"Arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}", "RoleId": "AROAEXAMPLE"}
    if kind == "AWS::Lambda::Function":
        name = props.get("FunctionName", name)
        return name, {"Arn": _arn("lambda", f"function:{name}")}
    if kind == "AWS::Lambda::LayerVersion":
        return _arn("lambda", f"layer:{name}:1"), {}
    if kind == "AWS::StepFunctions::StateMachine":
        arn = _arn("states", f"stateMachine:{name}")
        return arn, {"Arn": arn, "Name": name}
    if kind == "AWS::Logs::LogGroup":
        group = props.get("LogGroupName", name)
        return group, {"Arn": _arn("logs", f"log-group:{group}:*")}
    if kind == "AWS::Events::Rule":
        return name, {"Arn": _arn("events", f"rule/{name}")}
    raise AssertionError(f"tests/template/rendering.py does not know the ARN shape of {kind} ({logical_id})")


@dataclass(frozen=True)
class Variant:
    parameters: dict[str, Any]
    conditions: dict[str, bool]

    @property
    def label(self) -> str:
        given = sorted(k for k, v in self.parameters.items() if k in SAMPLES and v == SAMPLES[k])
        return "+".join(given) or "defaults"


class Renderer:
    def __init__(self, template: dict[str, Any], parameters: dict[str, Any]) -> None:
        self.template = template
        self.parameters = parameters
        self._conditions: dict[str, bool] = {}
        self.conditions = {name: self._condition(name) for name in template.get("Conditions", {})}

    def _condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self._conditions[name]

    def exists(self, logical_id: str) -> bool:
        condition = self.template["Resources"][logical_id].get("Condition")
        return condition is None or self.conditions[condition]

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self.template["Resources"][name]
        assert self.exists(name), f"Ref {name}, which this variant does not create"
        return _ref_and_attributes(name, resource)[0]

    def _get_att(self, logical_id: str, attribute: str) -> str:
        assert self.exists(logical_id), f"GetAtt {logical_id}, which this variant does not create"
        return _ref_and_attributes(logical_id, self.template["Resources"][logical_id])[1][attribute]

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def one(m: re.Match[str]) -> str:
            var = m.group(1)
            if var.startswith("!"):
                return "${" + var[1:] + "}"
            if var in variables:
                return str(self.value(variables[var]))
            if "." in var and var.split(".", 1)[0] in self.template["Resources"]:
                return self._get_att(*var.split(".", 1))
            return str(self._ref(var))

        return _SUB_VAR.sub(one, text)

    def value(self, node: Any) -> Any:  # noqa: PLR0911 - one branch per intrinsic
        if isinstance(node, list):
            out = []
            for item in node:
                rendered = self.value(item)
                if rendered is not _NO_VALUE:
                    out.append(rendered)
            return out
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Ref":
                return self._ref(arg)
            if fn == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._get_att(logical_id, attribute)
            if fn == "Fn::Sub":
                text, variables = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
                return self._sub(text, variables)
            if fn == "Fn::If":
                name, yes, no = arg
                return self.value(yes if self._condition(name) else no)
            if fn == "Fn::Join":
                return str(arg[0]).join(str(v) for v in self.value(arg[1]))
            if fn == "Fn::Split":
                return str(self.value(arg[1])).split(arg[0])
            if fn == "Fn::Select":
                return self.value(arg[1])[int(self.value(arg[0]))]
            if fn == "Fn::Equals":
                a, b = self.value(arg)
                return a == b
            if fn == "Fn::Not":
                return not self.value(arg[0])
            if fn == "Fn::And":
                return all(self.value(arg))
            if fn == "Fn::Or":
                return any(self.value(arg))
            if fn == "Condition":
                return self._condition(arg)
        out = {}
        for key, item in node.items():
            rendered = self.value(item)
            if rendered is not _NO_VALUE:
                out[key] = rendered
        return out


def defaults(template: dict[str, Any]) -> dict[str, Any]:
    return {name: spec.get("Default", "") for name, spec in template.get("Parameters", {}).items()}


def variants(template: dict[str, Any]) -> Iterator[Variant]:
    """Every combination of default and sample value of the parameters the Conditions test."""
    tested = sorted(
        name for name in template.get("Parameters", {}) if f"'Ref': '{name}'" in str(template.get("Conditions", {}))
    )
    missing = set(tested) - set(SAMPLES)
    assert not missing, f"give tests/template/rendering.py SAMPLES a valid value for {sorted(missing)}"
    base = defaults(template)
    for choice in itertools.product((False, True), repeat=len(tested)):
        parameters = dict(base)
        parameters.update({name: SAMPLES[name] for name, given in zip(tested, choice) if given})
        yield Variant(parameters, Renderer(template, parameters).conditions)
