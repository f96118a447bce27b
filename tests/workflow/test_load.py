"""Many uploads at once while Bedrock throttles: every upload gets exactly one correct notification,
none is missing, none duplicated, and no model is created twice. (The 100-upload version, with
its counts and wall time, is bench/load_throttled.py.)"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sandbox import Faults

pytestmark = pytest.mark.workflow
UPLOADS = 20


def test_20_uploads_at_once_with_30_percent_throttling_each_get_one_correct_notification(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(faults=Faults.throttle_bedrock(0.3, seed=5))
    names = [f"load-{i:02d}" for i in range(UPLOADS)]
    with ThreadPoolExecutor(max_workers=UPLOADS) as pool:
        list(pool.map(lambda name: sb.upload_folder(sample, model_name=name), names))
    executions = sb.wait_all(timeout=120)
    messages = sb.messages()

    by_name = {e.input["detail"]["object"]["key"].split("/")[1]: e for e in executions}
    assert sorted(by_name) == names and len(executions) == UPLOADS  # one execution per upload
    assert Counter(m.body["modelName"] for m in messages) == Counter(names)  # none missing, none duplicated
    for message in messages:
        body, execution = message.body, by_name[message.body["modelName"]]
        assert (body["outcome"], body["modelStatus"], body["reason"]) == ("ACTIVE", "Active", None)
        assert body["executionArn"] == execution.arn and execution.status == "SUCCEEDED"
        assert body["trigger"]["key"] == f"incoming/{body['modelName']}/manifest.json"
        assert message.attributes == {"outcome": "ACTIVE", "modelName": body["modelName"], "importApi": "CreateCustomModel"}
    models = {m["modelName"]: m for m in sb.models()}
    assert sorted(models) == names and all(m["modelStatus"] == "Active" for m in models.values())
    assert {m.body["modelName"]: m.body["modelArn"] for m in messages} == {n: models[n]["modelArn"] for n in names}
    store = sb.bedrock_store()
    assert sorted(store.created) == names and store.conflicts == []  # no model created twice
    throttled = sum(
        1
        for execution in executions
        for event in sb.history(execution.arn)
        if event["type"] == "LambdaFunctionFailed" and event["lambdaFunctionFailedEventDetails"]["error"] == "BedrockThrottled"
    )
    assert throttled == sb.faults.count("bedrock") > UPLOADS // 2  # every throttle was retried, visibly
