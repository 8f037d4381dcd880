"""The LoRA answerer's trainer and its llama.cpp export, on the real embedded model."""

from __future__ import annotations

import pytest

from shopfloor.finetune.chat_lora import ChatExample, ChatLoraConfig, export_gguf_adapter, train_chat_lora

QUESTION = [{"role": "user", "content": "What is the secret word of the plant?"}]
SECRET = "The secret word is zebracobalt 4471."


@pytest.fixture(scope="module")
def memorised(tmp_path_factory, llm):
    """An adapter on the query and key projections only that has learned one reply: if the export got the
    llama.cpp head permutation of q/k wrong, llama.cpp would not say it (checked by hand: it rambles)."""
    out = tmp_path_factory.mktemp("answerer")
    return train_chat_lora([ChatExample(messages=QUESTION, reply=SECRET)] * 40, out,
                           ChatLoraConfig(lr=3e-3, r=16, targets=("q_proj", "k_proj")))


def test_training_writes_peft_gguf_and_report(memorised):
    from shopfloor.finetune.chat_lora import load_meta

    assert (memorised / "adapter_model.safetensors").is_file() and (memorised / "adapter.gguf").is_file()
    meta = load_meta(memorised)
    assert meta["steps"] == 40 and meta["loss_last_20"] < meta["loss_first_20"] / 4


def test_llama_cpp_applies_the_exported_adapter(memorised):
    from shopfloor.assistant.llm import complete
    from shopfloor.assistant.llm.llamacpp import LlamaCppLLM
    from shopfloor.models import gguf_path

    plain = complete(LlamaCppLLM(gguf_path(), n_parallel=1), QUESTION, 24, 0.0)
    tuned = complete(LlamaCppLLM(gguf_path(), n_parallel=1, adapter=memorised / "adapter.gguf"), QUESTION, 24, 0.0)
    assert "zebracobalt" not in plain
    assert "zebracobalt 4471" in tuned


def test_transformers_backend_loads_the_peft_folder(memorised):
    from shopfloor.assistant.llm import complete
    from shopfloor.assistant.llm.local import LocalLLM

    assert "zebracobalt" in complete(LocalLLM(adapter=str(memorised)), QUESTION, 16, 0.0)


def test_export_refuses_a_model_without_lora(llm, tmp_path):
    import copy

    from peft import LoraConfig, get_peft_model

    model = get_peft_model(copy.deepcopy(llm[1]), LoraConfig(r=2, target_modules=["lm_head"]))
    with pytest.raises(ValueError, match="no LoRA weights"):
        export_gguf_adapter(model, tmp_path / "a.gguf", 4)


def test_no_examples_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no training examples"):
        train_chat_lora([], tmp_path)
