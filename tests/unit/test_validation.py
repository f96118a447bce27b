"""ValidateArtifacts end to end against moto S3: what is accepted, and every rejection rule."""

import json

import pytest

from model_import import bedrock_rules as rules
from model_import.errors import ImportRejected
from model_import.request import request_token
from model_import.inputs import Trigger
from model_import.validation import validate
from tests.support import (
    ACCOUNT_ID,
    ALLOWED_KMS_KEY_ARN,
    ALLOWED_PREFIX,
    BUCKET,
    ESCROW_URI,
    MODEL_PACKAGE_ARN,
    OTHER_ACCOUNT_ID,
    OTHER_KMS_KEY_ARN,
    execution_arn,
    s3_event,
    trigger_key,
)

ARN = execution_arn("run-1")
ESCROW_MANIFEST = json.dumps({"checkpoint_s3_bucket": ESCROW_URI}).encode()


def _manifest(**fields):
    return json.dumps({"checkpoint_s3_bucket": ESCROW_URI, **fields}).encode()


def _stage(aws, folder="my-model", manifest=ESCROW_MANIFEST, artifacts=("model.safetensors",)):
    for name in artifacts:
        aws.put(f"incoming/{folder}/{name}", b"weights")
    aws.put(trigger_key(folder), manifest)


def _validate(aws, settings, event):
    return validate(event, ARN, settings, aws.s3)


def test_an_upload_of_a_sagemaker_manifest_imports_its_escrow_checkpoint(aws, validate_settings):
    _stage(aws)
    result = validate(s3_event(trigger_key("my-model")), ARN, validate_settings, aws.s3)
    request = result.request
    assert (request.model_name, request.kind, request.import_api) == ("my-model", "sagemaker-checkpoint", "CreateCustomModel")
    assert (request.source_uri, request.model_package_arn, request.model_kms_key_arn) == (ESCROW_URI, None, None)
    assert request.tags == {
        "team": "ml-platform",
        "model-import:source-uri": ESCROW_URI,
        "model-import:trigger": f"s3://{BUCKET}/incoming/my-model/manifest.json",
        "model-import:execution": "run-1",
        "model-import:stack": "model-import-sandbox",  # the stack that made it (STACK_NAME)
    }
    assert (request.deploy, request.smoke_test) == (None, None)  # the stack's defaults: no deployment
    assert request.client_request_token == request_token(
        Trigger(BUCKET, trigger_key("my-model"), None, "0062E99A88DC407460"), "unused"
    )
    assert request.trigger.version_id is not None  # the version read, for the notification


OPEN_WEIGHTS = {
    "config.json": b'{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}',
    "tokenizer.json": b"{}",
    "tokenizer_config.json": b"{}",
    "model.safetensors": b"weights",
}


def _stage_open_weights(aws, folder="my-model", manifest=b"{}", files=None):
    for name, data in (OPEN_WEIGHTS if files is None else files).items():
        aws.put(f"incoming/{folder}/{name}", data)
    aws.put(trigger_key(folder), manifest)


@pytest.mark.parametrize("manifest", [b"{}", b"", b'{"modelName": "m2", "tags": {"a": "b"}}'])
def test_a_trigger_without_a_source_imports_its_own_folder_as_open_weights(aws, validate_settings, manifest):
    _stage_open_weights(aws, manifest=manifest)
    request = _validate(aws, validate_settings, s3_event(trigger_key("my-model"))).request
    assert (request.kind, request.import_api) == ("open-weights", "CreateModelImportJob")
    assert request.source_uri == f"s3://{BUCKET}/incoming/my-model/"
    assert request.tags["model-import:source-uri"] == f"s3://{BUCKET}/incoming/my-model/"


def test_a_manual_source_in_a_model_folder_is_open_weights(aws, validate_settings):
    _stage_open_weights(aws, folder="llama-ft")
    event = {"sourceUri": f"s3://{BUCKET}/incoming/llama-ft/", "modelName": "llama-ft"}
    request = _validate(aws, validate_settings, event).request
    assert (request.kind, request.source_uri) == ("open-weights", f"s3://{BUCKET}/incoming/llama-ft/")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"config.json": None}, "incoming/my-model/config.json is missing"),
        ({"config.json": b"{not json"}, "config.json is not valid JSON"),
        ({"config.json": b'{"model_type": "bert"}'}, "\"model_type\" 'bert' is not an architecture Bedrock Custom Model Import supports"),
        ({"model.safetensors": None, "pytorch_model.bin": b"w"}, "Bedrock imports .safetensors only: convert the weights to safetensors"),
        ({"tokenizer.json": None}, "no tokenizer (tokenizer.json or tokenizer.model)"),
    ],
)
def test_an_open_weight_folder_breaking_a_rule_is_rejected_naming_file_rule_and_fix(aws, validate_settings, change, words):
    files = {**OPEN_WEIGHTS, **change}
    _stage_open_weights(aws, files={k: v for k, v in files.items() if v is not None})
    with pytest.raises(ImportRejected) as caught:
        _validate(aws, validate_settings, s3_event(trigger_key("my-model")))
    reason = str(caught.value)
    assert reason.startswith(f"s3://{BUCKET}/incoming/my-model/manifest.json: ")
    assert words in reason


def test_a_trigger_naming_a_model_package_imports_the_package(aws, validate_settings):
    _stage(aws, manifest=json.dumps({"modelPackageArn": MODEL_PACKAGE_ARN, "modelName": "nova-pkg"}).encode(), artifacts=())
    request = _validate(aws, validate_settings, s3_event(trigger_key("my-model"))).request
    assert (request.kind, request.model_package_arn, request.source_uri) == ("sagemaker-model-package", MODEL_PACKAGE_ARN, None)
    assert request.tags["model-import:source-uri"] == MODEL_PACKAGE_ARN  # an ARN is tag-safe as it is


def test_a_trigger_naming_both_sources_is_rejected(aws, validate_settings):
    _stage(aws, manifest=_manifest(modelPackageArn=MODEL_PACKAGE_ARN))
    with pytest.raises(ImportRejected, match='names both "checkpoint_s3_bucket" and "modelPackageArn"; give exactly one'):
        _validate(aws, validate_settings, s3_event(trigger_key("my-model")))


def test_a_manual_model_package_start(aws, validate_settings):
    event = {"modelPackageArn": MODEL_PACKAGE_ARN, "modelName": "pkg", "tags": {"a": "b"}, "modelKmsKeyArn": ALLOWED_KMS_KEY_ARN}
    request = _validate(aws, validate_settings, event).request
    assert (request.kind, request.model_package_arn, request.model_kms_key_arn) == (
        "sagemaker-model-package", MODEL_PACKAGE_ARN, ALLOWED_KMS_KEY_ARN
    )
    assert request.to_dict()["importApi"] == "CreateCustomModel"


def test_a_kms_key_in_the_trigger_must_be_one_the_stack_allows(aws, validate_settings):
    _stage(aws, manifest=_manifest(modelKmsKeyArn=ALLOWED_KMS_KEY_ARN))
    assert _validate(aws, validate_settings, s3_event(trigger_key("my-model"))).request.model_kms_key_arn == ALLOWED_KMS_KEY_ARN
    _stage(aws, manifest=_manifest(modelKmsKeyArn=OTHER_KMS_KEY_ARN))
    with pytest.raises(ImportRejected, match="is not one of the stack's AllowedModelKmsKeyArns"):
        _validate(aws, validate_settings, s3_event(trigger_key("my-model")))


def test_an_event_naming_a_version_reads_that_version_and_keys_the_token_on_it(aws, validate_settings):
    first = aws.put_json(trigger_key("my-model"), {"modelName": "first", "checkpoint_s3_bucket": ESCROW_URI})["VersionId"]
    _stage(aws, manifest=_manifest(modelName="second"))
    event = s3_event(trigger_key("my-model"), version_id=first)
    request = _validate(aws, validate_settings, event).request
    assert request.model_name == "first"
    assert request.trigger.version_id == first
    assert request.client_request_token == request_token(
        Trigger(BUCKET, trigger_key("my-model"), first, "0062E99A88DC407460"), ""
    )


def test_the_trigger_files_fields_choose_name_source_and_tags(aws, validate_settings):
    _stage(
        aws,
        manifest=json.dumps(
            {"checkpoint_s3_bucket": ESCROW_URI, "modelName": "nova-ft", "tags": {"team": "search"}, "x": 1}
        ).encode(),
        artifacts=(),
    )
    result = _validate(aws, validate_settings, s3_event(trigger_key("my-model")))
    assert (result.request.model_name, result.request.source_uri) == ("nova-ft", ESCROW_URI)
    assert result.request.tags["team"] == "search"
    assert result.ignored_fields == ("x",)


def test_a_manual_trigger_start_reads_the_same_file(aws, validate_settings):
    _stage(aws)
    result = _validate(aws, validate_settings, {"bucket": BUCKET, "key": trigger_key("my-model")})
    assert result.request.model_name == "my-model"
    assert result.request.client_request_token == request_token(None, ARN)


def test_a_manual_source_start_needs_no_trigger_file(aws, validate_settings):
    result = _validate(aws, validate_settings, {"sourceUri": ESCROW_URI, "modelName": "direct", "tags": {"a": "b"}})
    request = result.request
    assert (request.model_name, request.source_uri, request.trigger) == ("direct", ESCROW_URI, None)
    assert "model-import:trigger" not in request.tags and request.tags["a"] == "b"
    assert request.client_request_token == request_token(None, ARN)


def test_the_same_upload_validated_by_two_executions_gets_one_token(aws, validate_settings):
    _stage(aws)
    event = s3_event(trigger_key("my-model"))
    first = validate(event, execution_arn("a"), validate_settings, aws.s3).request.client_request_token
    second = validate(event, execution_arn("b"), validate_settings, aws.s3).request.client_request_token
    assert first == second


@pytest.mark.parametrize(
    ("folder", "manifest", "words"),
    [
        ("my model", b"{}", "the model name 'my model' is not allowed. Bedrock model names are 1-63 characters"),
        ("my model", b"{}", "Suggested: 'my-model' (set \"modelName\" in the trigger file, or rename the folder)"),
        ("a" * 64, b"{}", f"the model name '{'a' * 64}' is 64 characters"),
        ("ok", b'{"modelName": "-lead"}', "\"modelName\": the model name '-lead' is not allowed"),
        ("ok", b'{"modelName": "trail_"}', "Suggested: 'trail' (fix \"modelName\" in the trigger file)"),
        ("ok", b'{"modelName": "two--dashes"}', "Suggested: 'two-dashes'"),
    ],
)
def test_bad_names_are_rejected_with_the_rule_and_a_suggestion_never_changed(
    aws, validate_settings, folder, manifest, words
):
    _stage(aws, folder=folder, manifest=manifest)
    with pytest.raises(ImportRejected) as caught:
        _validate(aws, validate_settings, s3_event(trigger_key(folder)))
    assert words in str(caught.value)


def test_a_bad_manual_name_is_rejected_with_a_suggestion(aws, validate_settings):
    with pytest.raises(ImportRejected) as caught:
        _validate(aws, validate_settings, {"sourceUri": ESCROW_URI, "modelName": "my.model"})
    assert str(caught.value) == (
        "the manual input: the model name 'my.model' is not allowed. Bedrock model names are "
        f"{rules.MODEL_NAME_RULE}. Suggested: 'my-model' (set \"modelName\" in the input)"
    )


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (
            f"s3://customer-escrow-{OTHER_ACCOUNT_ID}-smtj-a/job/",
            f"escrow bucket of account {OTHER_ACCOUNT_ID}, not of this account ({ACCOUNT_ID})",
        ),
        ("https://example.com/model/", "must be an s3:// URI"),
        ("s3://someone-else/m/", "is in a bucket this stack may not read"),
        (ALLOWED_PREFIX + "m1/", "does not exist; check the URI"),  # open weights there: listed, and the bucket is missing
        (f"s3://{BUCKET}/incoming/../x/", "'..' path segment"),
        ("s3://Bad_Bucket/m/", "does not meet Bedrock's S3 URI rule"),
    ],
)
def test_sources_outside_allowed_locations_are_rejected(aws, validate_settings, source, words):
    _stage(aws, manifest=f'{{"checkpoint_s3_bucket": "{source}"}}'.encode())
    with pytest.raises(ImportRejected) as caught:
        _validate(aws, validate_settings, s3_event(trigger_key("my-model")))
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"s3://{BUCKET}/incoming/my-model/manifest.json: ")


def test_too_many_tags_are_rejected(aws, validate_settings):
    tags = ", ".join(f'"k{i}": "v"' for i in range(46))  # + DefaultTags' team + 4 provenance = 51
    _stage(aws, manifest=f'{{"checkpoint_s3_bucket": "{ESCROW_URI}", "tags": {{{tags}}}}}'.encode())
    with pytest.raises(ImportRejected, match="too many tags: 51 .* with 4 provenance tags; .* give at most 46 of your own"):
        _validate(aws, validate_settings, s3_event(trigger_key("my-model")))


def test_bad_default_tags_are_blamed_on_the_stack_parameter(aws, validate_settings):
    from dataclasses import replace

    settings = replace(validate_settings, default_tags={"team": "a,b"})
    _stage(aws)
    with pytest.raises(
        ImportRejected, match="the stack's DefaultTags parameter: tag 'team': value 'a,b' may only contain"
    ):
        _validate(aws, settings, s3_event(trigger_key("my-model")))


def test_nothing_is_read_for_a_key_outside_the_layout(aws, validate_settings):
    from tests.support import new_client

    s3 = new_client("s3")
    calls = []
    s3.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    with pytest.raises(ImportRejected, match="is not of the form"):
        validate(s3_event("uploads/my-model/manifest.json"), ARN, validate_settings, s3)
    assert calls == []


def test_only_the_trigger_file_is_downloaded(aws, validate_settings):
    from tests.support import new_client

    _stage(aws, artifacts=("model-00001.safetensors", "model-00002.safetensors", "config.json"))
    s3 = new_client("s3")
    downloads = []
    s3.meta.events.register("provide-client-params.s3.GetObject", lambda params, **_: downloads.append(params["Key"]))
    validate(s3_event(trigger_key("my-model")), ARN, validate_settings, s3)
    assert downloads == [trigger_key("my-model")]
