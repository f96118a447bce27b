"""AllowedModelKmsKeyArns as the stack deploys it: both functions that need the list get the raw
comma-separated string. (Which keys each role may use is checked on the rendered template in
tests/template/test_authorization_data.py: moto 5.2.5 does not create AWS::IAM::RolePolicy.)"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from sandbox import Sandbox

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]
ALLOWED = (
    "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000,"
    "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
)


def _environment(sb: Sandbox, logical_id: str) -> dict[str, str]:
    (function,) = [f for f in sb.stack.functions.values() if f.logical_id == logical_id]
    client = boto3.client("lambda", region_name="us-east-1")
    return client.get_function_configuration(FunctionName=function.name)["Environment"]["Variables"]


@pytest.mark.parametrize("allowed", [ALLOWED, ""], ids=["given", "default"])
def test_validate_and_create_get_the_allowed_keys_as_given(allowed) -> None:
    parameters = {"AllowedModelKmsKeyArns": allowed} if allowed else {}
    with Sandbox(REPO, parameters=parameters) as sb:
        for logical_id in ("ValidateArtifactsFunction", "CreateCustomModelFunction"):
            assert _environment(sb, logical_id)["ALLOWED_MODEL_KMS_KEY_ARNS"] == allowed, logical_id
        for logical_id in ("CheckModelStatusFunction", "PublishResultFunction"):
            assert "ALLOWED_MODEL_KMS_KEY_ARNS" not in _environment(sb, logical_id), logical_id
