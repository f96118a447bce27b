"""Service limits moto does not enforce, enforced where AWS enforces them.

- StartExecution's `input` is at most 262,144 bytes of UTF-8 (botocore's stepfunctions model:
  SensitiveData, "max": 262144, "Length constraints apply to the payload size, and are expressed as
  bytes in UTF-8 encoding"). AWS refuses a larger input at the call, with a ValidationException
  (the model's error for "input does not satisfy the constraints"); moto started the execution,
  which then ended States.DataLimitExceeded with no notification. The message is the one AWS
  returns for it, as seen in public client code that hit it.
- A Task's input after Parameters processing is at most the same 256 KiB; beyond it the state fails
  States.DataLimitExceeded, a terminal error that a States.ALL catcher does not catch (Step Functions
  developer guide, "Error handling in Step Functions workflows", States.ALL and
  States.DataLimitExceeded). moto checks only a state's output and a Lambda's result, and its
  States.ALL matches every error: both are enforced here, for Lambda tasks (the workflow's).
"""

from __future__ import annotations

import functools
import json
from typing import Any

EXECUTION_INPUT_MAX_BYTES = 262_144
INPUT_TOO_LARGE = (
    "1 validation error detected: Value at 'input' failed to satisfy constraint: "
    f"Member must have size less than or equal to {EXECUTION_INPUT_MAX_BYTES} bytes in UTF-8 encoding"
)


def input_size(execution_input: str | None) -> int:
    return len(execution_input.encode("utf-8", "surrogatepass")) if execution_input else 0


def payload_size(value: Any) -> int:
    """A task input's size as Step Functions' history shows it: compact JSON, in UTF-8 bytes."""
    return input_size(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def install(patcher: Any) -> None:
    from moto.stepfunctions.exceptions import ValidationException
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution

    @functools.wraps(original)
    def start_execution(
        self: Any, state_machine_arn: str, name: Any = None, execution_input: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        if input_size(execution_input) > EXECUTION_INPUT_MAX_BYTES:
            raise ValidationException(INPUT_TOO_LARGE)
        return original(self, state_machine_arn, name, execution_input, *args, **kwargs)

    patcher.setattr(StepFunctionsParserBackend, "start_execution", start_execution)
    _install_task_input_limit(patcher)


def _install_task_input_limit(patcher: Any) -> None:
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl import ErrorEqualsDecl
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent, FailureEventException
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import StateTaskLambda
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    too_large = StatesErrorNameType.StatesStatesDataLimitExceeded
    original_parameters = StateTaskLambda._eval_parameters

    @functools.wraps(original_parameters)
    def eval_parameters(self: Any, env: Any) -> dict:
        parameters = original_parameters(self, env)
        if payload_size(parameters["Payload"]) > EXECUTION_INPUT_MAX_BYTES:
            cause = f"The state/task '{self.name}' has an input with a size exceeding the maximum number of bytes service limit."
            raise FailureEventException(
                failure_event=FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=too_large),
                    event_type=HistoryEventType.TaskFailed,
                    event_details=EventDetails(taskFailedEventDetails=TaskFailedEventDetails(error=too_large.to_name(), cause=cause)),
                )
            )
        return parameters

    original_match = ErrorEqualsDecl._eval_body

    @functools.wraps(original_match)
    def match(self: Any, env: Any) -> None:
        error_name = env.stack[-1]
        original_match(self, env)
        terminal = isinstance(error_name, StatesErrorName) and error_name.typ == too_large
        if terminal and env.stack[-1] and error_name not in self.error_names:
            env.stack[-1] = False  # matched by States.ALL only: terminal on AWS

    patcher.setattr(StateTaskLambda, "_eval_parameters", eval_parameters)
    patcher.setattr(ErrorEqualsDecl, "_eval_body", match)
