"""Typed, validated workspace configuration (``config.yaml``).

Every section is a pydantic model with ``extra="forbid"``, so a misspelt key is an error that
names the key, and every field documents itself. ``load_config`` turns YAML and validation
problems into :class:`~shopfloor.errors.ConfigError` messages that quote the bad key and value.

Example:
    >>> cfg = Config.model_validate({"llm": {"backend": "openai", "base_url": "http://localhost:8000/v1"}})
    >>> cfg.llm.backend
    'openai'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shopfloor.errors import ConfigError
from shopfloor.models import EMBEDDER

CONFIG_FILE = "config.yaml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class LLMConfig(_Section):
    backend: Literal["local", "transformers", "openai", "none"] = Field(
        "local", description="'local': a model on this machine (GGUF files, the embedded model included, run on "
        "llama.cpp; Hugging Face folders on transformers); 'transformers': force transformers; 'openai': any "
        "OpenAI-compatible server (vLLM, Ollama, llama.cpp); 'none': retrieval-only answers.")
    model: str = Field("smollm2-135m-instruct", description="Registry name, a .gguf file, a local HF folder, or "
                       "the model name the OpenAI-compatible server expects.")
    parallel: int = Field(2, ge=1, le=64, description="llama.cpp slots: chat users generating at the same time.")
    adapter: str | None = Field(None, description="A LoRA answerer trained by `shopfloor lm tune` (its folder): "
                                "applied on top of the local model; set only when ask-eval said it beats the "
                                "model without it.")
    base_url: str | None = Field(None, description="Server URL for backend 'openai', e.g. http://localhost:11434/v1")
    api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the API key.")
    synthesis: Literal["auto", "on", "off"] = Field(
        "auto", description="The model's short synthesis under the quoted answer: 'auto' shows it for any model but "
        "the bundled 135M one (measured: it added no evidence); 'on'/'off' force it.")
    max_new_tokens: int = Field(160, ge=1, le=4096, description="Short answers keep a small model on track.")
    temperature: float = Field(0.1, ge=0.0, le=2.0, description="Low temperature: fewer inventions.")
    timeout_s: float = Field(60.0, gt=0, description="After this the answer falls back to retrieved passages.")

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {v!r}")
        return v


class EmbedderConfig(_Section):
    """The sentence embedder the workspace's knowledge index is built with (read by every index build)."""

    model: str = Field(EMBEDDER, description="Registry name, local sentence-transformers folder or hub id; "
                       "changing it takes effect at the next `shopfloor index build` or upload.")
    batch_size: int = Field(64, ge=1, description="Texts per embedding batch.")


class ClassifierConfig(_Section):
    """Defaults for the workspace's classifiers (read by retraining from reviews and by the demo build)."""

    target_precision: float = Field(0.9, gt=0, le=1, description="Rows below the confidence that reaches "
                                    "this precision on held-out data are marked needs_review.")
    default_task: str = Field("failure_mode", description="Task used when none is named.")


class IndexConfig(_Section):
    k: int = Field(6, ge=1, le=100, description="Passages retrieved per question (at most two of them past incidents).")
    min_score: float | None = Field(None, ge=0, le=1, description=(
        "Below this dense similarity, say the documents do not cover the question. Empty: the threshold saved "
        "with the index when it was built (0.30 for all-MiniLM-L6-v2); set it here to override without a rebuild."))


class ServerConfig(_Section):
    host: str = Field("127.0.0.1", description="Listen address; anything but localhost requires login.")
    port: int = Field(7860, ge=1, le=65535, description="HTTP port for the UI and the API.")
    require_login: Literal["auto", "always", "never"] = Field(
        "auto", description="'auto': login required when host is not localhost.")
    allowed_hosts: list[str] = Field(default_factory=list, description=(
        "Extra host names or addresses browsers use to reach this server (besides localhost and this machine's own "
        "names); requests naming any other host are refused (DNS-rebinding protection)."))
    trusted_proxies: list[str] = Field(default_factory=list, description=(
        "Addresses of reverse proxies in front of this server: only for requests from them is the client address "
        "taken from X-Forwarded-For (login back-off is per client; without this every user behind the proxy "
        "shares its address)."))
    cors_origins: list[str] = Field(default_factory=list, description=(
        "Other web origins (scheme://host:port) whose pages may call this server with the user's cookies or "
        "token; empty = same origin only (no other page, not even another localhost port, may read answers)."))
    inspect_workers: int = Field(2, ge=1, le=64, description=(
        "Photo inspections (UI, /api/inspect, Diagnose's photo) run at once in the server; more wait their turn "
        "(each decodes photos and runs the image models, ~100-300 MB)."))
    max_upload_mb: int = Field(200, ge=1, le=10_000, description="Largest file upload through the UI, in MB.")
    ui_language: Literal["auto", "en", "zh"] = Field("auto", description=(
        "The UI's fixed words: auto (each user's browser language, English or Chinese), or en / zh for everyone."))
    token_ttl_hours: float = Field(12.0, gt=0, le=24 * 365, description="Lifetime of a token from POST /api/login.")


class CMMSConfig(_Section):
    url: str = Field("", description=(
        "Webhook of the plant's CMMS: each work order is POSTed there as JSON (the environment variable "
        "SHOPFLOOR_CMMS_URL overrides this). Empty: work orders wait in the outbox until a URL is set."))
    token_env: str = Field("SHOPFLOOR_CMMS_TOKEN", description=(
        "Name of the environment variable holding the CMMS's bearer token (never written to config.yaml)."))
    max_attempts: int = Field(8, ge=1, le=100, description="Deliveries tried before a work order is 'failed'.")
    retry_base_s: float = Field(30.0, gt=0, le=3600, description=(
        "Wait after the first failed delivery; it doubles after each further one (at most one hour)."))
    timeout_s: float = Field(10.0, gt=0, le=120, description="Seconds one delivery may take.")
    send_every_s: float = Field(30.0, ge=1, le=3600, description=(
        "How often the server retries queued work orders in the background."))


class Config(_Section):
    """The whole workspace configuration; every section has safe offline defaults."""

    hf_offline: bool = Field(True, description="Set HF_HUB_OFFLINE=1 so nothing ever calls a model hub.")
    llm: LLMConfig = Field(default_factory=LLMConfig)
    embedder: EmbedderConfig = Field(default_factory=EmbedderConfig)
    classifier: ClassifierConfig = Field(default_factory=ClassifierConfig)
    index: IndexConfig = Field(default_factory=IndexConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    cmms: CMMSConfig = Field(default_factory=CMMSConfig)


def _describe(err: ValidationError, path: Path) -> str:
    lines = [f"{path}: invalid configuration"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"])
        if e["type"] == "extra_forbidden":
            lines.append(f"  unknown key {key!r} (value {e['input']!r})")
        else:
            lines.append(f"  {key} = {e['input']!r}: {e['msg']}")
    return "\n".join(lines)


def load_config(path: str | Path) -> Config:
    """Read and validate ``config.yaml``; a missing file gives the defaults.

    Raises:
        ConfigError: bad YAML, unknown key or wrong type, with the key and value quoted.
    """
    import yaml

    path = Path(path)
    if not path.exists():
        return Config()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML ({e})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    try:
        return Config.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(_describe(e, path)) from None


def save_config(cfg: Config, path: str | Path) -> None:
    """Write ``cfg`` as YAML (only non-default values would also work; we write all for discoverability)."""
    import yaml

    Path(path).write_text(yaml.safe_dump(cfg.model_dump(), sort_keys=False), encoding="utf-8")
