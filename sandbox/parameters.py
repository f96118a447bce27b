"""`--parameter Key=Value` for `python -m sandbox run`: stack parameters as CloudFormation takes
them, checked against template.yaml's Parameters before the sandbox starts (CloudFormation refuses
such a stack at CreateStack; moto's CloudFormation checks none of these): the name must be one of
the template's, and the value must meet its Type (Number), AllowedValues, MinValue/MaxValue,
MinLength/MaxLength and AllowedPattern (a Java regular expression, whole value)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def parse(text: str) -> tuple[str, str]:
    """'Key=Value' -> (Key, Value); ValueError says what is wrong."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"takes Key=Value (a template parameter and its value), got {text!r}")
    return key.strip(), value


def template_parameters(root: Path) -> dict[str, dict[str, Any]]:
    from sandbox.template import load_sam_template

    return dict(load_sam_template(root / "template.yaml").get("Parameters") or {})


def check(given: dict[str, str], declared: dict[str, dict[str, Any]]) -> None:
    """ValueError (one line) for the first parameter CloudFormation would refuse."""
    from sandbox.java_regex import full_match

    for name, value in given.items():
        spec = declared.get(name)
        if spec is None:
            raise ValueError(f"--parameter {name}: template.yaml has no such parameter; it has {', '.join(sorted(declared))}")
        allowed = spec.get("AllowedValues")
        if allowed is not None and value not in [str(v) for v in allowed]:
            raise ValueError(f"--parameter {name}={value}: must be one of {', '.join(str(v) for v in allowed)}")
        if spec.get("Type") == "Number":
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"--parameter {name}={value}: must be a number") from None
            low, high = spec.get("MinValue"), spec.get("MaxValue")
            if low is not None and number < float(low):
                raise ValueError(f"--parameter {name}={value}: must be at least {low}")
            if high is not None and number > float(high):
                raise ValueError(f"--parameter {name}={value}: must be at most {high}")
            continue
        low, high = spec.get("MinLength"), spec.get("MaxLength")
        if low is not None and len(value) < int(low):
            raise ValueError(f"--parameter {name}: must be at least {low} characters long")
        if high is not None and len(value) > int(high):
            raise ValueError(f"--parameter {name}: must be at most {high} characters long")
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not full_match(str(pattern), value):
            hint = spec.get("ConstraintDescription") or f"the pattern {pattern}"
            raise ValueError(f"--parameter {name}={value}: must match {hint}")
