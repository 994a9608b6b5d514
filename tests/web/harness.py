"""A real Dari server for browser tests: uvicorn in a background thread with its own event loop.

Playwright's sync API blocks the test thread, so the app cannot share the test's loop (the chat
tests do that). `LiveServer.call(coro)` runs a coroutine on the server's loop, e.g. to create
users with the auth fixture's `create_test_user` against the server's own runtime.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvicorn

from dari.app import create_app
from dari.config import Settings
from dari.core.runtime import Runtime
from dari.llm.embedded import free_port
from tests.fixtures.auth import TEST_PASSWORD, create_test_user

T = TypeVar("T")


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self.port = free_port("127.0.0.1")
        self.loop = asyncio.new_event_loop()
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self._run, name="dari-live-server", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve())
        except BaseException as exc:  # reported by start()
            self.error = exc

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def runtime(self) -> Runtime:
        return self.app.state.runtime  # type: ignore[no-any-return]

    def start(self, timeout: float = 120) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if self.error is not None or not self.thread.is_alive():
                raise RuntimeError(f"the Dari server did not start: {self.error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("the Dari server did not start in time")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """Run `coro` on the server's event loop (where its runtime lives) and wait."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def user(
        self,
        username: str,
        *,
        roles: tuple[str, ...] = ("employee",),
        department: str | None = None,
        display_name: str = "",
        permissions: list[str] | None = None,
        attributes: dict[str, str] | None = None,
    ) -> str:
        """Create a user who can sign in with TEST_PASSWORD; returns an access token."""
        _, token = self.call(
            create_test_user(
                self.runtime,
                username,
                roles=roles,
                department=department,
                display_name=display_name,
                permissions=permissions,
                attributes=attributes,
                password=TEST_PASSWORD,
            )
        )
        return token
