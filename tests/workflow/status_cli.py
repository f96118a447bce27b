"""Running `python -m imports` in-process, so its boto3 calls reach the open sandbox."""

from __future__ import annotations

import contextlib
import io

from imports.cli import main
from tests.workflow.flow import ESCROW_URI

#: A trigger file that names a SageMaker escrow checkpoint (the kind of source that imports).
ESCROW = {"checkpoint_s3_bucket": ESCROW_URI}


def run(*args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `python -m imports <args>`."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()
