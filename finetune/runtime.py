"""Fast inference for the encoder member: the LoRA adapter merged into its base, with the task head, exported
to ONNX and quantised to int8 (dynamic, weights only) once at save time; ONNX Runtime runs it.

torch stays the fallback: a folder without ``encoder.int8.onnx`` (saved before this existed, or where
onnxruntime is not installed) predicts with torch, and ``runtime="torch"`` forces it. Speed and accuracy of
the two paths are measured side by side by ``python benchmarks/bench_classifier.py --inference-only``.

Example:
    >>> export_encoder(model, head, "mean", folder)               # doctest: +SKIP
    >>> OrtEncoder(folder / ENCODER_FILE).logits(tok, ["hyd leak"], 32).shape  # doctest: +SKIP
    (1, 22)
"""

from __future__ import annotations

import contextlib
import copy
import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from shopfloor.errors import ModelNotFoundError
from shopfloor.models import EMBEDDER

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
ENCODER_FILE = "encoder.int8.onnx"
OPSET = 17


@contextlib.contextmanager
def _quiet_quantizer():
    """onnxruntime's quantizer calls ``logging.warning`` on the root logger (which would also configure root
    logging for the whole process) to suggest a pre-processing step we measured without; drop that one line."""
    root = logging.getLogger()
    null = logging.NullHandler() if not root.handlers else None
    if null is not None:
        root.addHandler(null)

    def keep(record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()

    root.addFilter(keep)
    try:
        yield
    finally:
        root.removeFilter(keep)
        if null is not None:
            root.removeHandler(null)


def available() -> bool:
    """Whether onnxruntime (and onnx, for export) can be imported."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export_encoder(model, head, pooling: str, folder: Path) -> Path | None:
    """Write ``folder/encoder.int8.onnx`` (merged LoRA + head, (ids, mask) -> logits); None without onnxruntime."""
    if not available():
        log.info("onnxruntime not installed: the classifier will predict with torch (pip install onnxruntime onnx)")
        return None
    import torch

    from shopfloor.finetune.modeling import pool

    merged = copy.deepcopy(model).merge_and_unload() if hasattr(model, "merge_and_unload") else copy.deepcopy(model)

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model, self.head = merged, copy.deepcopy(head)

        def forward(self, input_ids, attention_mask):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.head(pool(hidden, attention_mask, pooling))

    _export_int8(Wrapped().eval(), folder / ENCODER_FILE, "logits")
    return folder / ENCODER_FILE


def _export_int8(module, dest: Path, output: str) -> None:
    """``module`` ((input_ids, attention_mask) -> ``output``) as dynamic-int8 ONNX at ``dest``, written atomically."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32, part = dest.with_name(dest.name + ".fp32.tmp"), dest.with_name(dest.name + ".part")
    dummy = (torch.ones(2, 16, dtype=torch.long), torch.ones(2, 16, dtype=torch.long))
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
            torch.onnx.export(module, dummy, str(fp32), input_names=["input_ids", "attention_mask"],
                              output_names=[output], opset_version=OPSET, dynamo=False,
                              dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                            "attention_mask": {0: "batch", 1: "tokens"}, output: {0: "batch"}})
        with _quiet_quantizer():
            quantize_dynamic(str(fp32), str(part), weight_type=QuantType.QInt8)
        part.replace(dest)  # another process never sees half a file
    finally:
        fp32.unlink(missing_ok=True)
        part.unlink(missing_ok=True)


def _session(path: Path, threads: int | None = None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def run_rows(session, output: str, tok, texts: list[str], max_length: int) -> np.ndarray:
    """``output`` of each text run alone: the dynamic int8 graph quantises activations with one scale per tensor,
    so a text batched with others (and their padding) got another label in 7.9 % of 2,596 complaints; alone it
    always gets the same numbers. Rows go through a small thread pool (ONNX Runtime releases the GIL)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    def one(text: str) -> np.ndarray:
        with _TOKENIZER_LOCK:  # a fast tokenizer's truncation setting is shared state: one caller at a time
            enc = tok([text], truncation=True, max_length=max_length, return_tensors="np")
        return session.run([output], {"input_ids": enc["input_ids"].astype("int64"),
                                      "attention_mask": enc["attention_mask"].astype("int64")})[0][0]

    if not texts:
        return np.zeros((0, 0), dtype="float32")
    with ThreadPoolExecutor(max_workers=min(ROW_WORKERS, os.cpu_count() or 1)) as pool:
        return np.stack(list(pool.map(one, texts))).astype("float32")


ROW_WORKERS = 2
_TOKENIZER_LOCK = __import__("threading").Lock()


class OrtEncoder:
    """An int8 encoder + head in ONNX Runtime; ``logits`` mirrors ``artifacts.predict_logits``, row by row."""

    def __init__(self, path: Path, threads: int | None = 1):
        self.session = _session(path, threads)

    def logits(self, tok, texts: list[str], max_length: int, batch_size: int = 64) -> np.ndarray:
        """(n, n_labels) logits, each text's independent of the others (``batch_size`` is ignored)."""
        return run_rows(self.session, "logits", tok, texts, max_length)


_SENTENCE_LOCK = __import__("threading").Lock()


def sentence_model_path(embedder: str = EMBEDDER) -> Path | None:
    """The int8 ONNX export of the frozen sentence embedder (mean pooling + L2 norm inside), made once into the
    model cache (``$SHOPFLOOR_CACHE``); None without onnxruntime."""
    if not available():
        return None
    from shopfloor.models import cache_dir

    dest = cache_dir() / "onnx" / f"{Path(embedder).name}.sentence.int8.onnx"
    with _SENTENCE_LOCK:
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            _export_sentence(embedder, dest)
    return dest


def _export_sentence(embedder: str, dest: Path) -> None:
    import torch

    from shopfloor.finetune.modeling import pool
    from shopfloor.models import load_embedder

    st = load_embedder(embedder)
    base = copy.deepcopy(st[0].auto_model).eval()  # type: ignore[union-attr]

    class Sentence(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = base

        def forward(self, input_ids, attention_mask):
            v = pool(self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state, attention_mask,
                     "mean")
            return torch.nn.functional.normalize(v, dim=1)

    _export_int8(Sentence().eval(), dest, "vectors")


class OrtSentence:
    """Frozen sentence embeddings from the int8 export: same tokenizer and length limit as the torch model."""

    def __init__(self, embedder: str = EMBEDDER):

        from shopfloor.models import load_embedder

        st = load_embedder(embedder)
        self.tokenizer, self.max_length = st.tokenizer, int(st.max_seq_length or 256)
        path = sentence_model_path(embedder)
        if path is None:
            raise ModelNotFoundError("onnxruntime is not installed: the ONNX sentence encoder cannot run")
        self.session = _session(path, threads=1)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """(n, dim) vectors, each text's independent of the others (``batch_size`` is ignored)."""
        return run_rows(self.session, "vectors", self.tokenizer, texts, self.max_length)
