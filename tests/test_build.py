"""`sam build` of the real template with the Lambda runtime's Python (3.13), as `make build` does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = {
    "ValidateArtifactsFunction": "validate_artifacts",
    "AcquireImportSlotFunction": "acquire_import_slot",
    "CreateCustomModelFunction": "create_custom_model",
    "CheckModelStatusFunction": "check_model_status",
    "DeployModelFunction": "deploy_model",
    "SmokeTestFunction": "smoke_test",
    "PublishResultFunction": "publish_result",
}


def python313_dir() -> str:
    """Where python3.13 lives: pyenv's 3.13.0 when present, else the PATH (as the Makefile does)."""
    try:
        prefix = subprocess.run(["pyenv", "prefix", "3.13.0"], capture_output=True, text=True, check=True).stdout.strip()
        return str(Path(prefix) / "bin")
    except (OSError, subprocess.CalledProcessError):
        found = shutil.which("python3.13")
        if not found:  # one line, not a traceback: the machine lacks a tool, the code is fine
            pytest.fail(MISSING_PYTHON313, pytrace=False)
        return str(Path(found).parent)


MISSING_PYTHON313 = (
    "sam build needs Python 3.13 (the Lambda runtime) and none was found: install it "
    "(pyenv install 3.13.0, or your system's python3.13 package), then run make again"
)


def test_make_test_on_a_machine_without_python_3_13_stops_with_one_line_saying_what_to_install(tmp_path: Path) -> None:
    """Before anything is installed or run: no pyenv and no python3.13 on PATH, only the shell tools the
    Makefile's own variables use."""
    for tool in ("bash", "sh", "cat", "sha1sum", "cut"):
        (tmp_path / tool).symlink_to(shutil.which(tool) or f"/bin/{tool}")
    make = shutil.which("make")
    assert make is not None
    for target in ("test", "build"):
        result = subprocess.run([make, "--no-print-directory", target], cwd=REPO, env={"PATH": str(tmp_path), "HOME": str(tmp_path)},
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert result.returncode == 2 and result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.endswith(f"*** {MISSING_PYTHON313}.  Stop."), line


def test_sam_build_packages_each_function_and_the_shared_layer(tmp_path: Path) -> None:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    env["PATH"] = os.pathsep.join([python313_dir(), str(Path(sys.executable).parent), env.get("PATH", "")])
    build = tmp_path / "build"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "sam"), "build", "--template-file", str(REPO / "template.yaml"),
         "--build-dir", str(build), "--cache-dir", str(tmp_path / "cache"), "--base-dir", str(REPO)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for logical_id, folder in FUNCTIONS.items():
        built = build / logical_id
        assert (built / "app.py").read_text() == (REPO / "functions" / folder / "app.py").read_text()
        assert not (built / "aws_lambda_powertools").exists(), "Powertools comes from its public layer, not vendored"
    assert (build / "SharedCodeLayer" / "python" / "model_import" / "validation.py").is_file()
    assert "python3.13" in (build / "template.yaml").read_text()
