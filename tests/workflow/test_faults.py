"""The fault matrix: each failure AWS or the code can throw at an import, injected into the real
workflow in the sandbox. Every test checks the four things a user relies on: (a) the outcome,
(b) exactly one notification, read back from the topic's SQS subscription, saying that outcome,
(c) the retries, as the execution history shows them per state, and (d) the models Bedrock holds.

Bedrock reporting Failed or never leaving Creating without any fault are in test_outcomes.py;
here they are combined with throttling on the way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox import BedrockBehaviour, Fault, Faults
from tests.workflow.flow import attempts, caught_error, states_entered

pytestmark = pytest.mark.workflow

THROTTLE = {"error": "ThrottlingException", "status": 429, "message": "Too many requests, please wait before trying again."}
OUTAGE = {"error": "InternalServerException", "status": 500, "message": "Internal server error"}


def _run(sb, sample: Path) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    """Upload the sample; return its one execution, its one notification's body, and its history."""
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [message] = sb.messages()  # exactly one notification
    body = message.body
    assert body["executionArn"] == execution.arn
    expected = {"outcome": body["outcome"], "modelName": body["modelName"], "importApi": body["importApi"]}
    assert message.attributes == {k: v for k, v in expected.items() if v}
    assert message.subject == f"Model import {body['outcome']}: {body['modelName'] or '(no model name)'}"
    return execution, body, sb.history(execution.arn)


def _statuses(sb) -> list[str]:
    return [m["modelStatus"] for m in sb.models()]


# ---------------------------------------------------------------- throttling


def test_30_percent_of_bedrock_calls_throttled_are_all_retried_and_the_import_goes_active(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(polls=4), faults=Faults.throttle_bedrock(0.3, seed=8))
    execution, body, history = _run(sb, sample)

    assert (execution.status, body["outcome"]) == ("SUCCEEDED", "ACTIVE")
    create, check = attempts(history, "StartBedrockImport"), attempts(history, "CheckImportStatus")
    assert "BedrockThrottled" in create and "BedrockThrottled" in check  # the seed throttles both steps
    assert create.count("BedrockThrottled") + check.count("BedrockThrottled") == sb.faults.count("bedrock") > 0
    assert set(create + check) == {"BedrockThrottled", None}  # nothing but throttles went wrong
    assert create[-1] is None and check.count(None) == 4  # each throttle retried until the call went through
    assert states_entered(history).count("CheckImportStatus") == 4  # retries are not extra checks
    assert _statuses(sb) == ["Active"]
    assert sb.bedrock_store().created == ["nova-micro-demo"]


@pytest.mark.parametrize(
    ("operation", "state", "expected"),
    [
        ("CreateCustomModel", "StartBedrockImport", ["BedrockThrottled"] * 5 + [None]),
        ("GetCustomModel", "CheckImportStatus", ["BedrockThrottled"] * 5 + [None, None]),
    ],
)
def test_five_throttles_in_a_row_are_retried_by_the_step_that_got_them(
    sandbox_factory, sample: Path, operation: str, state: str, expected: list[str | None]
) -> None:
    sb = sandbox_factory(faults=Faults([Fault("bedrock", operation, count=5, **THROTTLE)]))
    execution, body, history = _run(sb, sample)

    assert (execution.status, body["outcome"]) == ("SUCCEEDED", "ACTIVE")
    assert attempts(history, state) == expected
    other = "CheckImportStatus" if state == "StartBedrockImport" else "StartBedrockImport"
    assert "BedrockThrottled" not in attempts(history, other)
    assert sb.clock.backoff_seconds > 0  # the retries backed off (compressed), as the ASL says
    assert _statuses(sb) == ["Active"]
    assert sb.bedrock_store().calls.count("CreateCustomModel") == 1  # throttled calls never reached Bedrock


def test_throttling_that_outlasts_the_retries_ends_in_error_naming_it(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(faults=Faults([Fault("bedrock", "CreateCustomModel", **THROTTLE)]))
    execution, body, history = _run(sb, sample)

    assert (execution.error, body["outcome"]) == ("ModelImportErrored", "ERROR")
    assert attempts(history, "StartBedrockImport") == ["BedrockThrottled"] * 11  # the call and MaxAttempts 10 retries
    assert body["reason"].startswith("BedrockThrottled: bedrock CreateCustomModel: ThrottlingException")
    assert sb.models() == []


# ---------------------------------------------------------------- outages


def test_transient_internal_server_errors_are_retried_then_the_import_goes_active(sandbox_factory, sample: Path) -> None:
    faults = Faults([
        Fault("bedrock", "CreateCustomModel", count=2, **OUTAGE),
        Fault("bedrock", "GetCustomModel", count=1, **OUTAGE),
    ])  # fmt: skip
    sb = sandbox_factory(faults=faults)
    execution, body, history = _run(sb, sample)

    assert (execution.status, body["outcome"]) == ("SUCCEEDED", "ACTIVE")
    assert attempts(history, "StartBedrockImport") == ["BedrockUnavailable", "BedrockUnavailable", None]
    assert attempts(history, "CheckImportStatus") == ["BedrockUnavailable", None, None]
    assert body["modelStatus"] == "Active" and body["reason"] is None
    assert _statuses(sb) == ["Active"]


def test_get_custom_model_failing_mid_loop_is_retried_and_polling_carries_on(sandbox_factory, sample: Path) -> None:
    # The first check succeeds (Creating), the next three calls fail, then polling resumes.
    sb = sandbox_factory(
        bedrock=BedrockBehaviour(polls=4),
        faults=Faults([Fault("bedrock", "GetCustomModel", skip=1, count=3, **OUTAGE)]),
    )
    execution, body, history = _run(sb, sample)

    assert (execution.status, body["outcome"]) == ("SUCCEEDED", "ACTIVE")
    assert attempts(history, "CheckImportStatus") == [None] + ["BedrockUnavailable"] * 3 + [None, None, None]
    assert states_entered(history).count("CheckImportStatus") == 4
    assert sb.bedrock_store().models["nova-micro-demo"].status_checks == 4  # failed calls never reached Bedrock
    assert _statuses(sb) == ["Active"]


def test_bedrock_outage_that_outlasts_the_retries_ends_in_error(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(faults=Faults([Fault("bedrock", "GetCustomModel", **OUTAGE)]))
    execution, body, history = _run(sb, sample)

    assert (execution.error, body["outcome"]) == ("ModelImportErrored", "ERROR")
    assert attempts(history, "CheckImportStatus") == ["BedrockUnavailable"] * 11  # the call and MaxAttempts 10 retries
    assert caught_error(history)["Error"] == "BedrockUnavailable"
    assert body["reason"].startswith("BedrockUnavailable: bedrock GetCustomModel: InternalServerException")
    assert body["modelArn"] == sb.models()[0]["modelArn"]  # created, then lost sight of
    assert _statuses(sb) == ["Creating"]


def test_access_denied_from_bedrock_ends_in_error_without_retries(sandbox_factory, sample: Path) -> None:
    denied = Fault("bedrock", "CreateCustomModel", "AccessDeniedException", status=403,
                   message="User is not authorized to perform: bedrock:CreateCustomModel")  # fmt: skip
    sb = sandbox_factory(faults=Faults([denied]))
    execution, body, history = _run(sb, sample)

    assert (execution.error, body["outcome"]) == ("ModelImportErrored", "ERROR")
    assert attempts(history, "StartBedrockImport") == ["AwsCallFailed"]
    assert caught_error(history)["Error"] == "AwsCallFailed"
    assert body["reason"].startswith("AwsCallFailed: ") and "AccessDeniedException" in body["reason"]
    assert sb.models() == []


# ---------------------------------------------------------------- Bedrock's own answers, under throttling


def test_model_that_goes_failed_while_throttled_ends_failed_once(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(
        bedrock=BedrockBehaviour(outcome="failed", polls=3, failure_message="Unsupported checkpoint format"),
        faults=Faults([Fault("bedrock", "GetCustomModel", skip=1, count=2, **THROTTLE)]),
    )
    execution, body, history = _run(sb, sample)

    assert (execution.error, body["outcome"]) == ("ModelImportFailed", "FAILED")
    assert attempts(history, "CheckImportStatus") == [None, "BedrockThrottled", "BedrockThrottled", None, None]
    assert states_entered(history)[-4:] == ["RecordModelFailure", "PublishResult", "RouteOnOutcome", "ModelImportFailed"]
    assert (body["modelStatus"], body["reason"]) == ("Failed", "Unsupported checkpoint format")
    assert _statuses(sb) == ["Failed"]


def test_model_that_never_leaves_creating_times_out_once_despite_throttled_checks(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(
        bedrock=BedrockBehaviour(outcome="stuck"),
        faults=Faults([Fault("bedrock", "GetCustomModel", skip=2, count=3, **THROTTLE)]),
        parameters={"ImportTimeoutMinutes": "5"},
    )
    execution, body, history = _run(sb, sample)

    assert (execution.error, body["outcome"]) == ("ModelImportTimedOut", "TIMED_OUT")
    assert attempts(history, "CheckImportStatus") == [None, None] + ["BedrockThrottled"] * 3 + [None, None, None]
    assert states_entered(history).count("CheckImportStatus") == 5  # throttled retries do not eat into the deadline
    assert sb.clock.waited_seconds == 300
    assert body["modelStatus"] == "Creating" and "5 minutes" in body["reason"]
    assert _statuses(sb) == ["Creating"]


# ---------------------------------------------------------------- SNS


def test_sns_publish_failing_transiently_is_retried_and_sends_one_notification(sandbox_factory, sample: Path) -> None:
    faults = Faults([
        Fault("sns", "Publish", "InternalError", status=500, message="Internal error", count=2),
        Fault("sns", "Publish", "Throttling", status=400, message="Rate exceeded", count=1),
    ])  # fmt: skip
    sb = sandbox_factory(faults=faults)
    execution, body, history = _run(sb, sample)  # one message, not one per attempt

    assert (execution.status, body["outcome"]) == ("SUCCEEDED", "ACTIVE")
    assert attempts(history, "PublishResult") == ["NotificationUnavailable"] * 3 + [None]
    assert states_entered(history)[-2:] == ["RouteOnOutcome", "ModelImportSucceeded"]
    assert sb.faults.count("sns", "Publish") == 3
    assert _statuses(sb) == ["Active"]


def test_sns_outage_that_outlasts_the_retries_ends_notification_not_sent(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(faults=Faults([Fault("sns", "Publish", "InternalError", status=500, message="Internal error")]))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    history = sb.history(execution.arn)

    assert execution.error == "NotificationNotSent"
    assert attempts(history, "PublishResult") == ["NotificationUnavailable"] * 7  # the call and MaxAttempts 6 retries
    assert "RecordSuccess" in states_entered(history)  # the outcome is still in the history
    assert sb.messages() == []
    assert _statuses(sb) == ["Active"]


# ---------------------------------------------------------------- handlers crashing


@pytest.mark.parametrize(
    ("function", "state", "models"),
    [
        ("ValidateArtifactsFunction", "ValidateArtifacts", []),
        ("CreateCustomModelFunction", "StartBedrockImport", []),
        ("CheckModelStatusFunction", "CheckImportStatus", ["Creating"]),
    ],
)
def test_handler_crashing_with_an_unexpected_exception_ends_in_error_naming_it(
    sandbox_factory, sample: Path, function: str, state: str, models: list[str]
) -> None:
    sb = sandbox_factory(faults=Faults([Fault("lambda", function, "RuntimeError", crash=True, count=1)]))
    execution, body, history = _run(sb, sample)

    assert (execution.error, body["outcome"]) == ("ModelImportErrored", "ERROR")
    assert attempts(history, state) == ["InjectedCrash"]  # an unexpected exception is not retried
    assert caught_error(history)["Error"] == "InjectedCrash"
    expected = f"InjectedCrash: RuntimeError: injected crash of {function}"
    if models:  # the model was created before the crash: the reason says it may still finish
        expected += (". The model exists (last seen Creating) and the import may still finish: "
                     f"check it with 'aws bedrock get-custom-model --model-identifier {body['modelName']}'")  # fmt: skip
    assert body["reason"] == expected
    assert "Traceback" not in body["reason"]
    assert _statuses(sb) == models
    # A crash before ValidateArtifacts' code ran (an init error, a timeout) sends no context: the
    # state keeps the raw input on that path only (KeepTheRawInput), so the model is still named.
    assert body["modelName"] == "nova-micro-demo"
    assert ("KeepTheRawInput" in states_entered(history)) == (state == "ValidateArtifacts")


def test_publish_result_crashing_ends_notification_not_sent_with_the_outcome_in_the_history(sandbox_factory, sample: Path) -> None:
    # The one step that cannot report its own failure: the execution fails visibly instead.
    sb = sandbox_factory(faults=Faults([Fault("lambda", "PublishResultFunction", "RuntimeError", crash=True, count=1)]))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    history = sb.history(execution.arn)

    assert execution.error == "NotificationNotSent"
    assert attempts(history, "PublishResult") == ["InjectedCrash"]
    assert "RecordSuccess" in states_entered(history)
    assert sb.messages() == []
    assert _statuses(sb) == ["Active"]
