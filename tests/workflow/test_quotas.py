"""Bedrock's import quotas: a burst of uploads waits for one of MaxConcurrentImports slots (the
ledger's semaphore) instead of failing, and every path that ends an import gives its slot back."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sandbox import BedrockBehaviour, Fault, Faults
from sandbox.quotas import Quotas
from tests.workflow.flow import states_entered

pytestmark = pytest.mark.workflow


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
