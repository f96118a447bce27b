"""The sandbox session itself: one at a time, nothing left running after close, faults only hit the
workflow's own calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import BedrockBehaviour, Fault, Faults, Sandbox
from sandbox.session import SandboxError

pytestmark = pytest.mark.workflow
REPO = Path(__file__).resolve().parents[2]


def test_closing_the_sandbox_stops_executions_still_running(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="stuck"))  # 240 checks: still running at close
    sb.upload_folder(sample)
    [running] = sb._raw_executions()
    assert running.exec_status == "RUNNING"
    sb.close()

    assert running.exec_status in ("ABORTED", "FAILED")  # FAILED when stopped mid-task: moto's executor races
    assert running.stop_date is not None


def test_only_one_session_can_be_open_at_a_time(sb) -> None:
    with pytest.raises(SandboxError, match="already open"):
        Sandbox(REPO).start()
    assert sb.stack is not None  # the open one is untouched


def test_faults_do_not_hit_the_sandbox_setting_itself_up(sandbox_factory, sample: Path) -> None:
    everything = [Fault(service, None, "InternalError", status=500) for service in ("s3", "sns", "sqs", "cloudformation")]
    sb = sandbox_factory(faults=Faults(everything))

    assert sb.bucket == "model-import-sandbox"
    assert sb.faults.injected == []


def test_time_compression_keeps_the_asl_and_the_waits_it_asks_for(sb, sample: Path) -> None:
    import json

    sb.upload_folder(sample)
    sb.wait_all()
    definition = json.loads(sb._client("stepfunctions").describe_state_machine(stateMachineArn=sb.state_machine_arn)["definition"])
    asl = json.loads((REPO / "statemachine" / "model_import.asl.json").read_text())

    assert definition["States"]["WaitBeforeCheck"] == asl["States"]["WaitBeforeCheck"]
    assert definition["States"]["StartBedrockImport"]["Retry"] == asl["States"]["StartBedrockImport"]["Retry"]
    assert sb.clock.waited_seconds == 120  # two 60 s waits, as the template's PollIntervalSeconds says
    assert sb.clock.scale < 0.001
