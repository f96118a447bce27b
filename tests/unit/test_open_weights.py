"""The open-weight folder check with a botocore Stubber: one listing, config.json, and the size rule
judged on the listed sizes (a 200 GB folder is never read)."""

import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from model_import import open_weight_rules as rules
from model_import.errors import ImportRejected
from model_import.open_weights import check_open_weights_folder
from tests.support import new_client

FOLDER = "s3://my-models/llama-ft/"
CONFIG = json.dumps({"model_type": "llama"}).encode()


def _listing(files: dict[str, int]) -> dict:
    return {"Contents": [{"Key": "llama-ft/" + name, "Size": size} for name, size in files.items()], "IsTruncated": False}


def _stub(files: dict[str, int], config: bytes | None = CONFIG):
    s3 = new_client("s3")
    stub = Stubber(s3)
    stub.add_response("list_objects_v2", _listing(files), {"Bucket": "my-models", "Prefix": "llama-ft/"})
    if config is not None:
        stub.add_response("get_object", {"Body": StreamingBody(io.BytesIO(config), len(config))}, {"Bucket": "my-models", "Key": "llama-ft/config.json"})
    stub.activate()
    return s3, stub


SMALL = {"config.json": len(CONFIG), "tokenizer.json": 9_000_000, "tokenizer_config.json": 50_000}


def test_a_70b_folder_passes_from_one_listing_and_its_config():
    shards = {f"model-{i:05d}-of-00030.safetensors": 4_700_000_000 for i in range(1, 31)}
    s3, stub = _stub({**SMALL, **shards})
    assert check_open_weights_folder(s3, FOLDER, "origin") == "llama"
    stub.assert_no_pending_responses()  # no request besides the listing and config.json


@pytest.mark.parametrize(
    ("model_type", "total", "words"),
    [
        ("llama", 200 * 10**9 + 1, "the folder holds 200.0 GB; Bedrock imports text models of at most 200 GB"),
        ("mllama", 100 * 10**9 + 1, "Bedrock imports multimodal models of at most 100 GB"),
    ],
)
def test_a_folder_over_the_size_limit_is_rejected_from_the_listing(model_type, total, words):
    config = json.dumps({"model_type": model_type}).encode()
    files = {"config.json": len(config), "tokenizer.json": 1, "tokenizer_config.json": 1}
    files["model.safetensors"] = total - sum(files.values())
    s3, _ = _stub(files, config)
    with pytest.raises(ImportRejected) as caught:
        check_open_weights_folder(s3, FOLDER, "origin")
    assert str(caught.value).startswith("origin: the source s3://my-models/llama-ft/ is not a model Bedrock can import: ")
    assert words in str(caught.value)


def test_a_config_listed_over_1_mib_is_not_read():
    s3, stub = _stub({**SMALL, "config.json": rules.CONFIG_MAX_BYTES + 1, "model.safetensors": 10}, config=None)
    with pytest.raises(ImportRejected, match="config.json is 1048577 bytes; at most 1 MiB is accepted"):
        check_open_weights_folder(s3, FOLDER, "origin")
    stub.assert_no_pending_responses()


def test_the_supported_architectures_are_written_once_with_their_families():
    assert set(rules.SUPPORTED_MODEL_TYPES) >= {"llama", "mistral", "mixtral", "qwen2", "gpt_bigcode", "t5"}
    assert rules.MULTIMODAL_MODEL_TYPES <= set(rules.SUPPORTED_MODEL_TYPES)
    for model_type in rules.SUPPORTED_MODEL_TYPES:
        assert f"({model_type!r})" in rules.supported_list()
