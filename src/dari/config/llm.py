"""LLM gateway settings. Extended by the llm domain."""

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
    model: str = Field("", description="Model name sent to the server.")
    api_key: str = Field("", description="API key for the LLM server, if it needs one.")
