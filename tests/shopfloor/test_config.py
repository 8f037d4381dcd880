"""Config is validated where it enters: bad YAML, unknown keys and wrong types quote the culprit."""

from __future__ import annotations

import pytest

from shopfloor.config import Config, load_config, save_config
from shopfloor.errors import ConfigError


def test_missing_file_gives_defaults(tmp_path):
    cfg = load_config(tmp_path / "nope.yaml")
    assert cfg.llm.backend == "local"
    assert cfg.hf_offline is True


def test_round_trip(tmp_path):
    cfg = Config.model_validate({"llm": {"backend": "openai", "base_url": "http://localhost:8000/v1"}})
    save_config(cfg, tmp_path / "c.yaml")
    assert load_config(tmp_path / "c.yaml") == cfg


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("llm: [unclosed", "not valid YAML"),
        ("- a\n- b\n", "expected a mapping"),
        ("llm:\n  modle: x\n", r"unknown key 'llm.modle'"),
        ("colour: blue\n", r"unknown key 'colour'"),
        ("llm:\n  max_new_tokens: lots\n", r"llm.max_new_tokens = 'lots'"),
        ("llm:\n  backend: gpt\n", r"llm.backend = 'gpt'.*'local', 'transformers', 'openai' or 'none'"),
        ("server:\n  port: 70000\n", r"server.port = 70000"),
        ("llm:\n  base_url: localhost:8000\n", r"must start with http"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, text, match):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_config(path)


def test_empty_file_is_defaults(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("")
    assert load_config(path) == Config()
