"""Big sources: ValidateArtifacts for a trigger folder of 10,000 objects in moto's S3, beside the
same folder with one object (the baseline, in the same run). Counts every S3 request the
validator makes (a botocore hook on the client) and every byte it reads from object bodies.

The trigger names its SageMaker escrow checkpoint, which the validator neither lists nor reads
(the bucket is Amazon-managed); whatever else the folder holds costs nothing: one GetObject of
the trigger file. A second layout puts 9,999 folder-marker keys beside it.
Wall times are moto's, in-process: they show how the cost scales, not S3's latency.
Run alone: python -m bench.big_source [--objects N]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.table import Row, kib, ms, render

BUCKET = "model-import-bench"
PREFIX = "incoming/"
TRIGGER_NAME = "manifest.json"
ACCOUNT_ID = "123456789012"
OBJECT_BYTES = 1024
LIST_PAGE_KEYS = 1000  # S3's (and moto's) ListObjectsV2 page size


@dataclass
class Traffic:
    """What the validator asked of S3."""

    requests: Counter = field(default_factory=Counter)
    trigger_bytes: int = 0
    artifact_bytes: int = 0

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


class CountingBody:
    """A GetObject body that counts the bytes the caller actually reads."""

    def __init__(self, body: Any, on_read: Any) -> None:
        self._body, self._on_read = body, on_read

    def read(self, *args: Any) -> bytes:
        data = self._body.read(*args)
        self._on_read(len(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._body, name)


def instrument(s3: Any, traffic: Traffic, trigger_keys: set[str]) -> None:
    def count_request(event_name: str, **_: Any) -> None:
        traffic.requests[event_name.rsplit(".", 1)[-1]] += 1

    def wrap_body(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        key = context.get("bench_key")
        if "Body" not in parsed:
            return

        def on_read(size: int) -> None:
            if key in trigger_keys:
                traffic.trigger_bytes += size
            else:
                traffic.artifact_bytes += size

        parsed["Body"] = CountingBody(parsed["Body"], on_read)

    def remember_key(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_key"] = params.get("Key")

    s3.meta.events.register("before-call.s3", count_request)
    s3.meta.events.register("before-parameter-build.s3.GetObject", remember_key)
    s3.meta.events.register("after-call.s3.GetObject", wrap_body)


def _fill(folder: str, objects: int, layout: str) -> int:
    """Put `objects` keys in the folder straight into moto's backend (the S3 API would take
    ~25 s for 10,000); return the folder's total bytes."""
    from moto.s3.models import s3_backends

    backend = s3_backends[ACCOUNT_ID]["aws"]
    total = 0
    for i in range(objects):
        if layout == "artifacts":
            key, body = f"{PREFIX}{folder}/model-{i:05d}-of-{objects:05d}.safetensors", b"\0" * OBJECT_BYTES
        elif i < objects - 1:  # "markers": folder markers first, the one artifact last
            key, body = f"{PREFIX}{folder}/checkpoints/step-{i:05d}/", b""
        else:
            key, body = f"{PREFIX}{folder}/zz-model.safetensors", b"\0" * OBJECT_BYTES
        backend.put_object(BUCKET, key, body)
        total += len(body)
    return total


@dataclass(frozen=True)
class Result:
    objects: int
    source_bytes: int
    traffic: Traffic
    seconds: float


def run_case(s3: Any, settings: Any, folder: str, objects: int, layout: str) -> Result:
    from model_import.validation import validate

    source_bytes = _fill(folder, objects, layout)
    trigger_key = f"{PREFIX}{folder}/{TRIGGER_NAME}"
    s3.put_object(Bucket=BUCKET, Key=trigger_key, Body=b'{"checkpoint_s3_bucket": "s3://customer-escrow-123456789012-smtj-bench/big/step_1/", "tags": {"size": "big"}}')
    traffic = Traffic()
    instrument(s3, traffic, {trigger_key})
    started = time.perf_counter()
    result = validate({"bucket": BUCKET, "key": trigger_key}, f"arn:aws:states:us-east-1:{ACCOUNT_ID}:execution:bench:{folder}",
                      settings, s3)
    seconds = time.perf_counter() - started
    assert result.request.source_uri, result
    return Result(objects, source_bytes, traffic, seconds)


def measure(objects: int) -> dict[str, Result]:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from moto import mock_aws

    from model_import.settings import ValidateSettings

    settings = ValidateSettings(
        artifact_bucket=BUCKET, incoming_prefix=PREFIX, trigger_file_name=TRIGGER_NAME, account_id=ACCOUNT_ID,
        allowed_source_prefixes=(), default_tags={},
    )
    with mock_aws():
        setup = boto3.client("s3", region_name="us-east-1")
        setup.create_bucket(Bucket=BUCKET)
        setup.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        run_case(boto3.client("s3", region_name="us-east-1"), settings, "warm-up", 1, "artifacts")
        cases = {"small": ("small-model", 1, "artifacts"), "big": ("big-model", objects, "artifacts"),
                 "worst": ("marker-model", objects, "markers")}
        # A fresh client per case, so each case's hooks count only its own requests.
        return {
            name: run_case(boto3.client("s3", region_name="us-east-1"), settings, folder, count, layout)
            for name, (folder, count, layout) in cases.items()
        }


def _requests(result: Result) -> str:
    parts = ", ".join(f"{n} {op}" for op, n in sorted(result.traffic.requests.items()))
    return f"{result.traffic.total_requests} ({parts})"


def rows(objects: int = 10_000) -> list[Row]:
    results = measure(objects)
    small, big, worst = results["small"], results["big"], results["worst"]
    out = []
    for label, result in ((f"{objects:,} objects", big), (f"{objects:,} keys, mostly folder markers", worst)):
        expected = 1  # the trigger file: an escrow source is neither listed nor read
        out.append(Row("Big sources", f"S3 requests, {label}", _requests(result), f"{_requests(small)} 1-object source",
                       f"{result.traffic.total_requests / small.traffic.total_requests:.1f}x",
                       "the trigger file only", result.traffic.total_requests == expected))
        out.append(Row("Big sources", f"Bytes read, {label}",
                       f"{result.traffic.artifact_bytes} B artifacts, {result.traffic.trigger_bytes} B trigger",
                       f"source holds {kib(result.source_bytes)}", "", "0 artifact bytes",
                       result.traffic.artifact_bytes == 0))
        out.append(Row("Big sources", f"Wall time (moto), {label}", ms(result.seconds), f"{ms(small.seconds)} 1-object source",
                       f"{result.seconds / small.seconds:.1f}x"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    print(render(rows(parser.parse_args().objects)))


if __name__ == "__main__":
    main()
