"""Injected failures: AWS answering an error instead of serving a call, or a handler crashing.

A Fault matches calls by service and operation as botocore names them ("bedrock",
"CreateCustomModel"), from any client in the process (the handlers' and Step Functions' own
service integrations alike), and answers the AWS error in that service's wire protocol, so the
caller sees exactly the ClientError AWS would send. Each fault fires with a probability, and/or
for its first `count` matching calls (a burst), optionally after letting `skip` of them through.

    Faults.throttle_bedrock(0.3)                        # --throttle 0.3
    Faults([Fault("bedrock", "GetCustomModel", "InternalServerException", status=500, count=2)])
    Faults([Fault("bedrock", "GetCustomModel", "ThrottlingException", skip=1, count=5)])  # mid-loop
    Faults([Fault("sns", "Publish", "InternalError", status=500, count=1)])
    # the call succeeds, then its response is lost: the caller sees this error (a write that happened)
    Faults([Fault("dynamodb", "PutItem", "InternalServerError", status=500, count=1, after_call=True)])
    Faults([Fault("lambda", "CheckModelStatusFunction", "RuntimeError", crash=True, count=1)])
    # the handler runs to the end, then its response is lost: the invoke fails with this error
    Faults([Fault("lambda", "PublishResultFunction", "Lambda.ServiceException", crash=True, after_handler=True, count=1)])
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

# botocore's service names in event names ("before-send.<service>.<Operation>") -> wire protocol
_PROTOCOLS = {
    "bedrock": "rest-json",
    "bedrock-runtime": "rest-json",  # Converse, InvokeModel (sandbox/runtime.py)
    "lambda": "rest-json",
    "sns": "query",
    "sqs": "json",
    "s3": "rest-xml",
    "dynamodb": "json",
    "sfn": "json",
    "eventbridge": "json",
    "cloudformation": "query",
}
_JSON_TARGET_PREFIX = {"dynamodb": "com.amazonaws.dynamodb.v20120810#", "sfn": "com.amazonaws.states#"}


@dataclass
class Fault:
    service: str  # botocore service name ("bedrock", "sns", "dynamodb", "s3"), or "lambda" with crash=True
    operation: str | None = None  # "CreateCustomModel"; None: every operation (for crash: the logical id)
    error: str = "ThrottlingException"  # the error code (or, with crash=True, the exception class name)
    status: int = 429
    message: str = "Rate exceeded"
    probability: float = 1.0
    count: int | None = None  # fire at most this many times (None: no limit)
    skip: int = 0  # let the first `skip` matching calls through (a failure mid-way, not at the start)
    crash: bool = False  # a handler raising an unexpected exception instead of an AWS error
    after_handler: bool = False  # with crash=True: the handler runs, then the invoke fails with `error`
    after_call: bool = False  # an AWS call that is served, then answers `error` (the response was lost)
    fired: int = field(default=0, compare=False)
    seen: int = field(default=0, compare=False)  # matching calls so far, fired or not

    def matches(self, service: str, operation: str) -> bool:
        return self.service == service and self.operation in (None, operation)


class Faults:
    def __init__(self, faults: list[Fault] | None = None, seed: int | None = 7) -> None:
        self.faults = list(faults or [])
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: list[tuple[str, str, str]] = []  # (service, operation, error) in order
        self._exempt = threading.local()

    @classmethod
    def throttle_bedrock(cls, fraction: float, seed: int | None = 7) -> Faults:
        """A fraction of all Bedrock calls answered with ThrottlingException (`--throttle P`)."""
        if fraction <= 0:
            return cls(seed=seed)
        return cls(
            [Fault("bedrock", None, "ThrottlingException", 429, "Too many requests, please wait before trying again.", probability=fraction)],
            seed=seed,
        )

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    @contextlib.contextmanager
    def suspended(self) -> Iterator[None]:
        """No faults for calls made on this thread meanwhile (the sandbox's own reads)."""
        previous = getattr(self._exempt, "on", False)
        self._exempt.on = True
        try:
            yield
        finally:
            self._exempt.on = previous

    def pick(
        self, service: str, operation: str, crash: bool = False, after_handler: bool = False, after_call: bool = False
    ) -> Fault | None:
        """The fault to inject into this call, if any (and count it)."""
        if getattr(self._exempt, "on", False):
            return None
        with self._lock:
            for fault in self.faults:
                if (fault.crash, fault.after_handler, fault.after_call) != (crash, after_handler, after_call):
                    continue
                if not fault.matches(service, operation):
                    continue
                fault.seen += 1
                if fault.seen <= fault.skip:
                    continue
                if fault.count is not None and fault.fired >= fault.count:
                    continue
                if fault.probability < 1.0 and self._random.random() >= fault.probability:
                    continue
                fault.fired += 1
                self.injected.append((service, operation, fault.error))
                return fault
        return None

    def count(self, service: str | None = None, operation: str | None = None) -> int:
        return sum(1 for s, o, _ in self.injected if service in (None, s) and operation in (None, o))


def error_response(service: str, fault: Fault) -> tuple[int, dict[str, str], bytes]:
    """The fault as the service would send it on the wire, for botocore to parse."""
    request_id = str(uuid4())
    protocol = _PROTOCOLS.get(service, "rest-json")
    if protocol == "query":
        body = (
            '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error>'
            f"<Type>{'Receiver' if fault.status >= 500 else 'Sender'}</Type><Code>{fault.error}</Code>"
            f"<Message>{fault.message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return fault.status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode()
    if protocol == "rest-xml":
        body = f"<Error><Code>{fault.error}</Code><Message>{fault.message}</Message><RequestId>{request_id}</RequestId></Error>"
        return fault.status, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body.encode()
    if protocol == "json":
        error_type = _JSON_TARGET_PREFIX.get(service, "") + fault.error
        body = json.dumps({"__type": error_type, "message": fault.message})
        return fault.status, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": request_id}, body.encode()
    body = json.dumps({"message": fault.message})
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": fault.error, "x-amzn-RequestId": request_id}
    return fault.status, headers, body.encode()


def install(patcher: Any, faults: Faults) -> None:
    """Answer matching calls with their fault before moto sees them (moto's botocore stubber)."""
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

    original = BotocoreStubber.__call__

    def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if self.enabled and faults.faults:
            parts = event_name.split(".")
            if len(parts) >= 3:
                service, operation = parts[1], parts[2]
                fault = faults.pick(service, operation)
                if fault is not None:
                    status, headers, body = error_response(service, fault)
                    return AWSResponse(request.url, status, headers, MockRawResponse(body))
                served = original(self, event_name, request, **kwargs)
                lost = faults.pick(service, operation, after_call=True)
                if lost is not None:
                    status, headers, body = error_response(service, lost)
                    return AWSResponse(request.url, status, headers, MockRawResponse(body))
                return served
        return original(self, event_name, request, **kwargs)

    patcher.setattr(BotocoreStubber, "__call__", __call__)
