"""Service limits moto does not enforce, enforced where AWS enforces them.

- StartExecution's `input` is at most 262,144 bytes of UTF-8 (botocore's stepfunctions model:
  SensitiveData, "max": 262144, "Length constraints apply to the payload size, and are expressed as
  bytes in UTF-8 encoding"). AWS refuses a larger input at the call, with a ValidationException
  (the model's error for "input does not satisfy the constraints"); moto started the execution,
  which then ended States.DataLimitExceeded with no notification. The message is the one AWS
  returns for it, as seen in public client code that hit it.
"""

from __future__ import annotations

import functools
from typing import Any

EXECUTION_INPUT_MAX_BYTES = 262_144
INPUT_TOO_LARGE = (
    "1 validation error detected: Value at 'input' failed to satisfy constraint: "
    f"Member must have size less than or equal to {EXECUTION_INPUT_MAX_BYTES} bytes in UTF-8 encoding"
)


def input_size(execution_input: str | None) -> int:
    return len(execution_input.encode("utf-8", "surrogatepass")) if execution_input else 0


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
