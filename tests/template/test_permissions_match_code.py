"""Each role may do exactly what its code or definition does: the actions are derived from the
handlers' boto3 calls (tests/template/code_scan.py) and from the state machine's tasks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.template import asl
from tests.template.code_scan import IAM_ACTIONS, IMPLIED_ACTIONS, required_actions, scan_handler
from tests.template.policies import (
    allowed_actions,
    identity_documents_of_role,
    references,
    resources,
    role_of,
)

LAMBDA_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",  # its own log streams
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",  # Tracing: Active
}

#: What Step Functions needs to deliver execution logs to CloudWatch Logs (no resource-level permissions).
LOG_DELIVERY_ACTIONS = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}

#: The IAM actions of the optimized service integrations a task may use.
INTEGRATION_ACTIONS = {"dynamodb:putItem": {"dynamodb:PutItem"}}

#: Which template resource each action of a function's policy must be limited to.
ACTION_TARGETS = {
    "s3": {"ArtifactBucket"},
    "sns": {"NotificationTopic"},
    "dynamodb": {"ImportLedgerTable"},
    "kms": {"NotificationKey", "ModelKmsKeyArn", "AllowedModelKmsKeyArns"},
    "iam": {"ModelImportRole", "ImportRoleArn"},
}


def _function_role_actions(transformed, function: str) -> dict[str, list[dict]]:
    return allowed_actions(identity_documents_of_role(transformed, role_of(transformed, function)))


@pytest.fixture(scope="module")
def function_ids(functions):
    return sorted(functions)


def test_the_code_scan_finds_each_functions_aws_calls(functions):
    """A guard on the scan itself: if it stopped finding calls, the tests below would prove nothing."""
    found = {name: sorted(scan_handler(path).operations) for name, path in functions.items()}
    assert found == {
        "ValidateArtifactsFunction": [("s3", "GetObject"), ("s3", "ListObjectsV2")],
        "AcquireImportSlotFunction": [("dynamodb", "GetItem"), ("dynamodb", "PutItem")],
        "CreateCustomModelFunction": [("bedrock", "CreateCustomModel"), ("bedrock", "CreateModelImportJob"),
                                      ("bedrock", "ListCustomModels"), ("bedrock", "ListImportedModels")],
        "CheckModelStatusFunction": [("bedrock", "GetCustomModel"), ("bedrock", "GetCustomModelDeployment"),
                                     ("bedrock", "GetModelImportJob"), ("bedrock", "GetProvisionedModelThroughput")],
        "DeployModelFunction": [("bedrock", "CreateCustomModelDeployment"), ("bedrock", "CreateProvisionedModelThroughput"),
                                ("bedrock", "GetCustomModelDeployment"), ("bedrock", "ListTagsForResource"),
                                ("bedrock", "UpdateCustomModelDeployment")],
        "SmokeTestFunction": [("bedrock", "GetImportedModel"), ("bedrock-runtime", "Converse"), ("bedrock-runtime", "InvokeModel")],
        "PublishResultFunction": [("dynamodb", "GetItem"), ("dynamodb", "UpdateItem"), ("sns", "Publish")],
    }


def test_the_code_calls_only_services_whose_clients_its_handler_creates(functions):
    for name, path in functions.items():
        scan = scan_handler(path)
        assert {c.service for c in scan.calls} <= scan.clients, name


@pytest.mark.parametrize(
    "function",
    ["ValidateArtifactsFunction", "AcquireImportSlotFunction", "CreateCustomModelFunction", "CheckModelStatusFunction",
     "DeployModelFunction", "SmokeTestFunction", "PublishResultFunction"],
)
def test_function_policy_grants_exactly_the_actions_its_code_calls(transformed, functions, function):
    needed = required_actions(scan_handler(functions[function]))
    granted = _function_role_actions(transformed, function)
    missing = set(needed) - set(granted)
    extra = set(granted) - set(needed)
    assert not missing, f"{function} calls {[needed[a] for a in sorted(missing)]} without {sorted(missing)}"
    assert not extra, f"{function} may {sorted(extra)}, which its code never calls"


@pytest.mark.parametrize(
    "function",
    ["ValidateArtifactsFunction", "AcquireImportSlotFunction", "CreateCustomModelFunction", "CheckModelStatusFunction",
     "DeployModelFunction", "SmokeTestFunction", "PublishResultFunction"],
)
def test_function_role_has_only_the_logging_and_tracing_managed_policies(transformed, function):
    role = transformed["Resources"][role_of(transformed, function)]
    assert set(role["Properties"].get("ManagedPolicyArns", [])) == LAMBDA_MANAGED_POLICIES


def test_function_permissions_name_the_stacks_own_resources(transformed, function_ids):
    for function in function_ids:
        for action, statements in _function_role_actions(transformed, function).items():
            service = action.split(":")[0]
            if service not in ACTION_TARGETS:
                continue
            for statement in statements:
                for resource in resources(statement):
                    assert references(resource) & ACTION_TARGETS[service], f"{function} {action} on {resource}"


def test_reading_the_bucket_is_limited_to_the_incoming_prefix(template):
    statements = template["Resources"]["ValidateArtifactsFunction"]["Properties"]["Policies"][0]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["ReadTriggerFiles"]["Resource"] == {"Fn::Sub": "${ArtifactBucket.Arn}/${IncomingPrefix}*"}
    # Listing is not narrowed by s3:prefix: without an unconditional ListBucket, S3 answers a GetObject
    # of a missing key with 403 instead of 404, and the validator could not tell "no such trigger file"
    # (or retry a URL-encoded key decoded) from a permission error.
    assert by_sid["ListModelFolders"]["Resource"] == {"Fn::GetAtt": ["ArtifactBucket", "Arn"]}
    assert "Condition" not in by_sid["ListModelFolders"]


CUSTOM_MODELS = {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:custom-model/*"}


def test_bedrock_permissions_name_custom_models_except_create_which_takes_none(transformed):
    """AWS's authorization data lists no resource type for CreateCustomModel (so only "*" matches
    it, tests/template/test_authorization_data.py checks that); it is narrowed by its own condition
    key instead: every request carries the provenance tag model-import:execution."""
    granted = _function_role_actions(transformed, "CreateCustomModelFunction")
    (create,) = granted["bedrock:CreateCustomModel"]
    assert create["Resource"] == "*"
    assert create["Condition"] == {"Null": {"aws:RequestTag/model-import:execution": "false"}}
    # The tag the condition requires is the one validation adds to every request (tests/workflow
    # test_outcomes shows it on the created model).
    from model_import.tags import PROVENANCE_PREFIX

    assert f"aws:RequestTag/{PROVENANCE_PREFIX}execution" in create["Condition"]["Null"]
    assert [s["Resource"] for s in granted["bedrock:TagResource"]] == [[CUSTOM_MODELS, IMPORT_JOBS, IMPORTED_MODELS]]
    (get,) = _function_role_actions(transformed, "CheckModelStatusFunction")["bedrock:GetCustomModel"]
    assert get["Resource"] == CUSTOM_MODELS


IMPORT_JOBS = {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:model-import-job/*"}
IMPORTED_MODELS = {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:imported-model/*"}


def test_open_weight_imports_are_granted_as_aws_authorizes_them(transformed, template):
    """CreateModelImportJob has no resource type either ("*", narrowed by the provenance tag), the job
    is read on model-import-job/*, and the import role reads the stack's model folders only."""
    (create,) = _function_role_actions(transformed, "CreateCustomModelFunction")["bedrock:CreateModelImportJob"]
    assert create["Resource"] == "*"
    assert create["Condition"] == {"Null": {"aws:RequestTag/model-import:execution": "false"}}
    (get,) = _function_role_actions(transformed, "CheckModelStatusFunction")["bedrock:GetModelImportJob"]
    assert get["Resource"] == IMPORT_JOBS
    role = template["Resources"]["ModelImportRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    by_sid = {s["Sid"]: s for s in role}
    assert by_sid["ReadOpenWeightFolders"] == {
        "Sid": "ReadOpenWeightFolders", "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": {"Fn::Sub": "${ArtifactBucket.Arn}/${IncomingPrefix}*"},
    }
    assert by_sid["ListOpenWeightFolders"]["Condition"] == {"StringLike": {"s3:prefix": {"Fn::Sub": "${IncomingPrefix}*"}}}


def test_model_package_sources_are_read_only_in_this_account(transformed):
    granted = _function_role_actions(transformed, "CreateCustomModelFunction")
    for action in ("sagemaker:DescribeModelPackage", "sagemaker:AccessModelPackageData"):
        (statement,) = granted[action]
        assert statement["Resource"] == {
            "Fn::Sub": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:model-package/*"
        }, action


def test_every_implied_action_names_the_aws_page_that_requires_it():
    for operation, implied in IMPLIED_ACTIONS.items():
        assert operation in IAM_ACTIONS, operation
        for action, source in implied.items():
            assert source.startswith("https://docs.aws.amazon.com/"), (operation, action)
            assert action not in IAM_ACTIONS[operation], f"{action} is {operation}'s own action, not an implied one"


def test_state_machine_role_grants_exactly_what_its_tasks_and_logging_use(transformed, state_machine):
    expected: set[str] = set(LOG_DELIVERY_ACTIONS)
    for state in state_machine.states.values():
        if asl.task_function(state, state_machine.substitutions):
            expected.add("lambda:InvokeFunction")
        integration = asl.task_integration(state, state_machine.substitutions)
        if integration:
            expected |= INTEGRATION_ACTIONS[integration]
            expected |= {"kms:GenerateDataKey", "kms:Decrypt"}  # the ledger table is encrypted with the stack's key
    role = role_of(transformed, state_machine.logical_id)
    granted = allowed_actions(identity_documents_of_role(transformed, role))
    assert set(granted) == expected
    assert transformed["Resources"][role]["Properties"]["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
    ]


def test_state_machine_may_invoke_exactly_the_functions_its_tasks_run(transformed, state_machine):
    invoked = {asl.task_function(s, state_machine.substitutions) for s in state_machine.states.values()} - {None}
    role = role_of(transformed, state_machine.logical_id)
    statements = allowed_actions(identity_documents_of_role(transformed, role))["lambda:InvokeFunction"]
    allowed = set().union(*(references(r) for s in statements for r in resources(s)))
    assert allowed == invoked


def test_trigger_rules_may_only_start_the_state_machine(transformed, state_machine):
    """The upload rule and the Model Registry approval rule."""
    rules = [r for r in transformed["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    assert len(rules) == 2
    for rule in rules:
        (target,) = rule["Properties"]["Targets"]
        assert references(target["Arn"]) == {state_machine.logical_id}
        (role,) = references(target["RoleArn"])
        granted = allowed_actions(identity_documents_of_role(transformed, role))
        assert set(granted) == {"states:StartExecution"}
        assert all(references(s["Resource"]) == {state_machine.logical_id} for s in granted["states:StartExecution"])


def test_the_registry_rule_matches_approvals_of_the_stacks_groups_only(transformed):
    rule = transformed["Resources"]["ModelPackageApprovedRule"]
    assert rule["Condition"] == "HasModelPackageGroups"  # ModelPackageGroupNames empty: no rule
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        "detail": {"ModelApprovalStatus": ["Approved"], "ModelPackageGroupName": {"Fn::Split": [",", {"Ref": "ModelPackageGroupNames"}]}},
    }


def test_import_role_may_only_read_model_sources_and_use_the_model_key(transformed):
    granted = allowed_actions(identity_documents_of_role(transformed, "ModelImportRole"))
    assert set(granted) == {
        "s3:GetObject",
        "s3:ListBucket",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
        "kms:CreateGrant",
    }
    for action in ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"):
        (statement,) = granted[action]
        assert references(statement["Resource"]) == {"ModelKmsKeyArn", "AllowedModelKmsKeyArns"}
    # CreateCustomModel takes only SageMaker's escrow buckets; CreateModelImportJob the stack's model
    # folders (open weights): the role reads nothing else of the stack's bucket.
    assert [r["Resource"] for r in granted["s3:GetObject"]] == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::customer-escrow-${AWS::AccountId}-*/*"},
        {"Fn::Sub": "${ArtifactBucket.Arn}/${IncomingPrefix}*"},
    ]
    assert [r["Resource"] for r in granted["s3:ListBucket"]] == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::customer-escrow-${AWS::AccountId}-*"},
        {"Fn::GetAtt": ["ArtifactBucket", "Arn"]},
    ]


def test_the_iam_table_covers_only_real_boto3_operations():
    from tests.template.code_scan import _operations

    for service, operation in IAM_ACTIONS:
        assert operation in _operations(service).values(), f"{service}.{operation}"


def test_a_new_boto3_call_without_a_permission_fails_the_check(tmp_path: Path):
    """The guard that keeps the policies honest: a call the IAM table does not know is reported."""
    handler = tmp_path / "app.py"
    handler.write_text(
        "from model_import.clients import client\n\n"
        "def lambda_handler(event, context):\n"
        "    bedrock = client('bedrock')\n"
        "    bedrock.delete_custom_model(modelIdentifier=event['name'])\n",
        encoding="utf-8",
    )
    scan = scan_handler(handler)
    assert {(c.service, c.operation) for c in scan.calls} == {("bedrock", "DeleteCustomModel")}
    with pytest.raises(AssertionError, match="bedrock.DeleteCustomModel"):
        required_actions(scan)


def test_the_model_keys_are_usable_by_create_only_through_bedrock_and_only_when_given(template):
    policy = template["Resources"]["CreateCustomModelKmsPolicy"]
    assert policy["Condition"] == "HasAnyModelKmsKey"
    assert template["Conditions"]["HasAnyModelKmsKey"] == {
        "Fn::Or": [{"Condition": "HasModelKmsKey"}, {"Condition": "HasAllowedModelKmsKeys"}]
    }
    assert policy["Properties"]["RoleName"] == {"Ref": "CreateCustomModelFunctionRole"}
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert references(statement["Resource"]) == {"ModelKmsKeyArn", "AllowedModelKmsKeyArns"}
    via_bedrock = {"Fn::Sub": "bedrock.${AWS::Region}.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"kms:ViaService": via_bedrock}}
