"""Cold start: each handler module's import time in a fresh interpreter, against a minimal
Powertools handler measured in the same run, and the first invocation (where the deferred work
- boto3, clients, the Tracer - lands) against a Powertools handler with a module-level boto3
client making one S3 call.

Times are CPU seconds of the child process (wall time on a shared 2-core machine swings by 2x),
the median of --runs fresh processes. Each round runs every subject once, and each ratio is the
median of the per-round ratios, so load that changes between rounds cancels out.
The child gets a Lambda-like environment (tracing on, as the template's Tracing: Active) and
answers from bench/stub_aws.py. It runs on the Lambda runtime's Python, 3.13, from .venv-bench313
(`make bench313`: dev.txt's exact pins of Powertools and the SDK); without it, on this venv's
Python, and the rows say so. Each ratio's spread is the interquartile range of its per-round ratios.
Run alone: python -m bench.cold_start [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bench.stub_aws import StubAws
from bench.table import Row, median, ms, render

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "common"
CHILD = Path(__file__).resolve().parent / "_cold_child.py"
TARGET_RATIO = 1.2
BENCH313 = ROOT / ".venv-bench313" / "bin" / "python"


def child_python() -> tuple[str, str]:
    """(interpreter, label): the Lambda runtime's Python 3.13 when `make bench313` has built it."""
    if BENCH313.exists():
        return str(BENCH313), "Python 3.13"
    return sys.executable, f"Python {sys.version_info.major}.{sys.version_info.minor}, no .venv-bench313"

POWERTOOLS_ENV = {
    "POWERTOOLS_SERVICE_NAME": "bedrock-model-import",
    "POWERTOOLS_METRICS_NAMESPACE": "BedrockModelImport",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
POLL_ENV = {"POLL_INTERVAL_SECONDS": "60", "IMPORT_TIMEOUT_MINUTES": "240"}


@dataclass(frozen=True)
class Subject:
    name: str
    code_dir: Path
    event: str  # file under events/
    env: dict[str, str]
    layer: Path = LAYER  # the shared layer's folder, first on sys.path after the code
    flags: tuple[str, ...] = ()  # extra interpreter flags, e.g. -B: no bytecode written


BASELINE = Subject("Minimal Powertools handler", ROOT / "bench/baselines/minimal_logger", "step-validate-artifacts.json", {})
BOTO3_BASELINE = Subject("Powertools + boto3 client", ROOT / "bench/baselines/boto3_client", "step-validate-artifacts.json", {})
FUNCTIONS = (
    Subject("ValidateArtifacts", ROOT / "functions/validate_artifacts", "step-validate-artifacts.json", {
        "ARTIFACT_BUCKET": "model-import-sandbox", "INCOMING_PREFIX": "incoming/",
        "TRIGGER_FILE_NAME": "manifest.json", "ACCOUNT_ID": "123456789012",
        "ALLOWED_SOURCE_PREFIXES": "", "DEFAULT_TAGS": "", "STACK_NAME": "model-import-sandbox",
        "DEPLOY_AFTER_IMPORT": "none", "MAX_PROVISIONED_MODEL_UNITS": "0", "SMOKE_TEST_PROMPT": "",
    }),
    Subject("CreateCustomModel", ROOT / "functions/create_custom_model", "step-create-custom-model.json", {
        "IMPORT_ROLE_ARN": "arn:aws:iam::123456789012:role/bench", "MODEL_KMS_KEY_ARN": "", **POLL_ENV,
    }),
    Subject("CheckModelStatus", ROOT / "functions/check_model_status", "step-check-model-status.json", dict(POLL_ENV)),
    Subject("PublishResult", ROOT / "functions/publish_result", "step-publish-result-active.json", {
        "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:bench", "LEDGER_TABLE": "bench-ledger",
    }),
)


def _env(subject: Subject, endpoint: str) -> dict[str, str]:
    """What the Lambda runtime would set (tracing on, as Tracing: Active does), plus the stub endpoint."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_LAMBDA_FUNCTION_NAME": subject.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "LAMBDA_TASK_ROOT": str(subject.code_dir),
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        **POWERTOOLS_ENV,
        **subject.env,
    }


def measure_once(subject: Subject, endpoint: str, python: str) -> dict[str, float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [python, "-I", *subject.flags, str(CHILD), str(subject.code_dir), str(subject.layer),
             str(ROOT / "events" / subject.event), out.name],
            cwd=subject.code_dir, env=_env(subject, endpoint), check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        return json.loads(Path(out.name).read_text())


def measure(runs: int, python: str) -> dict[str, list[dict[str, float]]]:
    """Per subject, one sample per round; every round runs every subject once, in rotated order."""
    subjects = (BASELINE, BOTO3_BASELINE, *FUNCTIONS)
    samples: dict[str, list[dict[str, float]]] = {s.name: [] for s in subjects}
    with StubAws() as endpoint:
        for subject in subjects:  # warm-up: compile bytecode caches, fill the page cache
            measure_once(subject, endpoint, python)
        for i in range(runs):
            rotated = subjects[i % len(subjects):] + subjects[: i % len(subjects)]
            for subject in rotated:
                samples[subject.name].append(measure_once(subject, endpoint, python))
    return samples


def paired_ratios(mine: list[dict[str, float]], base: list[dict[str, float]], key: Callable[[dict[str, float]], float]) -> list[float]:
    """mine/baseline per round: both ran in the same round, under the same load."""
    return [key(m) / key(b) for m, b in zip(mine, base)]


def paired_ratio(mine: list[dict[str, float]], base: list[dict[str, float]], key: Callable[[dict[str, float]], float]) -> float:
    return median(paired_ratios(mine, base, key))


def spread(values: list[float]) -> tuple[float, float]:
    """The interquartile range: where the middle half of the rounds fell."""
    ordered = sorted(values)
    return ordered[len(ordered) // 4], ordered[(3 * len(ordered)) // 4]


def _import(sample: dict[str, float]) -> float:
    return sample["import_cpu"]


def _cold(sample: dict[str, float]) -> float:
    return sample["import_cpu"] + sample["first_cpu"]


def rows(runs: int = 31) -> list[Row]:
    python, label = child_python()
    samples = measure(runs, python)
    base, boto_base = samples[BASELINE.name], samples[BOTO3_BASELINE.name]
    low, high = spread([_import(b) for b in base])
    out = [Row("Cold start", f"runtime: {label}, {runs} rounds of fresh processes, interleaved",
               f"baseline import {ms(median(map(_import, base)))} (IQR {ms(low)}-{ms(high)})")]
    for subject in FUNCTIONS:
        mine = samples[subject.name]
        ratios = paired_ratios(mine, base, _import)
        ratio, (low, high) = median(ratios), spread(ratios)
        out.append(Row(
            "Cold start", f"{subject.name}: import app, CPU ({label})", ms(median(map(_import, mine))),
            f"{ms(median(map(_import, base)))} minimal Powertools handler", f"{ratio:.2f}x (IQR {low:.2f}-{high:.2f})",
            f"<= {TARGET_RATIO}x", ratio <= TARGET_RATIO,
        ))
    for subject in FUNCTIONS:
        mine = samples[subject.name]
        warm = median(sample["warm"] for sample in mine)
        out.append(Row(
            "Cold start", f"{subject.name}: import + 1st call, CPU (then {ms(warm)} warm; {label})", ms(median(map(_cold, mine))),
            f"{ms(median(map(_cold, boto_base)))} same + boto3 client, 1 S3 call",
            f"{paired_ratio(mine, boto_base, _cold):.2f}x",
        ))
    return out + sdk_rows()


# What `sam build` puts in the shared layer when layers/common/requirements.txt pins the SDK.
SDK_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")


def bundled_sdk_layer(python: str, into: Path, compiled: bool) -> Path:
    """A copy of the shared layer with the SDK bundled (from the bench venv's exact pins), with or
    without bytecode: Lambda's /opt is read-only, so a layer without .pyc files compiles every module
    it imports on each cold start."""
    site = Path(subprocess.run([python, "-c", "import boto3, os; print(os.path.dirname(os.path.dirname(boto3.__file__)))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    layer = into / ("compiled" if compiled else "source")
    shutil.copytree(LAYER / "model_import", layer / "model_import", ignore=shutil.ignore_patterns("__pycache__"))
    for name in SDK_DISTRIBUTIONS:
        source = site / name
        if source.is_dir():
            shutil.copytree(source, layer / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, layer / name)
    if compiled:
        subprocess.run([python, "-m", "compileall", "-q", str(layer)], check=True)
    return layer


def sdk_rows(runs: int = 11) -> list[Row]:
    """CreateCustomModel's cold start (import + first call) with the SDK from the runtime (here: the
    bench venv's site-packages) against the same SDK bundled in the shared layer, with and without .pyc."""
    python, label = child_python()
    runtime_sdk = next(s for s in FUNCTIONS if s.name == "CreateCustomModel")
    with tempfile.TemporaryDirectory() as tmp:
        compiled = replace(runtime_sdk, name="SDK in the layer, .pyc included", layer=bundled_sdk_layer(python, Path(tmp), True))
        source = replace(runtime_sdk, name="SDK in the layer, no .pyc", layer=bundled_sdk_layer(python, Path(tmp), False), flags=("-B",))
        subjects = (runtime_sdk, compiled, source)
        samples: dict[str, list[dict[str, float]]] = {s.name: [] for s in subjects}
        with StubAws() as endpoint:
            for subject in subjects:
                measure_once(subject, endpoint, python)
            for i in range(runs):
                for subject in subjects[i % 3:] + subjects[: i % 3]:
                    samples[subject.name].append(measure_once(subject, endpoint, python))
    base = samples[runtime_sdk.name]
    out = [Row("Cold start", f"CreateCustomModel import + 1st call, SDK from the runtime ({label})", ms(median(map(_cold, base))))]
    for subject in subjects[1:]:
        mine = samples[subject.name]
        ratios = paired_ratios(mine, base, _cold)
        low, high = spread(ratios)
        out.append(Row("Cold start", f"CreateCustomModel import + 1st call, {subject.name} ({label})", ms(median(map(_cold, mine))),
                       "SDK from the runtime", f"{median(ratios):.2f}x (IQR {low:.2f}-{high:.2f})"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    print(render(rows(args.runs)))


if __name__ == "__main__":
    main()
