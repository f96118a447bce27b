"""The AWS reads behind `list` and `show`: Step Functions (ListExecutions, DescribeExecution,
GetExecutionHistory) and the ledger (DynamoDB GetItem). Nothing is stored anywhere else."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from imports.layer import ledger_key
from imports.progress import Progress
from imports.record import DUPLICATE, ImportRecord, build_record
from imports.stack import Stack
from imports.timeline import last_input_of, last_state_data, parse_json

# How many history events to read back from the end first: a finished import's last ~10-20 events
# hold its final state data; a running one's last state entered is among them too.
TAIL_EVENTS = 100
WORKERS = 8


class Source:
    def __init__(self, clients: Any, stack: Stack, progress: Progress | None = None) -> None:
        self.sfn = clients("stepfunctions")
        self.dynamodb = clients("dynamodb")
        self.stack = stack
        self.progress = progress or Progress("reading imports", enabled=False)

    def summaries(self, since: datetime | None) -> Iterator[dict[str, Any]]:
        """ListExecutions' summaries of executions started since `since`. ListExecutions sorts
        "by time, with the most recent execution first. Running executions are sorted by their
        startDate or redriveDate, and other executions are sorted by their stopDate" (its API
        reference): so paging stops at the first one whose sort time is before `since`, and those
        that ended since but started before are skipped."""
        kwargs: dict[str, Any] = {"stateMachineArn": self.stack.state_machine_arn, "maxResults": 100}
        while True:
            page = self.sfn.list_executions(**kwargs)
            for summary in page.get("executions", []):
                if since is not None and sort_time(summary) < since:
                    return
                if since is None or summary["startDate"] >= since:
                    yield summary
            if not page.get("nextToken"):
                return
            kwargs["nextToken"] = page["nextToken"]

    def describe(self, execution_arn: str) -> dict[str, Any]:
        return self.sfn.describe_execution(executionArn=execution_arn)

    def history(self, execution_arn: str, tail: bool = False) -> list[dict[str, Any]]:
        """Every event, oldest first; with tail=True the newest events until the last state data is
        among them (reverseOrder), so a long-polling import does not cost its whole history."""
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": TAIL_EVENTS if tail else 1000}
        if tail:
            kwargs["reverseOrder"] = True
        while True:
            page = self.sfn.get_execution_history(**kwargs)
            events += page.get("events", [])
            if tail and last_state_data(events)[1] is not None:
                break
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        return sorted(events, key=lambda e: e["id"])

    def record(self, execution_arn: str, events: list[dict[str, Any]] | None = None) -> ImportRecord:
        execution = self.describe(execution_arn)
        output = parse_json(execution.get("output"))
        if events is None and execution["status"] == "SUCCEEDED" and isinstance(output, dict) and "execution" in output:
            record = build_record(execution, None, output)  # a Succeed state's output is its state data
        else:
            events = events if events is not None else self.history(execution_arn, tail=True)
            name, data = last_state_data(events)
            record = build_record(execution, name, data, last_input_of(events, "PublishResult"))
        if record.outcome == DUPLICATE and record.duplicate_of is None and record.token:
            item = self.ledger_item(record.token)
            if item:
                record.duplicate_of = item.get("claimedBy") or item.get("notifiedBy")
        self.progress.step()
        return record

    def records(self, since: datetime | None, limit: int | None = None) -> list[ImportRecord]:
        summaries = []
        for summary in self.summaries(since):
            summaries.append(summary)
            self.progress.step(0, total=len(summaries))
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            records = list(pool.map(lambda s: self.record(s["executionArn"]), summaries))
        self.progress.finish()
        records.sort(key=lambda r: r.started, reverse=True)  # newest first, by start
        return fold_duplicates(records)

    def ledger_item(self, key: str) -> dict[str, str] | None:
        """The ledger's item for a request token (None once it expired: 7 days after notifying)."""
        item = self.dynamodb.get_item(TableName=self.stack.ledger_table, Key={"pk": {"S": key}}).get("Item")
        if not item:
            return None
        return {name: value.get("S") or value.get("N") for name, value in item.items()}

    def ledger_item_for(self, state: dict[str, Any]) -> dict[str, str] | None:
        return self.ledger_item(ledger_key(state))


def sort_time(summary: dict[str, Any]) -> datetime:
    """The time ListExecutions sorts an execution by (see Source.summaries)."""
    if summary.get("status") == "RUNNING":
        return summary.get("redriveDate") or summary["startDate"]
    return summary.get("stopDate") or summary["startDate"]


def fold_duplicates(records: list[ImportRecord]) -> list[ImportRecord]:
    """A duplicate delivery becomes a note on the import it duplicates, when that one is listed too;
    otherwise it stays a row of its own, with outcome DUPLICATE."""
    by_arn = {r.execution_arn: r for r in records}
    kept = []
    for record in records:
        original = by_arn.get(record.duplicate_of or "")
        if record.outcome == DUPLICATE and original is not None and original is not record:
            original.duplicates.append(record.execution_arn)
        else:
            kept.append(record)
    return kept
