"""The dashboard's metrics, and the metrics the functions emit, each read from its source.

- emitted: every `metrics.add_metric(name=...)` in the handlers and the shared layer (AST), a
  literal name or the values of a module-level dict the name is looked up in;
- the namespace and the `service` dimension: the template's Globals (POWERTOOLS_METRICS_NAMESPACE,
  POWERTOOLS_SERVICE_NAME). Powertools' EMF output puts each metric in one dimension set,
  [["service"]], with that value (aws_lambda_powertools/metrics/provider/cloudwatch_emf/cloudwatch.py,
  3.37: "service" is added as a default dimension when none is set).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.template.loading import ROOT, plain

SOURCES = sorted((ROOT / "functions").glob("*/app.py")) + sorted((ROOT / "layers" / "common" / "model_import").rglob("*.py"))


@dataclass(frozen=True)
class DashboardMetric:
    widget: str
    namespace: str
    name: str
    dimensions: dict[str, str]
    options: dict[str, Any]


def emitted_metric_names(paths: list[Path] = SOURCES) -> dict[str, str]:
    """{metric name: where it is emitted}."""
    found: dict[str, str] = {}
    for path in paths:
        tree = ast.parse(path.read_text(), filename=str(path))
        tables = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_metric"):
                continue
            name = next((k.value for k in node.keywords if k.arg == "name"), node.args[0] if node.args else None)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found[name.value] = where
            elif isinstance(name, ast.Subscript) and isinstance(name.value, ast.Name) and name.value.id in tables:
                for value in tables[name.value.id].values:
                    assert isinstance(value, ast.Constant), f"{where}: a metric name that is not a literal"
                    found[value.value] = where
            else:
                raise AssertionError(f"{where}: add_metric with a name this scan cannot read; make it a literal")
    return found


def powertools_env(template: Any) -> dict[str, str]:
    return plain(template["Globals"]["Function"]["Environment"]["Variables"])


def dashboard_resources(template: Any) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::CloudWatch::Dashboard"}


def dashboard_body(resource: Any) -> tuple[dict[str, Any], set[str]]:
    """The body as JSON, with each ${...} of its Fn::Sub left as that text; and those references."""
    body = plain(resource["Properties"]["DashboardBody"])
    text = body["Fn::Sub"] if isinstance(body, dict) else body
    assert isinstance(text, str), "DashboardBody is a !Sub string (or a plain string)"
    references = set(re.findall(r"\$\{([^}]+)\}", text))
    return json.loads(text), references


def dashboard_metrics(body: dict[str, Any]) -> list[DashboardMetric]:
    """Each metric of each metric widget; "." repeats the line above's value (CloudWatch's shorthand)."""
    result = []
    for widget in body["widgets"]:
        if widget["type"] != "metric":
            continue
        previous: list[Any] = []
        for line in widget["properties"]["metrics"]:
            options = line[-1] if isinstance(line[-1], dict) else {}
            values = [v for v in line if not isinstance(v, dict)]
            values = [previous[i] if v == "." and i < len(previous) else v for i, v in enumerate(values)]
            previous = values
            dims = dict(zip(values[2::2], values[3::2]))
            result.append(DashboardMetric(widget["properties"]["title"], values[0], values[1], dims, options))
    return result
