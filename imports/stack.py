"""Find the deployed stack (CloudFormation DescribeStacks) and check that it is this application."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imports.aws import error_code
from imports.errors import StatusError

#: Outputs every stack of this application has (template.yaml, Outputs).
REQUIRED_OUTPUTS = ("StateMachineArn", "ImportLedgerTableName")


@dataclass(frozen=True)
class Stack:
    name: str
    state_machine_arn: str
    ledger_table: str
    outputs: dict[str, str]

    @property
    def region(self) -> str:
        return self.state_machine_arn.split(":")[3]


def find_stack(cloudformation: Any, name: str) -> Stack:
    from botocore.exceptions import ClientError

    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as err:
        # DescribeStacks answers a missing stack with ValidationError "Stack with id X does not exist".
        if error_code(err) == "ValidationError" and "does not exist" in str(err):
            raise StatusError(
                f"stack {name!r} not found in {cloudformation.meta.region_name}: check the name "
                "(aws cloudformation list-stacks) and the region (--region or AWS_DEFAULT_REGION)"
            ) from err
        raise
    if not stacks:
        raise StatusError(f"stack {name!r} not found in {cloudformation.meta.region_name}")
    stack = stacks[0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", []) if "OutputValue" in o}
    missing = [key for key in REQUIRED_OUTPUTS if key not in outputs]
    if missing:
        status = stack.get("StackStatus", "")
        hint = f" (its status is {status})" if status and not status.endswith("_COMPLETE") else ""
        raise StatusError(
            f"stack {name!r} is not a Bedrock model import stack{hint}: it has no output {', '.join(missing)}"
        )
    return Stack(name=stack.get("StackName", name), state_machine_arn=outputs["StateMachineArn"],
                 ledger_table=outputs["ImportLedgerTableName"], outputs=outputs)
