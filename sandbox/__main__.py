"""`python -m sandbox run ...`: see sandbox/cli.py."""

import os
import sys

from sandbox.cli import main

try:
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
    code = 1
# Everything is printed and every execution stopped: skip the interpreter's teardown of moto's
# large module graph (about a second) by leaving at once.
os._exit(code)
