"""Shortcuts that change how fast moto works, never what it does.

- Step Functions parses the ASL (an ANTLR grammar, ~30-400 ms) when the state machine is created
  and again on every StartExecution: the sandbox parses each definition once (and keeps the
  result in sandbox.cache, keyed by the definition's text) and gives every execution its own deep
  copy (~2 ms). Executions keep their state in their own environment, never in the program.
- Step Functions builds a new boto3 client for every task it runs (~5 ms): the sandbox keeps
  one per service and region (boto3 clients are thread-safe).
- Step Functions compiles every JSONPath it evaluates (jsonpath_ng builds a PLY parser each time,
  ~1 ms): the sandbox keeps each compiled path (they are immutable).
- CloudFormation parses the template body with the pure-Python YAML loader (~0.5 s for this
  stack); the body the sandbox sends is JSON, which json.loads reads the same way in ~5 ms.
- moto loads a service's botocore model on its first request (~25 ms, scanning botocore's data
  folders), cached per process but without holding other threads back: 20 uploads at once on a
  cold process each loaded every model again (6 s instead of 2 s). The sandbox loads the models of
  the services the workflow uses once, before anything runs.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
import threading
from typing import Any


class _LazyTree:
    """The ANTLR parse tree of a definition whose program came from the disk cache: parsed only
    if something reads it (moto's static analysis of EXPRESS machines does; nothing else)."""

    def __init__(self, parse: Any, definition: str) -> None:
        self._parse = parse
        self._definition = definition
        self._tree: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._tree is None:
            self._tree = self._parse(self._definition)[1]
        return getattr(self._tree, name)


#: The services the workflow and the sandbox call (botocore's names, as moto's routing uses them).
WORKFLOW_SERVICES = ("bedrock", "cloudformation", "dynamodb", "events", "lambda", "s3", "sns", "sqs", "stepfunctions")


#: Services whose requests moto routes by its service model (automated parameter parsing), besides
#: those above: their routers are built before anything runs too.
ROUTED_SERVICES = ("bedrock-runtime",)


def load_service_models() -> None:
    """Load each service's model and build moto's request router for it, once, before the workflow
    runs. Built lazily instead, two threads making a service's first requests at once (two smoke
    tests' first Converse) raced in moto's unlocked router construction: a request failed with
    "'OperationModel' object has no attribute 'http_trait'"."""
    from moto.core.routing import get_service_router
    from moto.core.utils import get_service_model  # functools.cache'd: loaded once per process

    for service in WORKFLOW_SERVICES + ROUTED_SERVICES:
        model = get_service_model(service)
        router = get_service_router(service)  # functools.cache'd too
        for protocol in model.metadata.get("protocols", [model.protocol]):
            if protocol in ("rest-json", "json"):  # the protocols boto3 speaks to these services' routers
                router._get_router(protocol)


def install(patcher: Any) -> None:
    import moto
    from moto.cloudformation.models import Stack
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    from sandbox import cache

    parsed: dict[str, Any] = {}
    lock = threading.Lock()
    original_parse = AmazonStateLanguageParser.parse

    versions = (moto.__version__, sys.version)

    def parse(definition: str) -> Any:
        with lock:
            result = parsed.get(definition)
        if result is None:
            entry = cache.key("asl", definition, *versions)
            program = cache.load("asl", entry)
            if program is not None:
                result = (program, _LazyTree(original_parse, definition))
            else:
                result = original_parse(definition)
                cache.store("asl", entry, result[0])
            with lock:
                if len(parsed) > 32:
                    parsed.clear()
                parsed[definition] = result
        program, tree = result
        return copy.deepcopy(program), tree  # the tree is only read; the program is evaluated

    original_parse_template = Stack.parse_template

    def parse_template(template: str) -> dict[str, Any]:
        try:
            return json.loads(template)
        except ValueError:
            return original_parse_template(template)

    from moto.stepfunctions.parser.asl.utils import boto_client

    original_client_for = boto_client.boto_client_for
    clients: dict[tuple[str, str], Any] = {}

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        # moto signs every call with the same fixed keys whatever the credentials: one client will do
        key = (region, service)
        with lock:
            client = clients.get(key)
        if client is None:
            client = original_client_for(region=region, service=service, state_credentials=state_credentials)
            with lock:
                clients[key] = client
        return client

    for module in [m for name, m in list(sys.modules.items()) if name.startswith("moto.stepfunctions.parser")]:
        if getattr(module, "boto_client_for", None) is original_client_for:
            patcher.setattr(module, "boto_client_for", boto_client_for)
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    patcher.setattr(json_path, "parse", functools.lru_cache(maxsize=4096)(json_path.parse))
    patcher.setattr(result_path, "parse", functools.lru_cache(maxsize=4096)(result_path.parse))
    patcher.setattr(AmazonStateLanguageParser, "parse", staticmethod(parse))
    patcher.setattr(Stack, "parse_template", staticmethod(parse_template))
    load_service_models()
