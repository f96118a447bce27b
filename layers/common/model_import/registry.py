"""SageMaker Model Registry approvals as a trigger: the "SageMaker Model Package State Change" event
(sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html), parsed into the package to import
and the Bedrock model name it gets (pure, no AWS calls).
"""

from __future__ import annotations

from typing import Any

SOURCE = "aws.sagemaker"
DETAIL_TYPE = "SageMaker Model Package State Change"
APPROVED = "Approved"
#: SageMaker's ModelPackageGroupName (botocore sagemaker model, EntityName); compiled on first use:
#: every handler imports this module through inputs.py (bench/cold_start.py).
GROUP_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"


def model_name(group: str, version: int) -> str:
    """<group>-v<version>, within Bedrock's model name rules: a group name may hold runs of '-'
    (SageMaker allows them, Bedrock does not) and is cut so that the version always fits."""
    import re

    from model_import import bedrock_rules as rules

    suffix = f"-v{version}"
    stem = re.sub(r"-{2,}", "-", group)[: rules.MODEL_NAME_MAX - len(suffix)].rstrip("-")
    return stem + suffix


def parse_detail(detail: Any) -> tuple[str, str, int, str] | str:
    """(package ARN, group, version, approval status) from the event's detail, or the problem."""
    if not isinstance(detail, dict):
        return 'the event has no "detail" object'
    arn, group, version, status = (
        detail.get("ModelPackageArn"), detail.get("ModelPackageGroupName"), detail.get("ModelPackageVersion"), detail.get("ModelApprovalStatus")
    )
    if not isinstance(arn, str) or not arn:
        return 'detail.ModelPackageArn must be a non-empty string'
    import re

    if not isinstance(group, str) or re.fullmatch(GROUP_PATTERN, group) is None:
        return f"detail.ModelPackageGroupName must be a SageMaker model package group name, got {str(group)[:80]!r}"
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return f"detail.ModelPackageVersion must be a positive whole number, got {str(version)[:40]!r}"
    if not isinstance(status, str):
        return "detail.ModelApprovalStatus must be a string"
    return arn, group, version, status
