"""Code shared by every step of the model import workflow (packaged as one Lambda layer)."""
