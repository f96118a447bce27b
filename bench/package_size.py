"""Deployment package size: each function's zip and the shared code layer's, as `sam build`
produces them, beside what vendoring Powertools into every function would add instead of taking
it from the public layer. Run alone: python -m bench.package_size
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib.metadata import distribution
from pathlib import Path

from bench.table import Row, kib, render

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = {
    "ValidateArtifacts": "validate_artifacts",
    "CreateCustomModel": "create_custom_model",
    "CheckModelStatus": "check_model_status",
    "PublishResult": "publish_result",
}
TARGET_BYTES = 1024 * 1024  # "kilobytes, not megabytes"
# What `pip install aws-lambda-powertools[tracer]` adds to a function, minus boto3/botocore,
# which the Lambda runtime already has.
VENDORED_DISTRIBUTIONS = ("aws-lambda-powertools", "jmespath", "typing-extensions", "aws-xray-sdk", "wrapt")
# What pinning boto3/botocore in layers/common/requirements.txt makes `sam build` add to the shared
# layer (checked against a real sam build: the same distributions, no .pyc files).
SDK_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")


def zipped_size(files: list[tuple[Path, str]]) -> int:
    """Bytes of a deflated zip of (file, name in archive), as `sam deploy` uploads it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, name in sorted(files, key=lambda item: item[1]):
            archive.write(path, name)
    return len(buffer.getvalue())


def directory_files(directory: Path) -> list[tuple[Path, str]]:
    return [
        (path, str(path.relative_to(directory)))
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]


def _python313_path() -> str | None:
    """The bin folder of a Python 3.13 (the Lambda runtime's), as the Makefile finds it."""
    try:
        prefix = subprocess.run(["pyenv", "prefix", "3.13.0"], capture_output=True, text=True, check=True).stdout.strip()
        if prefix:
            return str(Path(prefix) / "bin")
    except (OSError, subprocess.CalledProcessError):
        pass
    found = shutil.which("python3.13")
    return str(Path(found).parent) if found and "shims" not in Path(found).parts else None


def sam_build(build_dir: Path) -> bool:
    """`sam build` into build_dir, the way `make build` runs it; False when it cannot run here."""
    sam = Path(sys.executable).parent / "sam"
    py313 = _python313_path()
    if not sam.exists() or py313 is None:
        return False
    env = dict(os.environ, SAM_CLI_TELEMETRY="0", AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
               PATH=f"{py313}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(
        [str(sam), "build", "--build-dir", str(build_dir), "--cache-dir", str(build_dir / ".cache")],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    return result.returncode == 0


def vendored_powertools_size(distributions: tuple[str, ...] = VENDORED_DISTRIBUTIONS) -> int:
    files = []
    for name in distributions:
        dist = distribution(name)
        for entry in dist.files or ():
            path = Path(str(dist.locate_file(entry)))
            if path.is_file() and "__pycache__" not in entry.parts and not str(entry).startswith(".."):
                files.append((path, str(entry)))
    return zipped_size(files)


def measure() -> tuple[dict[str, int], int, int, str]:
    """Zipped bytes per function, of the shared layer, of vendored Powertools, and the source."""
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "build"
        if sam_build(build):
            source = "sam build"
            functions = {name: zipped_size(directory_files(build / f"{name}Function")) for name in FUNCTIONS}
            layer = zipped_size(directory_files(build / "SharedCodeLayer"))
        else:  # same content: the functions have no requirements; the layer's code goes under python/
            source = "source folders (sam build unavailable)"
            functions = {name: zipped_size(directory_files(ROOT / "functions" / folder)) for name, folder in FUNCTIONS.items()}
            layer = zipped_size([(p, "python/" + n) for p, n in directory_files(ROOT / "layers" / "common")])
    return functions, layer, vendored_powertools_size(), source


def rows() -> list[Row]:
    functions, layer, vendored, source = measure()
    out = [
        Row("Package size", f"{name} function zip ({source})", kib(size),
            f"{kib(size + vendored)} with Powertools vendored", f"{size / (size + vendored):.2%}",
            "< 1 MiB", size < TARGET_BYTES)
        for name, size in functions.items()
    ]
    out.append(Row("Package size", "SharedCodeLayer zip (model_import, once for all 4)", kib(layer), "", "", "< 1 MiB",
                   layer < TARGET_BYTES))
    sdk = vendored_powertools_size(SDK_DISTRIBUTIONS)
    out.append(Row("Package size", "SharedCodeLayer zip with boto3/botocore pinned and bundled", kib(layer + sdk),
                   f"{kib(layer)} with the runtime's SDK", f"{(layer + sdk) / layer:.0f}x"))
    out.append(Row("Package size", "Powertools from the public layer: bytes we ship", "0 B",
                   f"{kib(vendored)} per function if vendored", "", "", None))
    return out


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
