"""The payloads in events/ (for `sam local invoke -e`) work with the real handlers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import CREATE_ENV, POLL_ENV, VALIDATE_ENV

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "events"


def sample(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def test_every_sample_file_is_used_by_a_test_here() -> None:
    source = Path(__file__).read_text()
    assert sorted(p.name for p in EVENTS.glob("*.json") if f'"{p.name}"' not in source) == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("s3-object-created.json", "s3-event"),
        ("s3-object-created-wrong-depth.json", "s3-event"),
        ("manual-start-trigger.json", "manual-trigger"),
        ("manual-start-source.json", "manual-source"),
        ("manual-start-model-package.json", "manual-package"),
        ("sagemaker-model-package-approved.json", "model-registry"),
    ],
)
def test_execution_inputs_are_each_an_accepted_shape(name: str, kind: str) -> None:
    from model_import.inputs import parse_input

    assert parse_input(sample(name)).kind == kind


def _stage_demo_folder(aws, manifest: bytes) -> None:
    aws.put("incoming/nova-micro-demo/checkpoint/model.safetensors", b"weights")
    aws.put("incoming/nova-micro-demo/manifest.json", manifest)


def test_validate_payload_accepts_the_demo_folder(load_handler, aws, lambda_context) -> None:
    demo_manifest = REPO / "examples" / "nova-micro-demo" / "manifest.json"
    _stage_demo_folder(aws, demo_manifest.read_bytes())
    handler = load_handler("validate_artifacts", VALIDATE_ENV)
    request = handler.lambda_handler(sample("step-validate-artifacts.json"), lambda_context)
    assert request["modelName"] == "nova-micro-demo"
    assert request["sourceUri"] == json.loads(demo_manifest.read_text())["checkpoint_s3_bucket"]


def test_the_sagemaker_manifest_points_the_import_at_its_escrow_checkpoint(load_handler, aws, lambda_context) -> None:
    _stage_demo_folder(aws, (EVENTS / "sagemaker-manifest.json").read_bytes())
    handler = load_handler("validate_artifacts", VALIDATE_ENV)
    request = handler.lambda_handler(sample("step-validate-artifacts.json"), lambda_context)
    assert request["modelName"] == "nova-micro-sft-step100"
    assert request["sourceUri"] == sample("sagemaker-manifest.json")["checkpoint_s3_bucket"]


def test_the_wrong_depth_event_is_rejected_with_the_expected_layout(load_handler, aws, lambda_context) -> None:
    from model_import.errors import ImportRejected

    handler = load_handler("validate_artifacts", VALIDATE_ENV)
    payload = {"input": sample("s3-object-created-wrong-depth.json"), "execution": sample("step-validate-artifacts.json")["execution"]}
    with pytest.raises(ImportRejected, match="exactly one folder below 'incoming/'"):
        handler.lambda_handler(payload, lambda_context)


def test_create_payload_calls_bedrock_with_the_request(load_handler, bedrock_stub, lambda_context) -> None:
    payload = sample("step-create-custom-model.json")
    request = payload["request"]
    arn = "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc123"
    bedrock_stub.add_response(
        "create_custom_model",
        {"modelArn": arn},
        {
            "modelName": request["modelName"],
            "modelSourceConfig": {"s3DataSource": {"s3Uri": request["sourceUri"]}},
            "roleArn": CREATE_ENV["IMPORT_ROLE_ARN"],
            "modelTags": [{"key": k, "value": v} for k, v in sorted(request["tags"].items())],
            "clientRequestToken": request["clientRequestToken"],
        },
    )
    handler = load_handler("create_custom_model", CREATE_ENV)
    assert handler.lambda_handler(payload, lambda_context)["modelArn"] == arn


def test_check_payload_makes_one_status_check(load_handler, bedrock_stub, lambda_context) -> None:
    payload = sample("step-check-model-status.json")
    bedrock_stub.add_response(
        "get_custom_model",
        {"modelArn": payload["model"]["modelArn"], "modelName": "nova-micro-demo", "creationTime": "2026-11-27T14:00:00Z", "modelStatus": "Active"},
        {"modelIdentifier": payload["model"]["modelArn"]},
    )
    handler = load_handler("check_model_status", POLL_ENV)
    model = handler.lambda_handler(payload, lambda_context)
    assert (model["modelStatus"], model["checks"]) == ("Active", 3)


@pytest.mark.parametrize(("name", "outcome"), [("step-publish-result-active.json", "ACTIVE"), ("step-publish-result-rejected.json", "REJECTED")])
def test_publish_payloads_send_their_notification(load_handler, aws, publish_env, lambda_context, name: str, outcome: str) -> None:
    handler = load_handler("publish_result", publish_env)
    assert handler.lambda_handler(sample(name), lambda_context)["published"] is True
    [message] = aws.notifications()
    assert message["body"]["outcome"] == outcome
    assert message["subject"].startswith(f"Model import {outcome}: ")
    if outcome == "REJECTED":
        assert "Suggested: 'nova-micro'" in message["body"]["reason"]
