"""Deploy the transformed template into moto's CloudFormation, then finish what moto skips.

moto's CloudFormation creates every resource the workflow needs, but:
- it creates state machines in its non-executing Step Functions backend and ignores
  DefinitionS3Location and DefinitionSubstitutions: the sandbox creates each state machine again,
  under the same name and ARN, in the executing backend, from the ASL file with the
  substitutions resolved against the deployed stack (as CloudFormation does);
- it ignores a bucket's VersioningConfiguration and NotificationConfiguration: the sandbox applies
  them through the S3 API (EventBridge delivery, versioning).
Values are resolved by moto's own intrinsic-function code, against the deployed resources.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.boot import ACCOUNT_ID, REGION
from sandbox.template import PLACEHOLDER_BUCKET, STACK_NAME, Blueprint


class DeployError(Exception):
    """The stack did not reach CREATE_COMPLETE, or a resource could not be completed."""


@dataclass(frozen=True)
class FunctionCode:
    """Where one deployed Lambda function's code lives locally, and how to call it."""

    logical_id: str
    name: str  # physical name
    arn: str
    code_dir: Path
    handler: str
    layer_dirs: tuple[Path, ...]
    timeout_seconds: int
    memory_mb: int


@dataclass(frozen=True)
class DeployedStack:
    name: str
    outputs: dict[str, str]
    physical_ids: dict[str, str]  # logical id -> physical id
    artifact_bucket: str
    state_machine_arn: str
    topic_arn: str
    functions: dict[str, FunctionCode] = field(default_factory=dict)  # by physical name
    rule_names: tuple[str, ...] = ()


def _stub_zip(note: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("SANDBOX.txt", note)
    return buffer.getvalue()


def _stack_resource_map(stack_name: str) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    backend = cloudformation_backends[ACCOUNT_ID][REGION]
    for stack in backend.stacks.values():
        if stack.name == stack_name and stack.status == "CREATE_COMPLETE":
            return stack.resource_map
    raise DeployError(f"stack {stack_name} not found in moto's CloudFormation backend")


def resolve(value: Any, resource_map: Any) -> Any:
    """A template value with its intrinsic functions resolved against the deployed stack."""
    from moto.cloudformation.parsing import clean_json

    return clean_json(value, resource_map)


def substitute_definition(text: str, substitutions: dict[str, Any]) -> str:
    """DefinitionSubstitutions as Step Functions applies them: each ${Key} becomes its value."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in substitutions:
            raise DeployError(f"the definition uses ${{{key}}}, which DefinitionSubstitutions does not define")
        return str(substitutions[key])

    return re.sub(r"\$\{([A-Za-z0-9_.:-]+)\}", replace, text)


def deploy(blueprint: Blueprint, parameters: dict[str, str] | None = None) -> DeployedStack:
    import boto3

    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=PLACEHOLDER_BUCKET)
    for key, path in blueprint.local_paths.items():
        s3.put_object(Bucket=PLACEHOLDER_BUCKET, Key=key, Body=_stub_zip(f"The sandbox runs this from {path}\n"))
    cfn = boto3.client("cloudformation", region_name=REGION)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto warns about the types it does not model (alarms, policies)
        cfn.create_stack(
            StackName=STACK_NAME,
            TemplateBody=json.dumps(blueprint.template),
            Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in (parameters or {}).items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
    stack = cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise DeployError(f"stack {STACK_NAME}: {stack['StackStatus']} {stack.get('StackStatusReason', '')}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in cfn.list_stack_resources(StackName=STACK_NAME)["StackResourceSummaries"]
    }
    resource_map = _stack_resource_map(STACK_NAME)
    _complete_buckets(blueprint, resource_map, physical)
    machines = _create_state_machines(blueprint, resource_map, physical)
    functions = _function_code(blueprint, physical)
    rules = tuple(physical[k] for k in blueprint.resources_of_type("AWS::Events::Rule") if k in physical)  # conditional ones too
    topics = [physical[k] for k in blueprint.resources_of_type("AWS::SNS::Topic")]
    if len(machines) != 1 or len(topics) != 1:
        raise DeployError(f"expected one state machine and one topic, found {machines} and {topics}")
    return DeployedStack(
        name=STACK_NAME,
        outputs=outputs,
        physical_ids=physical,
        artifact_bucket=physical[blueprint.artifact_bucket_id],
        state_machine_arn=machines[0],
        topic_arn=topics[0],
        functions=functions,
        rule_names=rules,
    )


def _complete_buckets(blueprint: Blueprint, resource_map: Any, physical: dict[str, str]) -> None:
    import boto3

    s3 = boto3.client("s3", region_name=REGION)
    for logical_id, resource in blueprint.resources_of_type("AWS::S3::Bucket").items():
        props = resolve(resource.get("Properties", {}), resource_map)
        bucket = physical[logical_id]
        status = (props.get("VersioningConfiguration") or {}).get("Status")
        if status:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
        notification = props.get("NotificationConfiguration") or {}
        if (notification.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled") in (True, "true", "True"):
            s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
            )


def _create_state_machines(blueprint: Blueprint, resource_map: Any, physical: dict[str, str]) -> list[str]:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[ACCOUNT_ID][REGION]
    arns = []
    for logical_id, resource in blueprint.resources_of_type("AWS::StepFunctions::StateMachine").items():
        props = resource.get("Properties", {})
        location = props.get("DefinitionS3Location") or {}
        path = blueprint.local_path(location.get("Bucket", ""), location.get("Key", ""))
        if path is not None:
            text = path.read_text(encoding="utf-8")
        elif "DefinitionString" in props or "Definition" in props:
            raw = props.get("DefinitionString", props.get("Definition"))
            text = raw if isinstance(raw, str) else json.dumps(resolve(raw, resource_map))
        else:
            raise DeployError(f"{logical_id}: no local definition to run")
        substitutions = resolve(props.get("DefinitionSubstitutions") or {}, resource_map)
        definition = substitute_definition(text, substitutions)
        arn = physical[logical_id]
        name = arn.rsplit(":", 1)[-1]
        tracing = resolve(props.get("TracingConfiguration"), resource_map)
        logging_config = resolve(props.get("LoggingConfiguration"), resource_map)
        backend.create_state_machine(
            name=name,
            definition=definition,
            roleArn=resolve(props.get("RoleArn"), resource_map),
            tags=[{"key": t["Key"], "value": t["Value"]} for t in props.get("Tags", [])],
            loggingConfiguration=_logging_config(logging_config),
            tracingConfiguration={"enabled": bool(tracing.get("Enabled"))} if tracing else None,
            sm_type=props.get("StateMachineType", "STANDARD"),
        )
        arns.append(arn)
    return arns


def _logging_config(cfn_config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not cfn_config:
        return None
    destinations = [
        {"cloudWatchLogsLogGroup": {"logGroupArn": d["CloudWatchLogsLogGroup"]["LogGroupArn"]}}
        for d in cfn_config.get("Destinations", [])
        if "CloudWatchLogsLogGroup" in d
    ]
    return {
        "level": cfn_config.get("Level", "OFF"),
        "includeExecutionData": bool(cfn_config.get("IncludeExecutionData", False)),
        "destinations": destinations,
    }


def _function_code(blueprint: Blueprint, physical: dict[str, str]) -> dict[str, FunctionCode]:
    layer_dirs: dict[str, Path] = {}
    for logical_id, resource in blueprint.resources_of_type("AWS::Lambda::LayerVersion").items():
        content = resource.get("Properties", {}).get("Content", {})
        path = blueprint.local_path(content.get("S3Bucket", ""), content.get("S3Key", ""))
        if path is not None:
            layer_dirs[logical_id] = path
    functions = {}
    for logical_id, resource in blueprint.resources_of_type("AWS::Lambda::Function").items():
        props = resource.get("Properties", {})
        code = props.get("Code", {})
        code_dir = blueprint.local_path(code.get("S3Bucket", ""), code.get("S3Key", ""))
        if code_dir is None:
            raise DeployError(f"{logical_id}: its code is not a local folder, so the sandbox cannot run it")
        layers = tuple(
            layer_dirs[layer["Ref"]]
            for layer in props.get("Layers", [])
            if isinstance(layer, dict) and layer.get("Ref") in layer_dirs
        )
        name = physical[logical_id]
        functions[name] = FunctionCode(
            logical_id=logical_id,
            name=name,
            arn=f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}",
            code_dir=code_dir,
            handler=props.get("Handler", "app.lambda_handler"),
            layer_dirs=layers,
            timeout_seconds=int(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
        )
    return functions
