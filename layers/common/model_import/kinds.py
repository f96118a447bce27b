"""The kinds of source an import request can name, and the Bedrock API that imports each.

Every step after validation (create, check, notify) dispatches on the kind; a new source kind is
one entry here (and one module in model_import/resources/). A module of constants only, so any
handler can import it for nothing.
"""

KIND_CHECKPOINT = "sagemaker-checkpoint"  # a SageMaker training checkpoint in its Amazon-managed escrow bucket
KIND_MODEL_PACKAGE = "sagemaker-model-package"  # a SageMaker Model Registry package (customModelDataSource)
KIND_OPEN_WEIGHTS = "open-weights"  # a Hugging Face folder in a bucket of the customer's (Custom Model Import)

API_CREATE_CUSTOM_MODEL = "CreateCustomModel"
API_CREATE_MODEL_IMPORT_JOB = "CreateModelImportJob"

IMPORT_APIS = {
    KIND_CHECKPOINT: API_CREATE_CUSTOM_MODEL,
    KIND_MODEL_PACKAGE: API_CREATE_CUSTOM_MODEL,
    KIND_OPEN_WEIGHTS: API_CREATE_MODEL_IMPORT_JOB,
}
