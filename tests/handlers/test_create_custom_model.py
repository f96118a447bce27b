"""functions/create_custom_model/app.py with Bedrock stubbed: the loop state, or the error name."""

import pytest

from tests.support import CREATE_ENV, ESCROW_URI, IMPORT_ROLE_ARN, execution

MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc123"
REQUEST = {
    "modelName": "nova-micro",
    "sourceUri": ESCROW_URI,
    "tags": {"team": "ml"},
    "clientRequestToken": "c" * 64,
    "trigger": None,
}


@pytest.fixture
def handler(load_handler, aws):
    return load_handler(
        "create_custom_model", {**CREATE_ENV, "POLL_INTERVAL_SECONDS": "30", "IMPORT_TIMEOUT_MINUTES": "10"}
    )


def _invoke(handler, lambda_context):
    return handler.lambda_handler({"request": REQUEST, "execution": execution()}, lambda_context)


def test_create_starts_the_import_and_the_poll_loop(handler, bedrock_stub, lambda_context):
    bedrock_stub.add_response(
        "create_custom_model",
        {"modelArn": MODEL_ARN},
        {
            "modelName": "nova-micro",
            "modelSourceConfig": {"s3DataSource": {"s3Uri": ESCROW_URI}},
            "roleArn": IMPORT_ROLE_ARN,
            "modelTags": [{"key": "team", "value": "ml"}],
            "clientRequestToken": "c" * 64,
        },
    )
    model = _invoke(handler, lambda_context)
    assert (model["modelArn"], model["modelStatus"], model["checks"], model["waitSeconds"]) == (
        MODEL_ARN,
        "Creating",
        0,
        30,
    )


def test_a_taken_name_is_rejected_with_how_to_fix_it(handler, bedrock_stub, lambda_context):
    bedrock_stub.add_client_error(
        "create_custom_model", "ConflictException", "A model with this name already exists", 400
    )
    with pytest.raises(Exception) as caught:
        _invoke(handler, lambda_context)
    assert type(caught.value).__name__ == "ImportRejected"
    assert "a custom model named 'nova-micro' already exists" in str(caught.value)
    assert "Choose another modelName, or delete the old model first" in str(caught.value)


@pytest.mark.parametrize(
    ("code", "status", "name"),
    [
        ("ThrottlingException", 429, "BedrockThrottled"),
        ("InternalServerException", 500, "BedrockUnavailable"),
        ("ServiceUnavailableException", 503, "BedrockUnavailable"),
        ("AccessDeniedException", 403, "AwsCallFailed"),
        ("ValidationException", 400, "ImportRejected"),
    ],
)
def test_bedrock_errors_raise_the_names_the_state_machine_routes_on(
    handler, bedrock_stub, lambda_context, code, status, name
):
    bedrock_stub.add_client_error("create_custom_model", code, "boom", status)
    with pytest.raises(Exception) as caught:
        _invoke(handler, lambda_context)
    assert type(caught.value).__name__ == name


def test_a_throttle_reaches_the_state_machine_after_one_attempt(load_handler, lambda_context, monkeypatch):
    # No moto here: moto answers every request it sees, so Bedrock's 429 is played by a
    # before-send hook, and each request the SDK sends is counted.
    import boto3
    from botocore.awsrequest import AWSResponse

    from model_import import clients

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")  # the functions' client config must win over this
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    clients.reset()
    handler = load_handler("create_custom_model", CREATE_ENV)
    attempts = []

    class Raw:
        def stream(self, **_):
            yield b'{"message": "Rate exceeded"}'

    def throttle(request, **_):
        attempts.append(request.url)
        return AWSResponse(request.url, 429, {"x-amzn-ErrorType": "ThrottlingException"}, Raw())

    clients.client("bedrock").meta.events.register_first("before-send", throttle)
    try:
        with pytest.raises(Exception) as caught:
            _invoke(handler, lambda_context)
    finally:
        clients.reset()
    assert type(caught.value).__name__ == "BedrockThrottled"
    assert len(attempts) == 1
