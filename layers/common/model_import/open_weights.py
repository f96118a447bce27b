"""Is an S3 folder a Hugging Face model Bedrock's Custom Model Import can take? Decided from one
listing and config.json alone: never a byte of the weights is read (bench/big_source.py counts).

The rules are in model_import.open_weight_rules; every reason names the file, the rule and the fix.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from model_import import aws_errors
from model_import import open_weight_rules as rules
from model_import.aws_errors import error_code, translate
from model_import.errors import ImportRejected
from model_import.text import json_type, shorten

MAX_LIST_PAGES = 100  # 100,000 keys: far beyond any model folder; a bound on what one validation costs


class Listing(NamedTuple):
    top: dict[str, int]  # file name directly in the folder -> size
    nested: dict[str, int]  # path below a subfolder -> size
    total_bytes: int


def _list(s3: Any, bucket: str, prefix: str, uri: str) -> Listing:
    top: dict[str, int] = {}
    nested: dict[str, int] = {}
    total = 0
    args: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    for _ in range(MAX_LIST_PAGES):
        try:
            page = s3.list_objects_v2(**args)
        except aws_errors.ClientError as err:
            if error_code(err) == "NoSuchBucket":
                raise ImportRejected(f"the source {uri}: the bucket {bucket!r} does not exist; check the URI") from None
            raise translate(err, "s3", "ListObjectsV2") from err
        except aws_errors.BotoCoreError as err:
            raise translate(err, "s3", "ListObjectsV2") from err
        for item in page.get("Contents", []):
            relative = item["Key"][len(prefix) :]
            size = int(item.get("Size", 0))
            total += size
            if not relative or relative.endswith("/"):
                continue  # the folder's own marker object
            (nested if "/" in relative else top)[relative] = size
        if not page.get("IsTruncated"):
            return Listing(top, nested, total)
        args["ContinuationToken"] = page["NextContinuationToken"]
    raise ImportRejected(
        f"the source {uri} holds more than {MAX_LIST_PAGES * 1000} objects; point it at the model's own folder "
        "(config.json, tokenizer files and .safetensors weights)"
    )


def _read_config(s3: Any, bucket: str, key: str, uri: str) -> Any:
    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except aws_errors.ClientError as err:
        if error_code(err) in ("NoSuchKey", "404"):
            raise ImportRejected(f"{uri}{rules.CONFIG_FILE} disappeared while it was validated; upload it again") from None
        raise translate(err, "s3", "GetObject") from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "s3", "GetObject") from err
    body = response["Body"]
    try:
        data = body.read(rules.CONFIG_MAX_BYTES + 1)
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "s3", "GetObject") from err
    finally:
        body.close()
    where = f"{uri}{rules.CONFIG_FILE}"
    if len(data) > rules.CONFIG_MAX_BYTES:
        raise ImportRejected(f"{where} is larger than 1 MiB; a Hugging Face config.json is a few KB: upload the model's real config.json")
    try:
        config = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportRejected(f"{where} is not UTF-8 text; it must be the model's Hugging Face config (a JSON object)") from None
    except json.JSONDecodeError as err:
        raise ImportRejected(
            f"{where} is not valid JSON ({err.msg} at line {err.lineno} column {err.colno}); "
            "upload the config.json that transformers' save_pretrained wrote"
        ) from None
    if not isinstance(config, dict):
        raise ImportRejected(f"{where} holds a JSON {json_type(config)}; it must be a JSON object with \"model_type\"")
    return config


def _architecture(config: dict[str, Any], where: str) -> str:
    model_type = config.get("model_type")
    architectures = config.get("architectures")
    if architectures is not None and not (
        isinstance(architectures, list) and all(isinstance(a, str) for a in architectures)
    ):
        raise ImportRejected(f'{where}: "architectures" must be a list of class names (e.g. ["LlamaForCausalLM"]), got {shorten(json.dumps(architectures), 80)}')
    if not isinstance(model_type, str) or not model_type:
        shown = f", and \"architectures\" is {shorten(json.dumps(architectures), 80)}" if architectures else ""
        raise ImportRejected(
            f'{where} has no "model_type" string{shown}; Bedrock detects the architecture from it. '
            f"Supported: {rules.supported_list()}"
        )
    if model_type not in rules.SUPPORTED_MODEL_TYPES:
        raise ImportRejected(
            f'{where}: "model_type" {shorten(model_type, 60)!r} is not an architecture Bedrock Custom Model Import supports. '
            f"Supported: {rules.supported_list()}. Fine-tune one of these, or host the model elsewhere (e.g. SageMaker)"
        )
    return model_type


def check_open_weights_folder(s3: Any, uri: str, origin: str) -> str:
    """The folder's model_type when it meets every rule; else ImportRejected listing each problem."""
    try:
        return _check(s3, uri)
    except ImportRejected as rejected:
        raise ImportRejected(f"{origin}: {rejected}") from None


def _check(s3: Any, uri: str) -> str:
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    folder_uri = f"s3://{bucket}/{prefix}"
    listing = _list(s3, bucket, prefix, folder_uri)
    if not listing.top and not listing.nested:
        raise ImportRejected(
            f"the source {folder_uri} is empty; upload the model files (config.json, tokenizer files, .safetensors weights) "
            "first and the trigger file last"
        )
    subfolders = sorted({path.split("/", 1)[0] + "/" for path in listing.nested})
    if rules.CONFIG_FILE not in listing.top:
        nested = sorted(p for p in listing.nested if p.rsplit("/", 1)[-1] == rules.CONFIG_FILE)
        if nested:
            raise ImportRejected(
                f"{folder_uri}{rules.CONFIG_FILE} is missing, but {nested[0]} is in a subfolder; Bedrock imports the files "
                f"at the top of the folder: move them up, or point the source at {folder_uri}{nested[0].rsplit('/', 1)[0]}/"
            )
        raise ImportRejected(
            f"{folder_uri}{rules.CONFIG_FILE} is missing; a Hugging Face model folder has its config.json at the top "
            "(transformers' save_pretrained writes it): upload it"
        )
    if listing.top[rules.CONFIG_FILE] > rules.CONFIG_MAX_BYTES:
        raise ImportRejected(
            f"{folder_uri}{rules.CONFIG_FILE} is {listing.top[rules.CONFIG_FILE]} bytes; at most 1 MiB is accepted "
            "(a Hugging Face config.json is a few KB): upload the model's real config.json"
        )
    where = f"{folder_uri}{rules.CONFIG_FILE}"
    model_type = _architecture(_read_config(s3, bucket, prefix + rules.CONFIG_FILE, folder_uri), where)
    problems = []
    weights = [name for name in listing.top if name.endswith(rules.WEIGHTS_SUFFIX)]
    if not weights:
        pickles = sorted(name for name in listing.top if name.endswith(rules.UNSUPPORTED_WEIGHT_SUFFIXES))
        nested_weights = sorted(p for p in listing.nested if p.endswith(rules.WEIGHTS_SUFFIX))
        if pickles:
            problems.append(
                f"the weights are only in PyTorch files ({', '.join(pickles[:3])}{', ...' if len(pickles) > 3 else ''}); "
                f"Bedrock imports .safetensors only: {rules.CONVERT_FIX}"
            )
        elif nested_weights:
            problems.append(
                f"no .safetensors file at the top of the folder, but {nested_weights[0]} is in a subfolder; "
                "Bedrock imports the files at the top of the folder: move the shards up beside config.json"
            )
        else:
            problems.append(f"no .safetensors weights file in the folder: {rules.CONVERT_FIX}")
    if rules.TOKENIZER_CONFIG not in listing.top:
        problems.append(
            f"{rules.TOKENIZER_CONFIG} is missing; upload the tokenizer files with the model "
            "(tokenizer.save_pretrained writes them)"
        )
    if not any(name in listing.top for name in rules.TOKENIZER_FILES):
        problems.append(
            f"no tokenizer ({' or '.join(rules.TOKENIZER_FILES)}) in the folder; upload the tokenizer files with the model "
            "(tokenizer.save_pretrained writes them)"
        )
    limit = rules.max_total_bytes(model_type)
    if listing.total_bytes > limit:
        kind = "multimodal" if model_type in rules.MULTIMODAL_MODEL_TYPES else "text"
        problems.append(
            f"the folder holds {listing.total_bytes / 10**9:.1f} GB; Bedrock imports {kind} models of at most "
            f"{limit // 10**9} GB: remove files the model does not need{' (' + ', '.join(subfolders[:3]) + ')' if subfolders else ''}, "
            "or import a smaller model"
        )
    if problems:
        raise ImportRejected(f"the source {folder_uri} is not a model Bedrock can import: " + "; ".join(problems))
    return model_type
