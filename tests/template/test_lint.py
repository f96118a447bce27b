"""The template passes SAM's and CloudFormation's own linters with nothing to report."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.template.loading import ROOT, TEMPLATE_PATH

BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_cfn_lint_reports_no_error_or_warning():
    result = _run(str(BIN / "cfn-lint"), "--format", "parseable", str(TEMPLATE_PATH))
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_sam_validate_lint_accepts_the_template():
    result = _run(str(BIN / "sam"), "validate", "--lint", "--template-file", str(TEMPLATE_PATH))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr
    assert not re.search(r"\b[EWI]\d{4}\b", result.stdout + result.stderr), result.stdout + result.stderr
