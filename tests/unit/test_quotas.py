"""Bedrock's quota refusals of CreateCustomModel: a full concurrency quota is retried; a full
account ends REJECTED with a reason naming the quota, the models held and both ways out."""

from __future__ import annotations

import pytest

from model_import.errors import BedrockQuotaBusy, ImportRejected
from model_import.models import create_model
from tests.unit.test_models import REQUEST, SETTINGS, bedrock  # noqa: F401 - the fixture


def test_a_full_concurrency_quota_is_retried_not_reported(bedrock):
    bedrock.stub.add_client_error(
        "create_custom_model", "ServiceQuotaExceededException",
        "You have reached the maximum number of concurrent model imports (2) allowed for your account.", 400,
    )  # fmt: skip
    with pytest.raises(BedrockQuotaBusy):
        create_model(bedrock, REQUEST, SETTINGS)


def test_a_full_account_is_rejected_with_the_models_it_holds_and_both_commands(bedrock):
    bedrock.stub.add_client_error(
        "create_custom_model", "ServiceQuotaExceededException",
        "You have reached the maximum number of custom models (3) allowed for your account.", 400,
    )  # fmt: skip
    summary = {"modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abcdefghijkl",
               "modelName": "old", "creationTime": "2025-01-01T00:00:00Z", "baseModelArn": "arn:aws:bedrock:us-east-1::foundation-model/x", "baseModelName": "x"}  # fmt: skip
    bedrock.stub.add_response("list_custom_models", {"modelSummaries": [summary] * 2, "nextToken": "t"})
    bedrock.stub.add_response("list_custom_models", {"modelSummaries": [summary]})
    with pytest.raises(ImportRejected) as caught:
        create_model(bedrock, REQUEST, SETTINGS)
    reason = str(caught.value)
    assert "quota on the number of custom and imported models" in reason
    assert "the account holds 3 custom models now" in reason
    assert "aws bedrock delete-custom-model --model-identifier" in reason
    assert "aws bedrock delete-imported-model --model-identifier" in reason
    assert "aws service-quotas request-service-quota-increase --service-code bedrock --quota-code" in reason
    assert len(reason) < ImportRejected.REASON_MAX


def test_an_import_job_refused_for_a_full_account_counts_the_imported_models():
    """CreateModelImportJob's quota refusals are explained the same way, counting imported models."""
    from tests.support import new_client
    from tests.unit.test_import_job import REQUEST as JOB_REQUEST
    from tests.unit.test_import_job import SETTINGS as JOB_SETTINGS
    from botocore.stub import Stubber

    client = new_client("bedrock")
    summary = {"modelArn": "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcdefghijkl",
               "modelName": "old", "creationTime": "2025-01-01T00:00:00Z"}  # fmt: skip
    with Stubber(client) as stub:
        stub.add_client_error("create_model_import_job", "ServiceQuotaExceededException",
                              "You have reached the maximum number of imported models (3).", 400)  # fmt: skip
        stub.add_response("list_imported_models", {"modelSummaries": [summary] * 3})
        with pytest.raises(ImportRejected) as caught:
            create_model(client, JOB_REQUEST, JOB_SETTINGS)
        stub.add_client_error("create_model_import_job", "ServiceQuotaExceededException",
                              "Too many model import jobs in progress.", 400)  # fmt: skip
        with pytest.raises(BedrockQuotaBusy, match="CreateModelImportJob"):
            create_model(client, JOB_REQUEST, JOB_SETTINGS)
        stub.assert_no_pending_responses()
    reason = str(caught.value)
    assert "the account holds 3 imported models now" in reason
    assert "aws bedrock delete-imported-model --model-identifier" in reason
