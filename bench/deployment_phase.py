"""Deployment after import: what each mode adds to an import, in state transitions (what Step
Functions bills, $0.025 per 1,000) and Lambda invocations, measured on the real ASL and handlers in
the sandbox (time-compressed) at the default PollIntervalSeconds (60 s). The model turns Active on
its CHECKS-th check and the deployment (or Provisioned Throughput) is ready on its CHECKS-th check
too. Each mode is compared with the same kind of import without a deployment or smoke test.

Not counted: what Bedrock bills for the deployment itself (an on-demand deployment per token; a
Provisioned Throughput per model unit per hour until it is deleted), which the workflow cannot see.
Run alone: python -m bench.deployment_phase
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.table import Row, render

ROOT = Path(__file__).resolve().parent.parent
NOVA = ROOT / "examples" / "nova-micro-demo"
OPEN_WEIGHTS = ROOT / "examples" / "open-weights-demo"
PRICE_PER_TRANSITION = 0.025 / 1000
TIME_SCALE = 1e-5
CHECKS = 5  # ~5 min at 60 s per phase
SMOKE = {"prompt": "Say hello in five words", "maxTokens": 16}

#: label -> (example folder, trigger members, the baseline label)
MODES: dict[str, tuple[Path, dict[str, Any], str]] = {
    "checkpoint, no deployment": (NOVA, {}, ""),
    "checkpoint, on-demand + smoke test": (NOVA, {"deploy": {"mode": "on-demand"}, "smokeTest": SMOKE}, "checkpoint, no deployment"),
    "checkpoint, provisioned (1 MU) + smoke test": (NOVA, {"deploy": {"mode": "provisioned", "modelUnits": 1}, "smokeTest": SMOKE},
                                                   "checkpoint, no deployment"),
    "open weights, no smoke test": (OPEN_WEIGHTS, {}, ""),
    "open weights, smoke test only": (OPEN_WEIGHTS, {"smokeTest": SMOKE}, "open weights, no smoke test"),
}


def _folder(root: Path, label: str, example: Path, members: dict[str, Any]) -> Path:
    words = "".join(c if c.isalnum() else " " for c in label).split()
    name = "bench-" + "-".join(words)[:50].strip("-")  # single '-' separators: Bedrock's model name rule
    folder = root / name
    shutil.copytree(example, folder)
    manifest = json.loads((example / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, **members}))
    return folder


def measure() -> dict[str, tuple[int, int]]:
    """label -> (transitions, Lambda invocations) of its one import."""
    from sandbox import BedrockBehaviour, Sandbox

    parameters = {"PollIntervalSeconds": "60", "MaxProvisionedModelUnits": "1"}
    found: dict[str, tuple[int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp, Sandbox(
        ROOT, bedrock=BedrockBehaviour(outcome="active", polls=CHECKS), parameters=parameters, time_scale=TIME_SCALE
    ) as sb:
        names = {}
        for label, (example, members, _) in MODES.items():
            folder = _folder(Path(tmp), label, example, members)
            names[folder.name] = label
            sb.upload_folder(folder)
        executions = sb.wait_all(timeout=600)
        for execution in executions:
            body = next(b for b in sb.notifications() if b["executionArn"] == execution.arn)
            if execution.status != "SUCCEEDED":
                raise AssertionError(f"{body['modelName']}: {execution.status}: {body['reason']}")
            kinds = Counter(event["type"] for event in sb.history(execution.arn))
            transitions = sum(n for kind, n in kinds.items() if kind.endswith("StateEntered"))
            found[names[body["modelName"]]] = (transitions, kinds["LambdaFunctionScheduled"])
    return found


def rows() -> list[Row]:
    measured = measure()
    out = []
    for label, (_, _, baseline) in MODES.items():
        transitions, invocations = measured[label]
        value = f"{transitions} transitions, {invocations} invocations, ${transitions * PRICE_PER_TRANSITION:.5f}"
        if not baseline:
            out.append(Row("Deployment after import", label, value))
            continue
        base_t, base_i = measured[baseline]
        extra_t, extra_i = transitions - base_t, invocations - base_i
        out.append(Row(
            "Deployment after import", label, value, f"{base_t} transitions, {base_i} invocations",
            f"+{extra_t} transitions, +{extra_i} invocations, +${extra_t * PRICE_PER_TRANSITION:.5f}",
        ))
    return out


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
