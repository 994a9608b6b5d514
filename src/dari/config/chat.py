"""Assistant and chat-server settings: limits, context budget, resume window (docs/assistant.md)."""

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class ChatSettings(Section):
    """The assistant pipeline and the chat server (`/ws/chat`, `/api/chat`)."""

    model_config = SettingsConfigDict(env_prefix="DARI_CHAT_")

    max_message_chars: int = Field(
        4000, ge=1, le=100000, description="Longest accepted user message, in characters."
    )
    history_turns: int = Field(
        6,
        ge=0,
        le=50,
        description="Earlier messages of the conversation given to the model for chit-chat "
        "(follow-ups such as `그럼 지난달은?` reuse the previous answer's stored plan).",
    )
    search_k: int = Field(5, ge=1, le=50, description="Document chunks retrieved per question.")
    context_max_chars: int = Field(
        3000,
        ge=200,
        le=400000,
        description="Budget of document and ERP text put in the answer prompt, in characters. "
        "Keep it under the model's context (DARI_LLM_N_CTX tokens) minus the answer length; "
        "raise it for large-context servers (vLLM).",
    )
    erp_max_rows: int = Field(
        30,
        ge=1,
        le=10000,
        description="ERP rows per tool result given to the model (the client gets every row "
        "the ERP returned).",
    )
    answer_max_tokens: int = Field(600, ge=16, le=32768, description="Longest answer, in tokens.")
    evidence_answer_max_tokens: int = Field(
        120,
        ge=16,
        le=4096,
        description="Longest model answer over document evidence, in tokens (the evidence "
        "itself is quoted after it by code, so the model only needs a sentence or two).",
    )
    model_first_sentence_s: float = Field(
        5.0,
        gt=0,
        le=600,
        description="Seconds (from its turn in line) the model has to write a first sentence "
        "that passes the check; past it the answer built from the evidence is sent instead.",
    )
    model_answer_s: float = Field(
        8.0,
        gt=0,
        le=3600,
        description="Seconds the model may phrase an answer in all; what passed the check so "
        "far is kept and the evidence follows.",
    )
    use_model: bool = Field(
        True,
        description="Let the model phrase document answers and chit-chat (checked sentence "
        "by sentence). Off: every answer is built from the evidence and ERP rows by code.",
    )
    router_min_confidence: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Below this classifier confidence the router is unsure: a document "
        "question falls back to search, an ERP question is asked back (or given to the LLM "
        "planner when DARI_CHAT_ROUTER_LLM_FALLBACK is on).",
    )
    router_llm_fallback: bool = Field(
        False,
        description="Let the LLM plan questions the router is unsure about (it then sees the "
        "complete tool descriptions). Meant for a GPU model; its plan is checked like any "
        "other (permissions, arguments).",
    )
    answer_rows: int = Field(
        5, ge=1, le=100, description="Rows of an ERP result listed in the answer text."
    )
    max_concurrent_streams: int = Field(
        1,
        ge=1,
        le=100,
        description="Answers one user may have streaming at once, across every replica; "
        "another message is refused with `busy`.",
    )
    messages_per_minute: int = Field(
        20,
        ge=1,
        le=10000,
        description="Messages one user may send in any 60 seconds (a sliding window), across "
        "every replica; more are refused with `rate_limited` (and not counted).",
    )
    resume_ttl_s: int = Field(
        300,
        ge=10,
        le=86400,
        description="Seconds the events of an answer are kept in the cache so a reconnecting "
        "client can resume it.",
    )
    max_stream_s: int = Field(
        900,
        ge=30,
        le=86400,
        description="Longest an answer may stream; also the expiry of the per-user stream "
        "counter if a process dies mid-answer.",
    )
    auth_timeout_s: float = Field(
        10.0,
        gt=0,
        le=300,
        description="Seconds a WebSocket without a bearer subprotocol has to send its "
        "`auth` frame.",
    )
    synonyms_file: Path | None = Field(
        None,
        description="The company's own synonym groups, added to the built-in ones (one group "
        "per line, comma-separated, `#` comments; e.g. `ERP, 전사적 자원관리, 더존`): words "
        "employees use for what documents write otherwise (docs/assistant.md).",
    )

    @field_validator("synonyms_file")
    @classmethod
    def _readable(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        try:  # read now: a bad file fails the start, not the first question
            value.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            why = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not a readable file"
            raise ValueError(
                f"{value} is {why}: point DARI_CHAT_SYNONYMS_FILE at a UTF-8 text file "
                "of synonym groups, or unset it"
            ) from exc
        return value
