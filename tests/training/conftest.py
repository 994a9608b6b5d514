"""Training fixtures: the sample ERP (the demo company's catalog and master data), an app with
the training API, rated answers written the way the chat stores them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from dari.chat.models import Conversation, Feedback, Message
from dari.config import Settings
from dari.config.erp import ErpSettings
from dari.config.llm import LLMSettings
from dari.config.training import TrainingSettings
from dari.core.runtime import Runtime
from dari.erp.sample.load import load_sample
from tests.conftest import _client
from tests.fixtures.auth import auth_headers, create_test_user

ERP_END = date(2026, 11, 23)


@pytest.fixture(scope="session")
def erp_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("training-erp") / "erp-sample.db"
    asyncio.run(load_sample(f"sqlite:///{path}", seed=7, scale=0.05, end=ERP_END))
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def train_settings(settings: Settings, erp_url: str) -> Settings:
    return settings.model_copy(
        update={
            "erp": ErpSettings(url=erp_url),
            "llm": LLMSettings(embedded="off", base_url=""),
            "training": TrainingSettings(heldout_percent=30, lora_steps=8),
        }
    )


@pytest.fixture
async def app_client(train_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(train_settings):  # the shared app client (lifespan run)
        yield client


async def admin_headers(runtime: Runtime) -> dict[str, str]:
    _, token = await create_test_user(runtime, "trainer.admin", ("admin",))
    return auth_headers(token)


async def rated_answer(
    runtime: Runtime,
    message_id: str,
    question: str,
    answer: str,
    *,
    rating: str = "down",
    intent: dict[str, Any] | None = None,
) -> str:
    """A conversation with one question and its rated answer, as the chat saves them."""
    async with runtime.sessionmaker() as session:
        conversation = Conversation(user_id="u-1", title=question[:60])
        session.add(conversation)
        await session.flush()
        session.add(
            Message(
                conversation_id=conversation.id,
                user_id="u-1",
                seq=1,
                role="user",
                content=question,
                citations=[],
                sources=[],
                tool_results=[],
            )
        )
        session.add(
            Message(
                id=message_id,
                conversation_id=conversation.id,
                user_id="u-1",
                seq=2,
                role="assistant",
                content=answer,
                intent=intent or {"intent": "out_of_scope", "calls": []},
                citations=[],
                sources=[{"title": "출장비 규정", "chunk_id": "c1"}],
                tool_results=[],
            )
        )
        await session.flush()
        session.add(Feedback(message_id=message_id, user_id="u-1", rating=rating))
        await session.commit()
    return message_id


def data_dir(client: httpx.AsyncClient) -> Path:
    return Path(client.app.state.runtime.settings.server.data_dir)  # type: ignore[attr-defined]
