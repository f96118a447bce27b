"""Performance benchmarks (`make bench`): every figure beside a baseline measured in the same run."""

import sys
from pathlib import Path

# The shared layer's code, importable as on Lambda (pytest does the same through its pythonpath).
_LAYER = str(Path(__file__).resolve().parent.parent / "layers" / "common")
if _LAYER not in sys.path:
    sys.path.insert(0, _LAYER)
