"""Assistant and chat-server settings. Extended by the chat domain."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class ChatSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_CHAT_")

    max_message_chars: int = Field(
        4000, ge=1, le=100000, description="Longest accepted user message, in characters."
    )
