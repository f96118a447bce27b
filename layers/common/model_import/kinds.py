"""The kinds of source an import request can name, and the Bedrock API that imports each.

Every step after validation (create, check, notify) dispatches on the kind; a new source kind is
one entry here. A module of constants only, so any handler can import it for nothing.
"""

KIND_CHECKPOINT = "sagemaker-checkpoint"  # a SageMaker training checkpoint in its Amazon-managed escrow bucket
KIND_MODEL_PACKAGE = "sagemaker-model-package"  # a SageMaker Model Registry package (customModelDataSource)

IMPORT_APIS = {KIND_CHECKPOINT: "CreateCustomModel", KIND_MODEL_PACKAGE: "CreateCustomModel"}
