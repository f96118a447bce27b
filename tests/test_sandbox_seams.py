"""Every moto (and botocore) internal the sandbox relies on, checked by name and signature.

moto is pinned exactly (requirements/dev.txt). When an upgrade moves one of these, this test fails
naming the seam, before any workflow test fails for a reason that is hard to trace.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SEAMS: dict[str, Callable[[], None]] = {}


def seam(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(check: Callable[[], None]) -> Callable[[], None]:
        SEAMS[name] = check
        return check

    return register


def _attr(path: str) -> Any:
    module_name, _, rest = path.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in rest.split(".") if rest else []:
        target = getattr(target, part)
    return target


def _params(path: str) -> list[str]:
    return list(inspect.signature(_attr(path)).parameters)


def _source(path: str) -> str:
    return inspect.getsource(_attr(path))


@seam("moto version pinned")
def _() -> None:
    import moto

    lock = Path(__file__).resolve().parents[1] / "requirements" / "dev.txt"
    pinned = [line for line in lock.read_text().splitlines(keepends=True) if line.startswith("moto==")]
    assert pinned == [f"moto=={moto.__version__}\n"], f"requirements pin {pinned}, installed {moto.__version__}"


@seam("mock_aws config: stepfunctions.execute_state_machine, lambda.use_docker")
def _() -> None:
    config = _attr("moto.core.config:default_user_config")
    assert "execute_state_machine" in config["stepfunctions"] and "use_docker" in config["lambda"]
    assert "execute_state_machine" in _source("moto.stepfunctions.responses:get_backend")
    assert "lambda_simple_backends" in _source("moto.awslambda.utils:get_backend")


@seam("moto.awslambda_simple.models.LambdaSimpleBackend.invoke")
def _() -> None:
    assert _params("moto.awslambda_simple.models:LambdaSimpleBackend.invoke") == [
        "self", "function_name", "qualifier", "body", "headers", "response_headers",
    ]  # fmt: skip
    assert "self.backend.invoke(" in _source("moto.awslambda.responses:LambdaResponse.invoke")


@seam("moto LambdaFunction.function_name / environment_vars")
def _() -> None:
    source = _source("moto.awslambda.models:LambdaFunction.__init__")
    assert "self.function_name" in source and "self.environment_vars" in source


@seam("moto.bedrock.responses.BedrockResponse custom-model methods and request attributes")
def _() -> None:
    response = _attr("moto.bedrock.responses:BedrockResponse")
    for name in ("get_custom_model", "delete_custom_model", "list_custom_models"):
        assert callable(getattr(response, name)), name
    assert "bedrock_backends[self.current_account][self.region]" in _source("moto.bedrock.responses:BedrockResponse.bedrock_backend.fget")
    base = _source("moto.core.responses:BaseResponse._get_action_from_method_and_request_uri")
    assert "self.uri_match = uri_params" in base
    assert 'new_headers.get("status", 200)' in _source("moto.core.responses:BaseResponse._transform_response")
    assert "method_names_from_class(self.__class__)" in _source("moto.core.responses:BaseResponse.call_action")


@seam("moto.bedrock.responses.BedrockResponse tag methods (the emulator answers for its own resources, then defers)")
def _() -> None:
    response = _attr("moto.bedrock.responses:BedrockResponse")
    for name in ("tag_resource", "untag_resource", "list_tags_for_resource"):
        assert callable(getattr(response, name)), name


@seam("moto.bedrockruntime.responses.BedrockRuntimeResponse.invoke_model, and serve's bedrock-runtime dispatch")
def _() -> None:
    response = _attr("moto.bedrockruntime.responses:BedrockRuntimeResponse")
    assert callable(response.invoke_model)
    assert '"bedrock-runtime": BedrockRuntimeResponse' in _source(
        "moto.moto_server.werkzeug_app:DomainDispatcherApplication.infer_service_region_host"
    )


@seam("moto.sagemaker.models.sagemaker_backends[account][region].describe_model_package (the Model Registry)")
def _() -> None:
    backend = "moto.sagemaker.models:SageMakerModelBackend"
    assert _params(f"{backend}.describe_model_package") == ["self", "model_package_name"]
    assert "raise ValidationError(" in _source(f"{backend}.describe_model_package")
    assert "self.model_package_name_mapping[model_package.arn] = model_package.arn" in _source(f"{backend}.create_model_package")
    assert _attr("moto.sagemaker.exceptions:ValidationError") is not None
    assert _attr("moto.sagemaker.models:sagemaker_backends") is not None


@seam("moto.sagemaker.responses.SageMakerResponse.create_model_package -> ActionResult({'ModelPackageArn'})")
def _() -> None:
    source = _source("moto.sagemaker.responses:SageMakerResponse.create_model_package")
    assert 'return ActionResult({"ModelPackageArn": model_package_arn})' in source
    assert "ManagedStorageType" not in source  # moto ignores it: the emulator records it (restricted packages)
    assert "return self._result" in _source("moto.core.responses:ActionResult.result.fget")


@seam("moto.s3.models.s3_backends[account]['aws'].get_bucket / list_objects (escrow sources)")
def _() -> None:
    assert _params("moto.s3.models:S3Backend.get_bucket") == ["self", "bucket_name"]
    assert _params("moto.s3.models:S3Backend.list_objects") == ["self", "bucket", "prefix", "delimiter", "marker", "max_keys"]
    assert "raise MissingBucket(" in _source("moto.s3.models:S3Backend.get_bucket")
    assert "aws" in _attr("moto.s3.models:PARTITION_NAMES")


@seam("moto BaseResponse request attributes: body, querystring, headers, path")
def _() -> None:
    setup = _source("moto.core.responses:BaseResponse.setup_class")
    for attribute in ("self.body", "self.querystring", "self.headers", "self.path"):
        assert attribute in setup, attribute


@seam("moto.s3.notifications._send_event_bridge_message")
def _() -> None:
    assert _params("moto.s3.notifications:_send_event_bridge_message") == ["account_id", "bucket", "event_name", "key"]
    assert "_send_event_bridge_message(account_id, bucket, event_name, key)" in _source("moto.s3.notifications:send_event")


@seam("moto.events.models: events_backends, EventBus.rules, Rule.state/targets/event_pattern, EventPattern")
def _() -> None:
    rule_init = _source("moto.events.models:Rule.__init__")
    for attribute in ("self.event_pattern = EventPattern.load(event_pattern)", "self.state =", "self.targets ="):
        assert attribute in rule_init, attribute
    assert "self.rules" in _source("moto.events.models:EventBus.__init__")
    assert _params("moto.events.models:EventPattern.matches_event") == ["self", "event"]
    assert "event_buses" in _source("moto.events.models:EventsBackend.__init__")


@seam("moto.stepfunctions.parser.models.StepFunctionsParserBackend (create/start/stop, executions)")
def _() -> None:
    backend = "moto.stepfunctions.parser.models:StepFunctionsParserBackend"
    assert _params(f"{backend}.start_execution")[:4] == ["self", "state_machine_arn", "name", "execution_input"]
    create = _params(f"{backend}.create_state_machine")
    for name in ("name", "definition", "roleArn", "tags", "loggingConfiguration", "tracingConfiguration", "sm_type"):
        assert name in create, name
    assert "state_machine.executions.append(execution)" in _source(f"{backend}.start_execution")
    assert _attr("moto.stepfunctions.exceptions:ValidationException")("m").error_type == "ValidationException"


@seam("moto Step Functions task input and States.ALL matching (sandbox/limits.py: a task's input limit)")
def _() -> None:
    task = "moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda:StateTaskLambda"
    assert _params(f"{task}._eval_parameters") == ["self", "env"]
    assert 'parameters = {\n            "FunctionName": self.resource.resource_arn,\n            "Payload": payload,' in _source(f"{task}._eval_parameters")
    decl = "moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl:ErrorEqualsDecl"
    assert _params(f"{decl}._eval_body") == ["self", "env"]
    source = _source(f"{decl}._eval_body")
    assert "error_name: ErrorName = env.stack.pop()" in source and "env.stack.append(res)" in source
    states = "moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type:StatesErrorNameType"
    assert _attr(states).StatesStatesDataLimitExceeded.to_name() == "States.DataLimitExceeded"


@seam("moto Step Functions Execution attributes")
def _() -> None:
    source = _source("moto.stepfunctions.parser.backend.execution:Execution.__init__")
    for attribute in ("self.exec_arn", "self.input_data", "self.exec_status", "self.output", "self.error", "self.cause",
                      "self.start_date", "self.stop_date", "self.exec_worker"):  # fmt: skip
        assert attribute in source, attribute
    assert "event_manager.get_event_history()" in _source("moto.stepfunctions.parser.backend.execution:Execution.to_history_output")
    assert _params("moto.stepfunctions.parser.backend.execution:Execution.stop") == ["self", "stop_date", "error", "cause"]


@seam("moto WaitFunction._wait_interval (Wait states sleep here)")
def _() -> None:
    path = "moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function:WaitFunction"
    assert _params(f"{path}._wait_interval") == ["self", "env", "wait_seconds"]
    assert "self._wait_interval(env=env, wait_seconds=w_sec)" in _source(f"{path}._eval_body")


@seam("moto retrier_decl.time.sleep (Retry backoff sleeps here)")
def _() -> None:
    module = _attr("moto.stepfunctions.parser.asl.component.common.retry.retrier_decl")
    assert "time.sleep(interval_seconds)" in inspect.getsource(module)
    assert module.time.__name__ == "time"


@seam("moto AmazonStateLanguageParser.parse -> (program, tree)")
def _() -> None:
    parser = _attr("moto.stepfunctions.parser.asl.parse.asl_parser:AmazonStateLanguageParser")
    assert isinstance(inspect.getattr_static(parser, "parse"), staticmethod)
    assert "return program, tree" in _source("moto.stepfunctions.parser.asl.parse.asl_parser:AmazonStateLanguageParser.parse")
    assert "AmazonStateLanguageParser.parse(" in _source(
        "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_entrypoint"
    )


@seam("moto boto_client_for(region, service, state_credentials)")
def _() -> None:
    assert _params("moto.stepfunctions.parser.asl.utils.boto_client:boto_client_for") == ["region", "service", "state_credentials"]


@seam("moto ExecutionWorker._get_evaluation_environment and the context object")
def _() -> None:
    assert _params("moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_environment") == ["self"]
    states = _source("moto.stepfunctions.parser.asl.eval.states:States.__init__")
    assert 'StatesData(input=input_value, context=context)' in states
    assert "self.context_object_data" in _source("moto.stepfunctions.parser.asl.eval.states:ContextObject.__init__")
    assert 'context_object_data["State"] = StateData(' in _source("moto.stepfunctions.parser.asl.component.state.state:CommonStateField._eval_body")


@seam("moto.cloudformation: cloudformation_backends, Stack.parse_template, resource_map, clean_json")
def _() -> None:
    stack = _attr("moto.cloudformation.models:Stack")
    assert isinstance(inspect.getattr_static(stack, "parse_template"), staticmethod)
    assert "self.resource_map" in _source("moto.cloudformation.models:Stack.__init__")
    assert _params("moto.cloudformation.parsing:clean_json") == ["resource_json", "resources_map"]
    assert "stacks" in _source("moto.cloudformation.models:CloudFormationBackend.__init__")


@seam("moto.core.botocore_stubber.BotocoreStubber.__call__(event_name, request)")
def _() -> None:
    assert _params("moto.core.botocore_stubber:BotocoreStubber.__call__") == ["self", "event_name", "request", "kwargs"]
    assert _attr("moto.core.botocore_stubber:MockRawResponse")


@seam("moto.sqs.models.SQSBackend.send_message (dead letters)")
def _() -> None:
    params = _params("moto.sqs.models:SQSBackend.send_message")
    assert params[:3] == ["self", "queue_name", "message_body"] and "message_attributes" in params


@seam("moto jsonpath compilation: json_path.parse and result_path.parse (cached)")
def _() -> None:
    assert "input_expr = parse(path)" in _source("moto.stepfunctions.parser.asl.utils.json_path:extract_json")
    assert callable(_attr("moto.stepfunctions.parser.asl.utils.json_path:parse"))
    assert "parse(self.result_path_src)" in _source(
        "moto.stepfunctions.parser.asl.component.common.path.result_path:ResultPath._eval_body"
    )


@seam("moto.utilities.utils.load_resource(resource) (its data files, cached)")
def _() -> None:
    assert _params("moto.utilities.utils:load_resource") == ["resource"]
    assert "from moto.utilities.utils import load_resource" in inspect.getsource(_attr("moto.ec2.models.instance_types"))


@seam("moto.moto_api._internal.mock_random.seed (deterministic physical names)")
def _() -> None:
    assert "random.choice" in _source("moto.cloudformation.utils:random_suffix")
    assert "mock_random as random" in inspect.getsource(_attr("moto.cloudformation.utils"))
    assert callable(_attr("moto.moto_api._internal:mock_random.seed"))


@seam("botocore Loader.file_loader: JSONFileLoader.load_file / exists")
def _() -> None:
    import botocore.loaders

    assert botocore.loaders.Loader().file_loader.__class__ is botocore.loaders.JSONFileLoader
    assert _params("botocore.loaders:JSONFileLoader.load_file") == ["self", "file_path"]
    assert _params("botocore.loaders:JSONFileLoader.exists") == ["self", "file_path"]


@seam("botocore.session.create_loader (one shared loader)")
def _() -> None:
    import botocore.session

    assert callable(botocore.session.create_loader)
    assert "create_loader(self.get_config_variable('data_path'))" in inspect.getsource(botocore.session.Session._register_data_loader)


@seam("moto server: DomainDispatcherApplication(create_backend_app), MotoRequestHandler, host inference (serve)")
def _() -> None:
    dispatcher = _attr("moto.moto_server.werkzeug_app:DomainDispatcherApplication")
    assert _params("moto.moto_server.werkzeug_app:DomainDispatcherApplication.infer_service_region_host") == ["self", "environ", "path"]
    assert _params("moto.moto_server.werkzeug_app:DomainDispatcherApplication.get_backend_for_host") == ["self", "host"]
    assert "app_instances" in _source("moto.moto_server.werkzeug_app:DomainDispatcherApplication.__init__")
    assert "lock" in _source("moto.moto_server.werkzeug_app:DomainDispatcherApplication.__init__")
    assert callable(dispatcher) and callable(_attr("moto.moto_server.werkzeug_app:create_backend_app"))
    assert "fd" in _params("werkzeug.serving:make_server")


@seam("moto FakeKey.set_metadata after PutObject's event (serve: sandbox-deliveries)")
def _() -> None:
    assert _params("moto.s3.models:FakeKey.set_metadata") == ["self", "metadata", "replace"]
    assert "new_key.set_metadata(metadata)" in _source("moto.s3.responses:S3Response.put_object")


@seam("moto.core.utils.get_service_model (serve: operation names for faults)")
def _() -> None:
    assert _attr("moto.core.utils:get_service_model")("bedrock").service_id.hyphenize() == "bedrock"


@seam("moto DynamoDBBackend item writes (put/update/delete/transact_write_items), serialised by sandbox.atomic")
def _() -> None:
    from sandbox.atomic import WRITES

    for name in WRITES:
        assert callable(_attr(f"moto.dynamodb.models:DynamoDBBackend.{name}")), name


@seam("moto SQS Queue.delete_message rebuilds _messages; add_message appends under _messages_lock")
def _() -> None:
    assert _params("moto.sqs.models:Queue.delete_message") == ["self", "receipt_handle"]
    assert "self._messages = new_messages" in _source("moto.sqs.models:Queue.delete_message")
    assert "with self._messages_lock:" in _source("moto.sqs.models:Queue.add_message")


@pytest.mark.parametrize("name", list(SEAMS), ids=list(SEAMS))
def test_moto_seam_used_by_the_sandbox_is_still_there(name: str) -> None:
    try:
        SEAMS[name]()
    except (AssertionError, AttributeError, ImportError, TypeError, ValueError, OSError) as err:
        pytest.fail(f"moto seam moved: {name}: {type(err).__name__}: {err}", pytrace=False)


def test_sandbox_refuses_a_seam_that_is_gone() -> None:
    from sandbox.patches import Patcher, SeamMissing

    class Target:
        pass

    with pytest.raises(SeamMissing, match="Target.gone"):
        Patcher().setattr(Target, "gone", lambda: None)


def test_moto_builds_a_services_request_router_where_the_sandbox_builds_it_ahead() -> None:
    # sandbox/speed.py builds each router before anything runs (a lazy build raced between threads)
    from moto.core.routing import ServiceOperationRouter, get_service_router

    router = get_service_router("bedrock-runtime")
    assert isinstance(router, ServiceOperationRouter) and callable(router._get_router)
    assert isinstance(router._routers, dict)
