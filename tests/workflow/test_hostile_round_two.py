"""Hostile input, round two, through the whole workflow: Step Functions' input limit, the largest
payload the workflow carries, a hand-made event delivered twice, and an ERROR after the model exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from sandbox import Fault, Faults
from sandbox.limits import EXECUTION_INPUT_MAX_BYTES, input_size, payload_size
from tests.workflow.flow import ESCROW_URI, attempts, model_folder, s3_event

pytestmark = pytest.mark.workflow

#: The largest execution input the workflow carries to a notification: Step Functions' 256 KiB less
#: 256 bytes for the execution ARN ValidateArtifacts gets beside it (a Task's input is limited too).
#: The state never holds the input, so nothing else counts against it.
CARRIED_INPUT_MAX_BYTES = EXECUTION_INPUT_MAX_BYTES - 256
#: The longest execution ARN: partition aws-us-gov, a 14-character region, names of 80 characters.
LONGEST_EXECUTION_ARN = "arn:aws-us-gov:states:ap-southeast-2:123456789012:execution:" + "s" * 80 + ":" + "e" * 80
THROTTLE = {"error": "ThrottlingException", "status": 429, "message": "Too many requests, please wait before trying again."}


def _padded(document: dict, size: int, field: str = "padding") -> dict:
    """`document` plus a string field that makes its JSON exactly `size` bytes of UTF-8."""
    padded = {**document, field: ""}
    padded[field] = "x" * (size - input_size(json.dumps(padded)))
    assert input_size(json.dumps(padded)) == size
    return padded


def test_an_input_over_256_kib_is_refused_by_start_execution_as_aws_does(sandbox_factory) -> None:
    sb = sandbox_factory()
    too_big = _padded({"sourceUri": ESCROW_URI, "modelName": "big"}, EXECUTION_INPUT_MAX_BYTES + 1)

    with pytest.raises(ClientError) as refused:
        sb.start_execution(too_big)
    assert refused.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have size less than or equal to 262144 bytes in UTF-8 encoding",
    }
    assert sb.executions() == [] and sb.messages() == []


def test_validate_artifacts_input_fits_beside_the_longest_execution_arn() -> None:
    """What ValidateArtifacts receives (statemachine: the execution's input and ARN) stays within Step
    Functions' 256 KiB for the largest input carried, whatever the ARN."""
    document = _padded({"modelName": "big"}, CARRIED_INPUT_MAX_BYTES, field="z")
    payload = {"input": document, "execution": {"arn": LONGEST_EXECUTION_ARN}}
    assert len(LONGEST_EXECUTION_ARN) == 221
    assert payload_size(payload) <= EXECUTION_INPUT_MAX_BYTES


@pytest.mark.parametrize("size", [CARRIED_INPUT_MAX_BYTES, 258_049], ids=["largest carried", "just over the old 252 KiB"])
def test_a_large_input_with_a_long_reason_ends_in_one_rejection_naming_it(sandbox_factory, size: int) -> None:
    sb = sandbox_factory()
    fields = {f'unexpected-"field"-{i:02d}-' + "q" * 40: i for i in range(12)}  # the longest reason this shape makes
    document = _padded({"sourceUri": ESCROW_URI, "modelName": "big", **fields}, size, field="z")
    arn = sb.start_execution(document, name="e" * 80)
    [execution] = sb.wait_all()
    [message] = sb.messages()

    assert (execution.arn, execution.error) == (arn, "ModelImportRejected")
    assert message.body["outcome"] == "REJECTED"
    assert message.body["reason"].startswith('the manual input has unexpected "unexpected-\\"field\\"-00-')
    assert "and 3 more" in message.body["reason"]
    assert (message.body["modelName"], message.body["sourceUri"]) == ("big", ESCROW_URI)
    [published] = [e["stateEnteredEventDetails"]["input"] for e in sb.history(arn)
                   if e.get("stateEnteredEventDetails", {}).get("name") == "PublishResult"]
    assert "x" * 100 not in published and len(published) < 8192  # the state never held the input


def test_an_input_at_the_very_limit_fails_at_validate_artifacts_as_on_aws(sandbox_factory) -> None:
    """StartExecution takes 262,144 bytes, but ValidateArtifacts gets the input beside the execution
    ARN: over 256 KiB, Step Functions fails the task with States.DataLimitExceeded, which no States.ALL
    catcher catches (sandbox/limits.py enforces both as AWS documents them)."""
    sb = sandbox_factory()
    arn = sb.start_execution(_padded({"sourceUri": ESCROW_URI, "modelName": "big"}, EXECUTION_INPUT_MAX_BYTES, field="z"))
    [execution] = sb.wait_all()

    assert (execution.arn, execution.status, execution.error) == (arn, "FAILED", "States.DataLimitExceeded")
    assert sb.messages() == []


def test_the_largest_request_the_workflow_accepts_imports_and_notifies_once(sandbox_factory) -> None:
    """47 tags of the longest key and value (with a manual input's 3 provenance tags, source-uri,
    execution and stack: Bedrock's 50), a 63-character name and a long source: the largest state any
    accepted import carries, on every step."""
    sb = sandbox_factory()
    tags = {f"{i:02d}" + "k" * 126: "v" * 256 for i in range(47)}
    source = ESCROW_URI + "/".join(["segment" * 14] * 9) + "/"
    name = "n" * 63
    bucket, _, path = source.removeprefix("s3://").partition("/")
    sb.put_escrow_object(bucket, path + "model.safetensors", b"weights")  # the training job's checkpoint
    arn = sb.start_execution({"sourceUri": source, "modelName": name, "tags": tags})
    [execution] = sb.wait_all()
    [message] = sb.messages()

    assert (execution.arn, execution.status) == (arn, "SUCCEEDED")
    assert (message.body["outcome"], message.body["modelName"], message.body["sourceUri"]) == ("ACTIVE", name, source)
    assert [m["modelName"] for m in sb.models()] == [name]


def test_a_hand_made_event_without_version_or_sequencer_delivered_twice_is_one_request(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory()
    folder = model_folder(tmp_path, "hand-made", manifest={"checkpoint_s3_bucket": ESCROW_URI})
    sb.upload_folder(folder, emit=False)  # staged: only the hand-made event starts anything
    event = s3_event("incoming/hand-made/manifest.json")
    for field in ("version-id", "sequencer"):
        event["detail"]["object"].pop(field, None)
    sb.put_event(event, repeat=2)
    executions = sb.wait_all()
    messages = sb.messages()

    assert len(executions) == 2
    assert sorted(e.status for e in executions) == ["SUCCEEDED", "SUCCEEDED"]
    assert [m.body["outcome"] for m in messages] == ["ACTIVE"]  # the second found the first's claim
    assert [m["modelName"] for m in sb.models()] == ["hand-made"]


def test_checks_throttled_past_their_retries_end_in_error_saying_the_model_may_still_finish(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory(faults=Faults([Fault("bedrock", "GetCustomModel", **THROTTLE)]))
    sb.upload_folder(model_folder(tmp_path, "throttled-checks", manifest={"checkpoint_s3_bucket": ESCROW_URI}))
    [execution] = sb.wait_all()
    [message] = sb.messages()

    assert (execution.error, message.body["outcome"]) == ("ModelImportErrored", "ERROR")
    assert attempts(sb.history(execution.arn), "CheckImportStatus") == ["BedrockThrottled"] * 11
    assert message.body["reason"].startswith("BedrockThrottled: bedrock GetCustomModel: ThrottlingException")
    assert message.body["reason"].endswith(
        ". The model exists (last seen Creating) and the import may still finish: "
        "check it with 'aws bedrock get-custom-model --model-identifier throttled-checks'"
    )
    assert message.body["modelArn"] == sb.models()[0]["modelArn"]


def test_a_hand_made_event_rejected_twice_notifies_once(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory()
    sb.upload_folder(model_folder(tmp_path, "bad--name", manifest={}), emit=False)
    event = s3_event("incoming/bad--name/manifest.json")
    for field in ("version-id", "sequencer"):
        event["detail"]["object"].pop(field, None)
    sb.put_event(event, repeat=2)
    executions = sb.wait_all()
    messages = sb.messages()

    assert sorted((e.status, e.error) for e in executions) == [("FAILED", "ModelImportRejected"), ("SUCCEEDED", None)]
    [message] = messages
    assert message.body["outcome"] == "REJECTED" and "'bad--name' is not allowed" in message.body["reason"]
