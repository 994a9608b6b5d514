"""Fixtures of the deployment tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from fastapi import FastAPI

from dari.app import create_app
from dari.config import Settings
from dari.llm.embedded import free_port
from tests.ops.deploy import wait_port


@dataclass
class DariServer:
    port: int
    app: FastAPI

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def dari_server(settings: Settings) -> Iterator[DariServer]:
    """A real Dari (every role) served by uvicorn on a free port, in a thread."""
    port = free_port("127.0.0.1")
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, proxy_headers=True)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_port(port)
    yield DariServer(port, app)
    server.should_exit = True
    thread.join(timeout=15)
