"""The deployed Lambda functions, run in-process from their CodeUri folders.

moto's Lambda (with use_docker=False) answers every invoke with a canned payload; the sandbox
replaces that with a small Lambda runtime: import the function's handler module from its local
folder (once per session: later invokes are warm, with their module globals kept, as on AWS),
set exactly that function's environment variables from the deployed template plus the Lambda
runtime's own, call the handler with a Lambda-like context, and answer an exception the way
Lambda does (x-amz-function-error: Unhandled and an error payload whose errorType is the
exception class name), so that the state machine's Retry and Catch route on it.

Invokes run one at a time: the handlers' environment lives in the process-wide os.environ,
and their calls into moto are in-process CPU work that would not run in parallel anyway.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import tracemalloc
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from sandbox.boot import REGION
from sandbox.faults import Faults
from sandbox.logs import HandlerLog, Routers
from sandbox.stack import FunctionCode


class InjectedCrash(RuntimeError):
    """Raised inside a handler by a crash fault (sandbox.faults.Fault(crash=True))."""


class LostResponse(Exception):
    """The handler ran to the end, but the invoke failed anyway (Fault(crash=True, after_handler=True)):
    the caller sees the fault's error name, as when Lambda answers ServiceException after the work is done."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


@dataclass
class LambdaContext:
    """The attributes and method of the Lambda Python runtime's context object."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    _deadline: float

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Invocation:
    function: str  # logical id
    request_id: str
    error_type: str | None
    seconds: float
    # Peak bytes Python allocated during the invoke (module import on a cold start included), when
    # tracemalloc is tracing (bench/lambda_memory.py turns it on); else None. It counts moto's
    # in-process work on the handler's calls too, so it errs high as a stand-in for Max Memory Used.
    peak_bytes: int | None = None


class LambdaRuntime:
    def __init__(self, functions: dict[str, FunctionCode], faults: Faults, log: HandlerLog, router: Routers) -> None:
        self.functions = functions
        self.faults = faults
        self.log = log
        self.router = router
        self.invocations: list[Invocation] = []
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.RLock()
        self._session = uuid.uuid4().hex[:8]
        self._all_variables: set[str] = set()

    def install(self, patcher: Any) -> None:
        from moto.awslambda_simple.models import LambdaSimpleBackend

        runtime = self
        original = LambdaSimpleBackend.invoke

        def invoke(backend: Any, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any) -> bytes:
            fn = backend.get_function(function_name, qualifier)
            code = runtime.functions.get(fn.function_name)
            if code is None:  # not a function of the template: moto's canned answer
                return original(backend, function_name, qualifier, body, headers, response_headers)
            variables = dict(fn.environment_vars or {})
            if (headers or {}).get("X-Amz-Invocation-Type") == "Event":
                threading.Thread(target=runtime.run, args=(code, variables, body, {}), daemon=True).start()
                return b""
            return runtime.run(code, variables, body, response_headers)

        patcher.setattr(LambdaSimpleBackend, "invoke", invoke)

    def quiesce(self) -> None:
        """Return once no handler is running."""
        with self._lock:
            pass

    def close(self) -> None:
        with self._lock:
            for name in list(self._modules):
                sys.modules.pop(self._modules[name].__name__, None)
            self._modules.clear()

    # ---------------------------------------------------------------- one invoke

    def run(self, code: FunctionCode, variables: dict[str, str], body: Any, response_headers: dict[str, str]) -> bytes:
        request_id = str(uuid.uuid4())
        raw = body.decode("utf-8") if isinstance(body, bytes | bytearray) else (body or "")
        started = time.monotonic()
        peak: int | None = None
        with self._lock:
            tracing = tracemalloc.is_tracing()
            if tracing:
                tracemalloc.reset_peak()
                before = tracemalloc.get_traced_memory()[0]
            env = self._environment(code, variables)
            saved = self._apply(env)
            try:
                with self.router.handler(code.logical_id, self.log):
                    try:
                        event = json.loads(raw) if raw.strip() else {}
                        handler = self._handler(code)
                        context = self._context(code, request_id, started)
                        crash = self.faults.pick("lambda", code.logical_id, crash=True)
                        if crash is not None:
                            raise InjectedCrash(f"{crash.error}: injected crash of {code.logical_id}")
                        result = handler(event, context)
                        payload = json.dumps(result).encode("utf-8")
                        lost = self.faults.pick("lambda", code.logical_id, crash=True, after_handler=True)
                        if lost is not None:
                            raise LostResponse(lost.error, f"{lost.message} (injected after {code.logical_id} returned)")
                        error_type = None
                    except Exception as err:  # noqa: BLE001 - Lambda reports whatever the handler raised
                        error_type = err.error_type if isinstance(err, LostResponse) else type(err).__name__
                        if isinstance(err, TypeError) and "JSON serializable" in str(err):
                            error_type = "Runtime.MarshalError"
                        payload = _error_payload(err, error_type, request_id)
                        response_headers["x-amz-function-error"] = "Unhandled"
            finally:
                self._restore(saved)
                if tracing:
                    peak = tracemalloc.get_traced_memory()[1] - before
        self.invocations.append(Invocation(code.logical_id, request_id, error_type, time.monotonic() - started, peak))
        return payload

    def _environment(self, code: FunctionCode, variables: dict[str, str]) -> dict[str, str]:
        runtime = {
            "AWS_LAMBDA_FUNCTION_NAME": code.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(code.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{code.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"sandbox/[$LATEST]{self._session}",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "LAMBDA_TASK_ROOT": str(code.code_dir),
            "_HANDLER": code.handler,
        }
        env = {**runtime, **{k: str(v) for k, v in variables.items()}}
        self._all_variables.update(env)
        return env

    def _apply(self, env: dict[str, str]) -> dict[str, str | None]:
        """Set exactly this function's variables: other functions' variables are removed."""
        saved: dict[str, str | None] = {}
        for name in self._all_variables:
            saved[name] = os.environ.get(name)
            if name in env:
                os.environ[name] = env[name]
            else:
                os.environ.pop(name, None)
        return saved

    @staticmethod
    def _restore(saved: dict[str, str | None]) -> None:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def _context(self, code: FunctionCode, request_id: str, started: float) -> LambdaContext:
        return LambdaContext(
            function_name=code.name,
            function_version="$LATEST",
            invoked_function_arn=code.arn,
            memory_limit_in_mb=code.memory_mb,
            aws_request_id=request_id,
            log_group_name=f"/aws/lambda/{code.name}",
            log_stream_name=f"sandbox/[$LATEST]{self._session}",
            _deadline=started + code.timeout_seconds,
        )

    def _handler(self, code: FunctionCode) -> Any:
        """The handler function; the module is imported on the first invoke (the cold start)."""
        module_name, _, function_name = code.handler.rpartition(".")
        module = self._modules.get(code.name)
        if module is None:
            module = self._import(code, module_name)
            self._modules[code.name] = module
        return getattr(module, function_name)

    def _import(self, code: FunctionCode, module_name: str) -> ModuleType:
        path = code.code_dir / (module_name.replace(".", "/") + ".py")
        unique = f"_sandbox_{self._session}_{code.logical_id}_{module_name.replace('.', '_')}"
        spec = importlib.util.spec_from_file_location(unique, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"Unable to import module '{module_name}': no {path}")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(code.code_dir))  # /var/task comes first on Lambda
        try:
            sys.modules[unique] = module
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(unique, None)  # a failed init is retried by the next invoke, as on Lambda
            raise
        finally:
            sys.path.remove(str(code.code_dir))
        return module


def _error_payload(err: BaseException, error_type: str, request_id: str) -> bytes:
    stack = traceback.format_list(traceback.extract_tb(err.__traceback__))
    payload = {
        "errorMessage": str(err),
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": [line.rstrip("\n") for line in stack],
    }
    return json.dumps(payload).encode("utf-8")


def layer_paths(functions: dict[str, FunctionCode]) -> list[Path]:
    """The local layer folders of all functions, in order, without repeats (for sys.path)."""
    seen: list[Path] = []
    for code in functions.values():
        for path in code.layer_dirs:
            if path not in seen:
                seen.append(path)
    return seen
