"""What Bedrock's Custom Model Import (CreateModelImportJob) accepts from an S3 folder: written once.

Source: the Bedrock user guide, "Import a customized model into Amazon Bedrock"
(https://docs.aws.amazon.com/bedrock/latest/userguide/model-customization-import-model.html),
sections "Supported architectures" and "Import a model source from Amazon S3": Hugging Face weights
format, the weights in .safetensors, config.json, and the tokenizer files. The architecture list and
the size limits change with the page: when AWS adds an architecture, add its model_type here.
Where the page was not certain to us, the rule is the stricter reading (see each comment).
"""

from __future__ import annotations

#: config.json "model_type" -> the family the guide names (Hugging Face's model_type values).
SUPPORTED_MODEL_TYPES: dict[str, str] = {
    "llama": "Llama (2, 3, 3.1, 3.2, 3.3)",
    "mllama": "Llama 3.2 Vision (Mllama)",
    "mistral": "Mistral",
    "mixtral": "Mixtral",
    "t5": "Flan (T5)",
    "gpt_bigcode": "GPTBigCode",
    "qwen2": "Qwen2 / Qwen2.5",
    "qwen2_vl": "Qwen2-VL",
    "qwen2_5_vl": "Qwen2.5-VL",
    "qwen3": "Qwen3",
    "gpt_oss": "GPT-OSS",
}
#: Multimodal families: a lower size limit (below).
MULTIMODAL_MODEL_TYPES = frozenset({"mllama", "qwen2_vl", "qwen2_5_vl"})

GIB = 1024**3
#: The guide's limits on the imported files' total size: 200 GB for text models, 100 GB for
#: multimodal ones. Read as GiB would be looser; these are decimal GB (stricter).
MAX_TOTAL_BYTES_TEXT = 200 * 10**9
MAX_TOTAL_BYTES_MULTIMODAL = 100 * 10**9

CONFIG_FILE = "config.json"
CONFIG_MAX_BYTES = 1024 * 1024  # read whole; a real config.json is a few KB
WEIGHTS_SUFFIX = ".safetensors"
#: PyTorch pickles: Bedrock imports safetensors only.
UNSUPPORTED_WEIGHT_SUFFIXES = (".bin", ".pt", ".pth")
#: The tokenizer: its configuration, and the tokenizer itself in one of its two forms (fast
#: tokenizer.json, or a SentencePiece tokenizer.model). Requiring both forms would refuse the many
#: Llama 3 / Qwen folders that ship tokenizer.json only.
TOKENIZER_CONFIG = "tokenizer_config.json"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model")

CONVERT_FIX = (
    "convert the weights to safetensors (e.g. transformers: model.save_pretrained(folder, safe_serialization=True)) "
    "and upload the .safetensors files"
)


def supported_list() -> str:
    return ", ".join(f"{family} ({model_type!r})" for model_type, family in SUPPORTED_MODEL_TYPES.items())


def max_total_bytes(model_type: str) -> int:
    return MAX_TOTAL_BYTES_MULTIMODAL if model_type in MULTIMODAL_MODEL_TYPES else MAX_TOTAL_BYTES_TEXT
