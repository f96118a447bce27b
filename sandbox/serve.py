"""python -m sandbox serve [--host 127.0.0.1] [--port 4566] [--bedrock active|failed|stuck] [--polls N] [--throttle P]
                         [--deployment active|failed|stuck] [--warmup N] [--invoke ok|error]

The sandbox as a local AWS endpoint: one sandbox session (the real stack deployed into moto) and
moto's own HTTP server in the same process, so the AWS CLI, boto3 or any SDK pointed at it
reach the very backends the workflow runs on, with the sandbox's seams in place: S3 uploads
start executions (sandbox.events patches moto's S3 notifications at the module level), the
state machine runs the real handlers (sandbox.lambdas patches the Lambda backend), Bedrock is
the emulation (sandbox.bedrock patches moto's Bedrock and bedrock-runtime responses classes:
custom models, import jobs, deployments, Provisioned Throughput, Converse and InvokeModel). Only the injected faults
live inside botocore, which HTTP requests never pass through: sandbox.http_faults puts them in
front of the server too. The handlers' own boto3 calls stay in-process.

Time is compressed as in `run`. It prints the environment to use (sourceable by a shell), serves
until Ctrl-C or SIGTERM, then stops every execution and exits 0. A port that cannot be listened
on is exit status 2 with one line.

Sandbox-only knob: S3 user metadata `sandbox-deliveries: N` (1-10) on an upload delivers its
EventBridge event N times, as EventBridge's at-least-once delivery may (a duplicate to test
against); real S3 just stores the metadata.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566
DELIVERIES_METADATA = "x-amz-meta-sandbox-deliveries"
MAX_DELIVERIES = 10
EXIT_OK, EXIT_USAGE = 0, 2


class ServeError(Exception):
    """The endpoint cannot be served (one line for the user, exit status 2)."""


def add_arguments(parser: argparse.ArgumentParser, positive: Callable[[str], int], fraction: Callable[[str], float]) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port to listen on; 0 picks a free one (default {DEFAULT_PORT})")
    from sandbox.cli import BEDROCK_CHOICES, BEDROCK_HELP

    parser.add_argument("--bedrock", choices=BEDROCK_CHOICES, default="active", help=BEDROCK_HELP)
    parser.add_argument("--polls", metavar="N", type=positive, default=2, help="status checks until a model leaves Creating (default 2)")
    parser.add_argument("--throttle", metavar="P", type=fraction, default=0.0,
                        help="answer this fraction of Bedrock calls (the workflow's and clients') with ThrottlingException")
    parser.add_argument("--verbose", action="store_true", help="also print the handlers' logs and every request (to stderr)")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {value}")
    return value


def client_host(host: str) -> str:
    """Where a client on this machine reaches a server listening on `host`."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def environment(endpoint: str, sb: Any) -> dict[str, str]:
    """The variables a client needs: the endpoint, dummy credentials, the region, the stack's outputs.

    AWS_ENDPOINT_URL is the SDKs' and CLI's global endpoint setting
    (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); AWS CLI v1 still
    replaces it for `sqs` (awscli/customizations/overridesslcommonname.py), hence the note printed."""
    from sandbox.boot import ACCOUNT_ID, REGION
    from sandbox.session import NOTIFICATION_QUEUE

    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "SANDBOX_BUCKET": sb.bucket,
        "SANDBOX_STATE_MACHINE_ARN": sb.state_machine_arn,
        "SANDBOX_TOPIC_ARN": sb.topic_arn,
        # the queue's URL as the SQS API gives it through this endpoint (GetQueueUrl)
        "SANDBOX_NOTIFICATIONS_QUEUE_URL": f"{endpoint}/{ACCOUNT_ID}/{NOTIFICATION_QUEUE}",
    }


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything slow starts: a taken port is one line at once
    (werkzeug's own bind prints to stderr and exits 1)."""
    try:
        family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as err:
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as http.server does
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except (OSError, OverflowError) as err:
        sock.close()
        reason = getattr(err, "strerror", None) or str(err)
        raise ServeError(f"cannot listen on {host}:{port}: {reason} (choose another --port or --host, or stop what uses it)") from None
    return sock


class Endpoint:
    """moto's server (its WSGI app and request handler, as moto.server.ThreadedMotoServer runs
    them) on an already bound socket, served from a thread, with the injected faults in front."""

    def __init__(self, sock: socket.socket, verbose: bool = False) -> None:
        from werkzeug.serving import make_server

        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

        self.dispatcher = DomainDispatcherApplication(create_backend_app)
        self._app: Any = self.dispatcher
        host, port = sock.getsockname()[:2]
        self.server = make_server(host, port, self._call, threaded=True, request_handler=MotoRequestHandler, fd=sock.fileno())
        sock.close()  # the server holds its own duplicate
        self.server.daemon_threads = True
        logging.getLogger("werkzeug").setLevel(logging.INFO if verbose else logging.ERROR)
        self.port = port
        self._thread: threading.Thread | None = None

    def _call(self, environ: dict[str, Any], start_response: Any) -> Any:
        if str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
            # moto's own control API (reset, seed, state) would wipe or bend the deployed stack under
            # the running workflow: not an AWS API, so not served.
            body = b'{"message": "moto\'s control API is not served by the sandbox; restart it for a fresh stack"}'
            start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self._app(environ, start_response)

    def install_faults(self, faults: Any) -> None:
        from sandbox.http_faults import FaultMiddleware

        self._app = FaultMiddleware(self.dispatcher, faults)

    def warm(self, services: tuple[str, ...]) -> None:
        """Build the Flask app of each service the workflow uses now, not on its first request."""
        for service in services:
            with self.dispatcher.lock:
                if service not in self.dispatcher.app_instances:
                    self.dispatcher.app_instances[service] = self.dispatcher.create_app(service)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.server.serve_forever, name="sandbox-serve", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()


def install_redelivery(patcher: Any, router: Any, warn: TextIO) -> None:
    """An upload with `sandbox-deliveries: N` metadata has its event delivered N times.

    moto's PutObject sends the event before it sets the key's metadata (multipart and copy set it
    before): the event waits, per thread, for that metadata."""
    from moto.s3 import notifications
    from moto.s3.models import FakeKey

    pending = threading.local()

    def redeliver(key: Any, bucket_name: str, event: dict[str, Any]) -> None:
        raw = (getattr(key, "metadata", None) or {}).get(DELIVERIES_METADATA)
        if raw is None:
            return
        try:
            deliveries = int(str(raw))
        except ValueError:
            deliveries = 0
        if not 1 <= deliveries <= MAX_DELIVERIES:
            warn.write(f"sandbox serve: s3://{bucket_name}/{key.name}: sandbox-deliveries must be 1 to {MAX_DELIVERIES}, "
                       f"got {str(raw)[:20]!r}; delivered once\n")
            return
        for _ in range(deliveries - 1):
            router.redeliver(event)

    def _send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
        event = router.s3_event(account_id, bucket, str(getattr(event_name, "value", event_name)), key)
        pending.event = None
        if event is None or getattr(router._paused, "on", False):
            return
        router.put(event)
        if DELIVERIES_METADATA in (key.metadata or {}):
            redeliver(key, bucket.name, event)
        else:
            pending.event = (key, bucket.name, event)

    original_set_metadata = FakeKey.set_metadata

    def set_metadata(key: Any, metadata: Any, replace: bool = False) -> None:
        original_set_metadata(key, metadata, replace)
        waiting = getattr(pending, "event", None)
        if waiting is not None and waiting[0] is key:
            pending.event = None
            redeliver(*waiting)

    patcher.setattr(notifications, "_send_event_bridge_message", _send_event_bridge_message)
    patcher.setattr(FakeKey, "set_metadata", set_metadata)


def serve(args: argparse.Namespace, out: TextIO, err: TextIO, stop: threading.Event | None = None) -> int:
    """Serve until `stop` is set (by SIGINT/SIGTERM when not given). Returns the exit status."""
    started = time.monotonic()
    try:
        sock = listen(args.host, args.port)
    except ServeError as error:
        err.write(f"python -m sandbox: error: {error}\n")
        return EXIT_USAGE
    from sandbox.cli import behaviour_from
    from sandbox.faults import Faults
    from sandbox.session import Sandbox
    from sandbox.speed import WORKFLOW_SERVICES

    stop = stop or _stop_on_signals()
    faults = Faults.throttle_bedrock(args.throttle)
    sb = Sandbox(bedrock=behaviour_from(args), faults=faults, parameters=dict(getattr(args, "parameter", None) or []),
                 echo_logs=err if args.verbose else None)
    endpoint: Endpoint | None = None
    try:
        sb.start()
        endpoint = Endpoint(sock, verbose=args.verbose)
        assert sb.router is not None
        install_redelivery(sb._patcher, sb.router, err)
        endpoint.install_faults(faults)
        endpoint.warm(WORKFLOW_SERVICES)
        endpoint.start()
        if client_host(args.host) not in ("127.0.0.1", "localhost", "[::1]"):
            err.write(f"sandbox serve: listening on {args.host}: anyone who reaches this machine can use the endpoint (no credentials are checked)\n")
        url = f"http://{client_host(args.host)}:{endpoint.port}"
        out.write(f"# The sandbox serves AWS at {url} (ready in {time.monotonic() - started:.2f} s). In another shell:\n")
        out.writelines(f"export {name}={shlex.quote(value)}\n" for name, value in environment(url, sb).items())
        out.write('# AWS CLI v1 ignores AWS_ENDPOINT_URL for `aws sqs`: add --endpoint-url "$AWS_ENDPOINT_URL" to it.\n')
        out.write("# Ctrl-C (or SIGTERM) stops the sandbox.\n")
        out.flush()
        while not stop.wait(0.5):
            pass
        err.write("sandbox serve: stopping\n")
    finally:
        if endpoint is not None:
            endpoint.stop()
        sock.close()
        sb.close()
    return EXIT_OK


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop
