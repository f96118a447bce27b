"""python -m imports list/show against the sandbox, after a mixed set of imports: one ACTIVE (its
upload delivered twice), one FAILED, one REJECTED and one still polling. The command's boto3 calls
reach the sandbox in-process; what it prints is held against what really happened there: the
executions, their histories, the models and the SNS messages."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox import BedrockBehaviour, Faults, Sandbox
from tests.workflow.conftest import REPO
from tests.workflow.flow import model_folder, states_entered
from tests.workflow.status_cli import ESCROW, run

pytestmark = pytest.mark.workflow

BEHAVIOUR = BedrockBehaviour(
    outcome="active",
    polls=2,
    per_model={"broken-model": BedrockBehaviour(outcome="failed", polls=2), "slow-model": BedrockBehaviour(outcome="stuck")},
)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = tmp_path_factory.mktemp("models")
    with Sandbox(REPO, bedrock=BEHAVIOUR, faults=Faults()) as sb:
        sb.upload_folder(model_folder(root, "good-model", manifest=ESCROW), repeat=2)
        sb.upload_folder(model_folder(root, "broken-model", manifest=ESCROW))
        sb.upload_folder(model_folder(root, "Bad Name!", manifest=ESCROW))
        sb.upload_folder(model_folder(root, "slow-model", manifest=ESCROW))
        deadline = time.monotonic() + 60
        while sb.running() > 1 or len(sb.notifications()) < 3:  # all but the stuck one have notified
            assert time.monotonic() < deadline, "the finishing imports did not finish"
            time.sleep(0.02)
        # Time runs at its real pace from here: the stuck import's next WaitBeforeCheck lasts the real
        # PollIntervalSeconds (60 s), so it is still running, in that state, while the tests read it
        # (closing the sandbox stops it, and a stopped execution's wait ends at once).
        sb.clock.scale = 1.0
        [slow] = [e for e in sb.executions() if e.status == "RUNNING"]
        while sb.states_entered(slow.arn)[-1] != "WaitBeforeCheck":
            assert time.monotonic() < deadline, "the stuck import did not reach WaitBeforeCheck"
            time.sleep(0.02)
        yield sb


def _by_model(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["modelName"]: row for row in document["imports"]}


def _notification(sb: Sandbox, model: str) -> dict[str, Any]:
    [body] = [b for b in sb.notifications() if b["modelName"] == model]
    return body


def test_list_json_has_one_row_per_import_with_its_outcome_model_and_link(mixed: Sandbox) -> None:
    code, out, err = run("list", "--stack", mixed.stack.name, "--json")
    assert code == 0, err
    document = json.loads(out)
    rows = _by_model(document)
    assert document["stack"] == mixed.stack.name
    assert len(document["imports"]) == 4  # the duplicate delivery is no import of its own
    assert {name: row["outcome"] for name, row in rows.items()} == {
        "good-model": "ACTIVE", "broken-model": "FAILED", "Bad Name!": "REJECTED", "slow-model": "RUNNING",
    }
    models = {m["modelName"]: m for m in mixed.models()}
    for name in ("good-model", "broken-model", "slow-model"):
        assert rows[name]["modelArn"] == models[name]["modelArn"]
    assert rows["Bad Name!"]["modelArn"] is None
    for name, row in rows.items():
        assert row["trigger"]["key"] == mixed.trigger_key(name)
        assert row["importApi"] == "CreateCustomModel"  # no importApi in the request yet
        assert row["consoleUrl"].endswith("#/v2/executions/details/" + row["executionArn"])
        assert row["durationSeconds"] >= 0
    # Newest first, as ListExecutions gives them.
    started = [row["startedAt"] for row in document["imports"]]
    assert started == sorted(started, reverse=True)
    # The reason is the one the notification carried.
    for name in ("broken-model", "Bad Name!"):
        assert rows[name]["reason"] == _notification(mixed, name)["reason"]
    assert rows["good-model"]["reason"] is None


def test_list_json_shows_a_running_import_in_its_current_state(mixed: Sandbox) -> None:
    row = _by_model(json.loads(run("list", "--stack", mixed.stack.name, "--json")[1]))["slow-model"]
    assert row["status"] == "RUNNING" and row["stoppedAt"] is None
    assert row["state"] == "WaitBeforeCheck"
    assert row["modelStatus"] == "Creating"
    assert states_entered(mixed.history(row["executionArn"]))[-1] == "WaitBeforeCheck"


def test_a_duplicate_delivery_is_folded_into_the_import_it_duplicates(mixed: Sandbox) -> None:
    row = _by_model(json.loads(run("list", "--stack", mixed.stack.name, "--json")[1]))["good-model"]
    [duplicate] = row["duplicates"]
    assert states_entered(mixed.history(duplicate))[-1] == "IgnoreDuplicateDelivery"
    assert states_entered(mixed.history(row["executionArn"]))[-1] == "ModelImportSucceeded"
    code, out, _ = run("show", duplicate, "--stack", mixed.stack.name, "--json")
    shown = json.loads(out)
    assert code == 0
    assert shown["import"]["outcome"] == "DUPLICATE"
    assert shown["import"]["duplicateOf"] == row["executionArn"]  # read from the ledger's claim
    assert shown["notification"] is None


def test_list_table_shows_the_same_imports_for_a_person(mixed: Sandbox) -> None:
    code, out, err = run("list", "--stack", mixed.stack.name)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["STARTED", "DURATION", "OUTCOME/STATE", "MODEL", "API", "DEPLOYMENT", "SMOKE", "TRIGGER"]
    rows = [line for line in lines[1:] if not line.startswith(" ")]
    assert len(rows) == 4
    document = json.loads(run("list", "--stack", mixed.stack.name, "--json")[1])
    for line, row in zip(rows, document["imports"]):  # same order as the JSON
        assert row["modelName"] in line and "CreateCustomModel" in line
        assert f"s3://{mixed.bucket}/{row['trigger']['key']}" in line
    good = next(line for line in rows if "good-model" in line)
    assert "ACTIVE (+1 duplicate delivery)" in good
    slow = next(line for line in rows if "slow-model" in line)
    assert "WaitBeforeCheck (Creating)" in slow
    assert "FAILED" in next(line for line in rows if "broken-model" in line)
    assert "REJECTED" in next(line for line in rows if "Bad Name!" in line)
    for line in rows:  # no deployment or smoke test was asked for: both columns say so
        assert line.split("CreateCustomModel")[1].split()[:2] == ["-", "-"], line
    for model in mixed.models():
        assert f"    model:    {model['modelArn']}" in lines
    for row in document["imports"]:
        assert f"    console:  {row['consoleUrl']}" in lines
    assert any(line.startswith("    reason:   ") and "no supported checkpoint" in line for line in lines)


def test_list_filters_by_outcome_and_limit(mixed: Sandbox) -> None:
    document = json.loads(run("list", "--stack", mixed.stack.name, "--json", "--outcome", "failed,REJECTED")[1])
    assert sorted(row["modelName"] for row in document["imports"]) == ["Bad Name!", "broken-model"]
    everything = json.loads(run("list", "--stack", mixed.stack.name, "--json", "--since", "1h")[1])["imports"]
    newest = json.loads(run("list", "--stack", mixed.stack.name, "--json", "--limit", "1")[1])["imports"]
    assert [row["executionArn"] for row in newest] == [everything[0]["executionArn"]]


def test_show_by_model_name_gives_the_timeline_and_the_notification_as_sent(mixed: Sandbox) -> None:
    code, out, err = run("show", "good-model", "--stack", mixed.stack.name, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["import"]["outcome"] == "ACTIVE"
    history = mixed.history(shown["import"]["executionArn"])
    assert [step["state"] for step in shown["timeline"]] == states_entered(history)
    assert shown["notification"]["body"] == _notification(mixed, "good-model")  # byte for byte what SNS got
    assert shown["notification"]["messageId"] in {m.message_id for m in mixed.messages()}
    assert shown["notification"]["publishResult"] == {"outcome": "ACTIVE", "published": True, "duplicateOf": None}
    assert shown["end"]["type"] == "ExecutionSucceeded"


def test_show_by_trigger_key_gives_the_reason_in_full(mixed: Sandbox) -> None:
    code, out, err = run("show", mixed.trigger_key("Bad Name!"), "--stack", mixed.stack.name)
    assert code == 0, err
    reason = _notification(mixed, "Bad Name!")["reason"]
    assert f"  reason:     {reason}" in out.splitlines()
    assert out.splitlines()[0] == "Import of Bad Name!: REJECTED"
    assert "ValidateArtifacts" in out and "ImportRejected: " in out and "ModelImportRejected" in out
    assert '"outcome": "REJECTED"' in out  # the notification it sent


def test_show_by_execution_arn_of_a_failed_import(mixed: Sandbox) -> None:
    arn = _notification(mixed, "broken-model")["executionArn"]
    code, out, err = run("show", arn, "--stack", mixed.stack.name, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["import"]["outcome"] == "FAILED"
    assert shown["import"]["reason"] == _notification(mixed, "broken-model")["reason"]
    assert shown["notification"]["body"] == _notification(mixed, "broken-model")
    checks = [step for step in shown["timeline"] if step["state"] == "CheckImportStatus"]
    assert len(checks) == 2 and all(step["attempts"] == 1 for step in checks)


def test_show_of_a_running_import_has_no_notification_yet(mixed: Sandbox) -> None:
    code, out, err = run("show", "slow-model", "--stack", mixed.stack.name)
    assert code == 0, err
    assert out.splitlines()[0].startswith("Import of slow-model: ")
    assert out.splitlines()[0] == "Import of slow-model: WaitBeforeCheck (Creating)"
    assert "running for" in out
    assert "  none (this execution did not notify" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--stack", "no-such-stack"], "stack 'no-such-stack' not found"),
        (["show", "never-uploaded", "--stack", "model-import-sandbox"], "no import of 'never-uploaded'"),
        (["show", "arn:aws:states:us-east-1:123456789012:execution:other-machine:x", "--stack", "model-import-sandbox"], "is not an execution of stack"),
        (["list", "--stack", "model-import-sandbox", "--outcome", "GREAT"], "--outcome takes"),
    ],
)
def test_what_cannot_be_answered_is_one_line_and_exit_status_2(mixed: Sandbox, args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_a_stack_that_is_not_this_application_is_named_as_such(mixed: Sandbox) -> None:
    cfn = mixed._client("cloudformation")
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}}}
    cfn.create_stack(StackName="someone-elses-stack", TemplateBody=json.dumps(template))
    code, out, err = run("list", "--stack", "someone-elses-stack")
    assert code == 2 and out == ""
    assert err == "error: stack 'someone-elses-stack' is not a Bedrock model import stack: it has no output StateMachineArn, ImportLedgerTableName\n"
