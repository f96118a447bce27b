"""Injected faults for requests that arrive over HTTP (`python -m sandbox serve`).

sandbox.faults answers in-process boto3 calls inside botocore (moto's stubber), which requests
from the AWS CLI or another process never pass through. This WSGI middleware sits in front of
moto's server instead: it names the request's service and operation as botocore does
("bedrock", "GetCustomModel"), asks the same Faults which fault fires, and answers it in the
service's wire protocol (sandbox.faults.error_response), so `--throttle` reaches a client's own
Bedrock calls as well as the workflow's.

The operation is read from the request the way the service model defines it: the X-Amz-Target
header (JSON protocols), the Action parameter (query protocol), or the HTTP method and request
URI (REST protocols: the operation whose URI template matches and whose required path, query
and header members are present; the most specific one wins).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote

from sandbox.faults import Faults, error_response

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class _RestRoute:
    operation: str
    method: str
    path: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]  # literal query parts of the URI template
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    specificity: tuple[int, int]


class OperationNames:
    """(botocore event service name, operation name) of a raw HTTP request, per moto backend."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self._routes: dict[str, list[_RestRoute]] = {}
        self._lock = threading.Lock()

    def _model(self, backend: str) -> Any:
        with self._lock:
            if backend not in self._models:
                from moto.core.utils import get_service_model

                try:
                    self._models[backend] = get_service_model(backend)
                except Exception:  # noqa: BLE001 - a moto backend without a botocore model of that name
                    self._models[backend] = None
            return self._models[backend]

    def name(self, backend: str, environ: dict[str, Any]) -> tuple[str, str | None] | None:
        model = self._model(backend)
        if model is None:
            return None
        service = model.service_id.hyphenize()
        protocol = model.metadata.get("protocol", "")
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target and "." in target:
            return service, target.rsplit(".", 1)[1]
        if protocol in ("query", "ec2") or "Action=" in environ.get("QUERY_STRING", ""):
            params = parse_qs(environ.get("QUERY_STRING", ""))
            if "Action" not in params and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
                params = parse_qs(_read_body(environ).decode("utf-8", "replace"))
            action = (params.get("Action") or [None])[0]
            if action:
                return service, action
        if protocol.startswith("rest"):
            return service, self._rest_operation(backend, model, environ)
        return service, None

    def _rest_operation(self, backend: str, model: Any, environ: dict[str, Any]) -> str | None:
        with self._lock:
            routes = self._routes.get(backend)
        if routes is None:
            routes = sorted(_rest_routes(model), key=lambda r: r.specificity, reverse=True)
            with self._lock:
                self._routes[backend] = routes
        method = environ.get("REQUEST_METHOD", "GET")
        path = unquote(environ.get("PATH_INFO", "/")) or "/"
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        for route in routes:
            if route.method != method or route.path.fullmatch(path) is None:
                continue
            if any(name not in query or (value is not None and value not in query[name]) for name, value in route.query):
                continue
            if any(name not in query for name in route.required_query):
                continue
            if any("HTTP_" + h.upper().replace("-", "_") not in environ for h in route.required_headers):
                continue
            return route.operation
        return None


def _rest_routes(model: Any) -> list[_RestRoute]:
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        http = operation.http
        template, _, query_text = http.get("requestUri", "/").partition("?")
        query: list[tuple[str, str | None]] = []
        for part in filter(None, query_text.split("&")):
            key, sep, value = part.partition("=")
            if key != "x-id":  # botocore does not send x-id (the operation's name)
                query.append((key, value if sep else None))
        pattern = ""
        literal = 0
        for piece in re.split(r"(\{[^}]+\})", template):
            if piece.startswith("{"):
                pattern += "(.+)" if piece.endswith("+}") else "([^/]+)"
            else:
                pattern += re.escape(piece)
                literal += len(piece)
        shape = operation.input_shape
        required_query: list[str] = []
        required_headers: list[str] = []
        if shape is not None:
            for member in shape.required_members:
                location = shape.members[member].serialization.get("location")
                where = shape.members[member].serialization.get("name", member)
                if location == "querystring":
                    required_query.append(where)
                elif location == "header":
                    required_headers.append(where)
        routes.append(
            _RestRoute(
                operation=name,
                method=http.get("method", "GET"),
                path=re.compile(pattern.rstrip("/") + "/?" if pattern != "/" else "/"),
                query=tuple(query),
                required_query=tuple(required_query),
                required_headers=tuple(required_headers),
                specificity=(len(query) + len(required_query) + len(required_headers), literal),
            )
        )
    return routes


class FaultMiddleware:
    """Answers a request with its injected fault before moto's server sees it."""

    def __init__(self, app: Any, faults: Faults) -> None:
        self.app = app  # moto's DomainDispatcherApplication
        self.faults = faults
        self.names = OperationNames()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.faults.faults:
            fault_response = self._fault(environ)
            if fault_response is not None:
                status, headers, body = fault_response
                start_response(f"{status} {HTTPStatus(status).phrase}", [*headers.items(), ("Content-Length", str(len(body)))])
                return [body]
        return self.app(environ, start_response)

    def _fault(self, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes] | None:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            return None
        host = self.app.infer_service_region_host(environ, path)
        backend = self.app.get_backend_for_host(host) if host else None
        if not backend:
            return None
        named = self.names.name(backend, environ)
        if named is None or named[1] is None:
            return None
        service, operation = named
        fault = self.faults.pick(service, operation)
        return error_response(service, fault) if fault is not None else None


def _read_body(environ: dict[str, Any]) -> bytes:
    """A form body (query protocol: always sent with a length), left in place for the app to read again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b""
    if length <= 0:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body
