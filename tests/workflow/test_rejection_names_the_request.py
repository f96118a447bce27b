"""A request refused after its trigger file was read still names, in its REJECTED notification, what
the file asked for (sourceUri, modelPackageArn, the model name it gave): ValidateArtifacts sends
what it learned with its error (model_import/asked_for.py), since the state no longer holds the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.workflow.flow import ACCOUNT, ESCROW_URI, caught_error, model_folder

pytestmark = pytest.mark.workflow

FOREIGN_ESCROW = "s3://customer-escrow-999999999999-smtj-abc/job/step_1/"
PACKAGE = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/support-bot/3"
FOREIGN_PACKAGE = "arn:aws:sagemaker:us-east-1:999999999999:model-package/support-bot/3"

#: folder, trigger file, what the notification names (modelName, sourceUri, modelPackageArn), a part of the reason
CASES = {
    "a checkpoint in another account's escrow bucket": (
        "foreign", {"checkpoint_s3_bucket": FOREIGN_ESCROW}, ("foreign", FOREIGN_ESCROW, None), "account 999999999999",
    ),
    "a bad deploy member": (
        "warp", {"checkpoint_s3_bucket": ESCROW_URI, "deploy": {"mode": "warp"}}, ("warp", ESCROW_URI, None), '"deploy"',
    ),
    "a modelName breaking Bedrock's rule": (
        "folder", {"modelName": "my model", "modelPackageArn": PACKAGE}, ("my model", None, PACKAGE), "'my model' is not allowed",
    ),
    "a model package of another account": (
        "pkg", {"modelPackageArn": FOREIGN_PACKAGE}, ("pkg", None, FOREIGN_PACKAGE), "999999999999",
    ),
    "no source named, and the folder holds no model": (
        "own-folder", {}, ("own-folder", "s3://model-import-sandbox/incoming/own-folder/", None), "config.json is missing",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_rejected_trigger_file_is_named_in_the_notification(sb, tmp_path: Path, case: str) -> None:
    folder, manifest, (name, source, package), expected = CASES[case]
    sb.upload_folder(model_folder(tmp_path, folder, manifest))
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert (execution.error, body["outcome"]) == ("ModelImportRejected", "REJECTED")
    assert (body["modelName"], body["sourceUri"], body["modelPackageArn"]) == (name, source, package)
    assert body["trigger"]["key"] == f"incoming/{folder}/manifest.json"
    assert body["trigger"]["versionId"]  # as the trigger file was read, as an accepted request reports it
    assert expected in body["reason"] and "Asked for" not in body["reason"]
    assert body["importApi"] is None and body["modelArn"] is None


def test_the_history_shows_the_reason_then_what_was_asked_for(sb, tmp_path: Path) -> None:
    sb.upload_folder(model_folder(tmp_path, "foreign", {"checkpoint_s3_bucket": FOREIGN_ESCROW}))
    [execution] = sb.wait_all()
    error = caught_error(sb.history(execution.arn))

    assert error["Error"] == "ImportRejected"
    message = json.loads(error["Cause"])["errorMessage"]
    reason, _, asked = message.partition("\n\nAsked for: ")
    assert "account 999999999999" in reason
    assert json.loads(asked)["sourceUri"] == FOREIGN_ESCROW and json.loads(asked)["modelName"] == "foreign"


def test_a_rejected_manual_input_is_named_as_before(sb) -> None:
    sb.start_execution({"modelPackageArn": FOREIGN_PACKAGE, "modelName": "bad name"})
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert body["outcome"] == "REJECTED"
    assert (body["modelName"], body["sourceUri"], body["modelPackageArn"], body["trigger"]) == ("bad name", None, FOREIGN_PACKAGE, None)
