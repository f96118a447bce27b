"""The README's "Drive the sandbox with your own tools" example runs as written, with the pinned
AWS CLI, and shows what it says: the ACTIVE notification, the Active model, the execution."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.workflow import notification_schema

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]
SECTION = re.search(r"## Drive the sandbox with your own tools\n(.*?)\n## ", (REPO / "README.md").read_text(), flags=re.S)


def test_the_readme_example_runs_and_ends_with_an_active_model() -> None:
    assert SECTION is not None
    [script] = re.findall(r"```bash\n(.*?)```", SECTION.group(1), flags=re.S)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"  # `aws` is the pinned CLI
    result = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script + "\nwait $SERVER\n"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

    out = result.stdout
    assert out.startswith("make_bucket: customer-escrow-123456789012-smtj-abc123\n")
    start = out.index("\n{") + 1  # the SNS envelope, as the queue holds it (JSON over several lines)
    envelope, end = json.JSONDecoder().raw_decode(out, start)
    body = notification_schema.check(json.dumps(envelope))
    status, executions = out[end:].strip().split("\n", 1)
    assert (body["outcome"], body["modelName"]) == ("ACTIVE", "my-model")
    assert body["sourceUri"] == "s3://customer-escrow-123456789012-smtj-abc123/my-model/step_100/"
    assert status == "Active"
    assert json.loads(executions) == ["SUCCEEDED"]
