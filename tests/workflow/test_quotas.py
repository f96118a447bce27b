"""Bedrock's import quotas: a burst of uploads waits for one of MaxConcurrentImports slots (the
ledger's semaphore) instead of failing, and every path that ends an import gives its slot back."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sandbox import BedrockBehaviour, Fault, Faults
from sandbox.quotas import Quotas
from tests.workflow.flow import attempts, states_entered

pytestmark = pytest.mark.workflow
SAMPLE_FOLDER = Path(__file__).resolve().parents[2] / "examples" / "nova-micro-demo"


def _slots(sb) -> dict:
    item = sb._client("dynamodb").get_item(
        TableName=sb.stack.outputs["ImportLedgerTableName"], Key={"pk": {"S": "import-slots"}}, ConsistentRead=True
    ).get("Item", {})
    return {k: sorted(item.get(k, {}).get("M", {})) for k in ("holders", "waiters")}


def test_20_uploads_at_once_with_2_slots_all_end_active_and_bedrock_never_sees_more_than_2_in_flight(sandbox_factory, sample: Path) -> None:
    quotas = Quotas(concurrent=2)
    sb = sandbox_factory(bedrock=BedrockBehaviour(quotas=quotas), parameters={"MaxConcurrentImports": "2"})
    names = [f"burst-{i:02d}" for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda name: sb.upload_folder(sample, model_name=name), names))
    executions = sb.wait_all(timeout=300)
    bodies = [m.body for m in sb.messages()]

    assert Counter(b["modelName"] for b in bodies) == Counter(names)
    assert Counter(b["outcome"] for b in bodies) == {"ACTIVE": 20}
    assert all(e.status == "SUCCEEDED" for e in executions)
    assert quotas.peak_in_flight == 2 and quotas.refused == []  # the emulator's own record
    assert sum(1 for b in bodies if b["queuedSeconds"] > 0) >= 18 - 2  # most of the burst waited its turn
    assert all(isinstance(b["queuedSeconds"], int) for b in bodies)
    waited = [e for e in executions if "WaitForImportSlot" in states_entered(sb.history(e.arn))]
    assert waited  # the queue is visible in the history, in its own state
    assert _slots(sb)["holders"] == []  # every slot given back


def _two_in_a_row(sb, sample: Path, first: str, second: str) -> dict[str, dict]:
    sb.upload_folder(sample, model_name=first)
    sb.wait_all(timeout=300)
    assert _slots(sb)["holders"] == []  # the first import gave its slot back...
    sb.upload_folder(sample, model_name=second)
    sb.wait_all(timeout=300)
    return {m.body["modelName"]: m.body for m in sb.messages()}


@pytest.mark.parametrize(
    ("options", "outcome"),
    [
        ({"bedrock": BedrockBehaviour(per_model={"first": BedrockBehaviour(outcome="failed")})}, "FAILED"),
        ({"bedrock": BedrockBehaviour(per_model={"first": BedrockBehaviour(outcome="stuck")}),
          "parameters": {"ImportTimeoutMinutes": "5"}}, "TIMED_OUT"),
        ({"faults": Faults([Fault("bedrock", "CreateCustomModel", "AccessDeniedException", status=403, count=1)])}, "ERROR"),
        ({"faults": Faults([Fault("lambda", "CheckModelStatusFunction", "RuntimeError", crash=True, count=1)])}, "ERROR"),
    ],
    ids=["FAILED", "TIMED_OUT", "ERROR", "crashed-CheckModelStatus"],
)
def test_every_terminal_path_gives_the_slot_back(sandbox_factory, sample: Path, options: dict, outcome: str) -> None:
    parameters = {"MaxConcurrentImports": "1", **options.pop("parameters", {})}
    sb = sandbox_factory(parameters=parameters, **options)
    bodies = _two_in_a_row(sb, sample, "first", "second")
    assert bodies["first"]["outcome"] == outcome
    assert (bodies["second"]["outcome"], bodies["second"]["queuedSeconds"]) == ("ACTIVE", 0)  # ...so the next found it free


def test_a_duplicate_delivery_neither_takes_a_slot_nor_frees_the_one_the_import_holds(sandbox_factory, sample: Path) -> None:
    quotas = Quotas(concurrent=1)
    sb = sandbox_factory(bedrock=BedrockBehaviour(quotas=quotas, polls=6), parameters={"MaxConcurrentImports": "1"})
    sb.upload_folder(sample, model_name="dup", repeat=3)  # one upload, its event delivered three times
    sb.upload_folder(sample, model_name="other")
    executions = sb.wait_all(timeout=300)
    histories = {e.arn: states_entered(sb.history(e.arn)) for e in executions}
    duplicates = [arn for arn, states in histories.items() if "IgnoreDuplicateDelivery" in states]
    assert len(duplicates) == 2
    assert all("AcquireImportSlot" not in histories[arn] for arn in duplicates)  # never queued, never held
    assert quotas.peak_in_flight == 1 and quotas.refused == []
    assert Counter(m.body["outcome"] for m in sb.messages()) == {"ACTIVE": 2}
    assert _slots(sb) == {"holders": [], "waiters": []}


def test_an_account_at_its_model_quota_ends_rejected_with_the_count_and_both_ways_out_without_a_retry_storm(
    sandbox_factory, sample: Path
) -> None:
    quotas = Quotas(models=2)
    sb = sandbox_factory(bedrock=BedrockBehaviour(quotas=quotas), parameters={"MaxConcurrentImports": "3"})
    for name in ("kept-1", "kept-2"):
        sb.upload_folder(sample, model_name=name)
    sb.wait_all(timeout=300)
    sb.upload_folder(sample, model_name="one-too-many")
    executions = sb.wait_all(timeout=300)
    body = next(m.body for m in sb.messages() if m.body["modelName"] == "one-too-many")
    assert (body["outcome"], body["modelArn"]) == ("REJECTED", None)
    reason = body["reason"]
    assert "quota on the number of custom and imported models" in reason and "the account holds 2 custom models now" in reason
    assert "aws bedrock delete-custom-model --model-identifier" in reason
    assert "aws service-quotas request-service-quota-increase --service-code bedrock --quota-code" in reason
    (execution,) = [e for e in executions if "one-too-many" in str(e.input)]
    history = sb.history(execution.arn)
    assert attempts(history, "StartBedrockImport") == ["ImportRejected"]  # one call, no retry storm
    assert quotas.refused == [("models", "one-too-many")] and _slots(sb)["holders"] == []


def test_a_concurrency_quota_hit_anyway_is_retried_until_it_clears(sandbox_factory, sample: Path) -> None:
    """The stack allows 3 at once, the account only 1 (another stack, a lowered quota): the refused
    creates are retried with a long backoff and every import still ends ACTIVE."""
    quotas = Quotas(concurrent=1)
    sb = sandbox_factory(bedrock=BedrockBehaviour(quotas=quotas), parameters={"MaxConcurrentImports": "3"})
    names = [f"over-{i}" for i in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda name: sb.upload_folder(sample, model_name=name), names))
    executions = sb.wait_all(timeout=600)
    assert Counter(m.body["outcome"] for m in sb.messages()) == {"ACTIVE": 3}
    retried = [a for e in executions for a in attempts(sb.history(e.arn), "StartBedrockImport") if a]
    assert retried and set(retried) == {"BedrockQuotaBusy"} and len(retried) == len(quotas.refused)
    assert quotas.peak_in_flight == 1


@pytest.mark.parametrize("value", ["concurrent=0", "models=two", "jobs=3", "concurrent"])
def test_a_bad_quota_option_exits_2_with_one_line(value: str) -> None:
    from tests.workflow.test_cli import run

    code, out, err = run("--artifacts", str(SAMPLE_FOLDER), "--quota", value)
    assert code == 2 and out == "" and err.count("\n") == 1 and "--quota" in err


def test_an_import_within_the_quota_option_ends_active() -> None:
    import json

    from tests.workflow.test_cli import run

    code, out, _ = run("--artifacts", str(SAMPLE_FOLDER), "--quota", "concurrent=1,models=1", "--json")
    document = json.loads(out)
    assert code == 0 and [n["outcome"] for n in document["notifications"]] == ["ACTIVE"]
    assert Quotas.parse("concurrent=1,models=1") == Quotas(concurrent=1, models=1)
