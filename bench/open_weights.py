"""Open-weight folders: ValidateArtifacts for a 70B-shaped Hugging Face folder (30 safetensors
shards, the index, config and tokenizer files) beside 10,000 other keys in the same bucket (a
neighbour folder sharing its name's prefix, and other models), against a minimal 4-file folder
(the baseline, in the same run). Counts every S3 request the validator makes and every byte it
reads, by file: the target is the list pages plus the small files, and 0 bytes of weights.

moto cannot hold 140 GB, so each shard holds 1 KiB and the listing reports it at 4.7 GB (a
botocore hook rewrites ListObjectsV2's Size for *.safetensors): the size rule is judged on the sizes
a real 70B folder lists, and a read of any weight would still be counted.
Run alone: python -m bench.open_weights [--others N]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.big_source import CountingBody
from bench.table import Row, ms, render

BUCKET = "model-import-bench"
PREFIX = "incoming/"
ACCOUNT_ID = "123456789012"
SHARDS = 30
SHARD_LISTED_BYTES = 4_700_000_000  # ~141 GB in all: a 70B model in bf16
LLAMA_70B_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8192, "intermediate_size": 28672,
    "num_attention_heads": 64, "num_hidden_layers": 80, "num_key_value_heads": 8, "vocab_size": 128256,
    "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "torch_dtype": "bfloat16",
    "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "tie_word_embeddings": False,
}


@dataclass
class Traffic:
    requests: Counter = field(default_factory=Counter)
    bytes_by_kind: Counter = field(default_factory=Counter)  # trigger | config | weights | other

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


def _kind(key: str | None) -> str:
    name = (key or "").rsplit("/", 1)[-1]
    if name == "manifest.json":
        return "trigger"
    if name == "config.json":
        return "config"
    if name.endswith((".safetensors", ".bin")):
        return "weights"
    return "other"


def instrument(s3: Any, traffic: Traffic) -> None:
    def count_request(event_name: str, **_: Any) -> None:
        traffic.requests[event_name.rsplit(".", 1)[-1]] += 1

    def remember_key(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_key"] = params.get("Key")

    def wrap_body(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if "Body" in parsed:
            kind = _kind(context.get("bench_key"))
            parsed["Body"] = CountingBody(parsed["Body"], lambda size: traffic.bytes_by_kind.update({kind: size}))

    def list_real_sizes(parsed: dict[str, Any], **_: Any) -> None:
        for item in parsed.get("Contents", []):
            if item["Key"].endswith(".safetensors") and "/bench-small/" not in item["Key"]:
                item["Size"] = SHARD_LISTED_BYTES

    s3.meta.events.register("before-call.s3", count_request)
    s3.meta.events.register("before-parameter-build.s3.GetObject", remember_key)
    s3.meta.events.register("after-call.s3.GetObject", wrap_body)
    s3.meta.events.register("after-call.s3.ListObjectsV2", list_real_sizes)


def _folder(folder: str, shards: int) -> dict[str, bytes]:
    files = {
        "config.json": json.dumps(LLAMA_70B_CONFIG, indent=2).encode(),
        "generation_config.json": b'{"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]}',
        "tokenizer.json": b'{"version": "1.0", "model": {"type": "BPE"}}',
        "tokenizer_config.json": b'{"tokenizer_class": "PreTrainedTokenizerFast"}',
        "special_tokens_map.json": b'{"bos_token": "<|begin_of_text|>"}',
    }
    if shards == 1:
        files["model.safetensors"] = b"\0" * 1024
    else:
        files["model.safetensors.index.json"] = json.dumps({"metadata": {"total_size": shards * SHARD_LISTED_BYTES}}).encode()
        for i in range(1, shards + 1):
            files[f"model-{i:05d}-of-{shards:05d}.safetensors"] = b"\0" * 1024
    return {f"{PREFIX}{folder}/{name}": body for name, body in files.items()}


def _fill(others: int) -> None:
    """The neighbours, straight into moto's backend (the S3 API would take ~25 s for 10,000): half in
    a folder whose name extends the model's (a listing without the trailing '/' would see them),
    half in other model folders."""
    from moto.s3.models import s3_backends

    backend = s3_backends[ACCOUNT_ID]["aws"]
    for i in range(others):
        key = f"{PREFIX}llama-70b-ft-archive/step-{i:05d}.safetensors" if i % 2 else f"{PREFIX}model-{i:05d}/weights.safetensors"
        backend.put_object(BUCKET, key, b"\0" * 16)


@dataclass(frozen=True)
class Result:
    traffic: Traffic
    seconds: float
    model_type: str


def run_case(s3: Any, settings: Any, folder: str, shards: int) -> Result:
    from model_import.validation import validate

    for key, body in _folder(folder, shards).items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    trigger = f"{PREFIX}{folder}/manifest.json"
    s3.put_object(Bucket=BUCKET, Key=trigger, Body=b"{}")
    traffic = Traffic()
    instrument(s3, traffic)
    started = time.perf_counter()
    result = validate({"bucket": BUCKET, "key": trigger}, f"arn:aws:states:us-east-1:{ACCOUNT_ID}:execution:bench:{folder}", settings, s3)
    seconds = time.perf_counter() - started
    assert result.request.kind == "open-weights", result
    return Result(traffic, seconds, "llama")


def measure(others: int) -> dict[str, Result]:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from moto import mock_aws

    from model_import.settings import ValidateSettings

    settings = ValidateSettings(
        artifact_bucket=BUCKET, incoming_prefix=PREFIX, trigger_file_name="manifest.json", account_id=ACCOUNT_ID,
        allowed_source_prefixes=(), default_tags={},
    )
    with mock_aws():
        setup = boto3.client("s3", region_name="us-east-1")
        setup.create_bucket(Bucket=BUCKET)
        setup.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        _fill(others)
        run_case(boto3.client("s3", region_name="us-east-1"), settings, "warm-up", 1)
        # A fresh client per case, so each case's hooks count only its own requests.
        return {
            "small": run_case(boto3.client("s3", region_name="us-east-1"), settings, "bench-small", 1),
            "70b": run_case(boto3.client("s3", region_name="us-east-1"), settings, "llama-70b-ft", SHARDS),
        }


def _requests(result: Result) -> str:
    parts = ", ".join(f"{n} {op}" for op, n in sorted(result.traffic.requests.items()))
    return f"{result.traffic.total_requests} ({parts})"


def rows(others: int = 10_000) -> list[Row]:
    results = measure(others)
    small, big = results["small"], results["70b"]
    read = big.traffic.bytes_by_kind
    # One list page (the folder's 37 keys; the 10,000 others are outside its prefix), the trigger
    # file and config.json.
    expected = {"ListObjectsV2": 1, "GetObject": 2}
    label = f"70B-shaped folder ({SHARDS} shards, ~{SHARDS * SHARD_LISTED_BYTES / 10**9:.0f} GB listed) beside {others:,} keys"
    return [
        Row("Open weights", f"S3 requests, {label}", _requests(big), f"{_requests(small)} 4-file folder",
            f"{big.traffic.total_requests / small.traffic.total_requests:.1f}x", "list pages + trigger + config.json",
            dict(big.traffic.requests) == expected),
        Row("Open weights", f"Bytes read, {label}",
            f"{read['weights']} B weights, {read['config']} B config.json, {read['trigger']} B trigger, {read['other']} B other",
            f"{sum(small.traffic.bytes_by_kind.values())} B 4-file folder", "", "0 weight bytes",
            read["weights"] == 0 and read["other"] == 0),
        Row("Open weights", f"Wall time (moto), {label}", ms(big.seconds), f"{ms(small.seconds)} 4-file folder",
            f"{big.seconds / small.seconds:.1f}x"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", type=int, default=10_000)
    print(render(rows(parser.parse_args().others)))


if __name__ == "__main__":
    main()
