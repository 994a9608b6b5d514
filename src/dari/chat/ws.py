"""`/ws/chat`: the chat WebSocket (protocol: docs/chat-protocol.md, models: `protocol.py`).

Authentication happens in the handshake (`Sec-WebSocket-Protocol: dari.v1, bearer.<token>`)
or in a first `auth` frame — never in the URL. An answer runs in its own task, not tied to the
connection: if the client goes away the answer still finishes, is saved, and can be resumed
from any replica (`resume`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import jwt
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from dari.api.problems import Problem
from dari.auth.deps import principal_from_token
from dari.chat import streams, turns
from dari.chat.errors import ChatError, dependency_failure
from dari.chat.frames import AUTH_FRAME_MAX_BYTES, FrameError, parse_frame
from dari.chat.protocol import CLIENT_FRAMES, CLIENT_TYPES
from dari.core.principal import Principal
from dari.core.runtime import Runtime

log = logging.getLogger(__name__)
router = APIRouter()
SUBPROTOCOL = "dari.v1"
BEARER = "bearer."
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403


def _now() -> float:
    return time.time()


def _expiry(token: str) -> float | None:
    """The `exp` of a JWT access token (already verified); None for API keys."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return None
    return float(exp) if isinstance(exp, int | float) else None


class Connection:
    """One client's socket: authentication, frame dispatch, its running answer."""

    def __init__(self, runtime: Runtime, websocket: WebSocket) -> None:
        self.runtime = runtime
        self.ws = websocket
        self.principal: Principal | None = None
        self.expires: float | None = None
        self.token = ""
        self.active: str | None = None  # the message id of this connection's running answer
        self.followers: set[asyncio.Task[None]] = set()
        self.lock = asyncio.Lock()
        self.open = True

    async def send(self, event: dict[str, Any]) -> None:
        if not self.open:
            raise ConnectionError("socket closed")
        async with self.lock:
            await self.ws.send_text(json.dumps(event, ensure_ascii=False, default=str))

    async def error(self, code: str, message: str, **extra: Any) -> None:
        with contextlib.suppress(Exception):
            await self.send({"type": "error", "code": code, "message": message, **extra})

    async def authenticate(self, token: str) -> bool:
        """Verify `token`; on success remember the user and send `ready`."""
        try:
            principal = await principal_from_token(self.runtime, token)
        except Problem:
            await self.error("unauthorized", "인증에 실패했습니다. 다시 로그인하세요.")
            return False
        if self.principal is not None and principal.user_id != self.principal.user_id:
            await self.error("unauthorized", "다른 사용자의 토큰으로 바꿀 수 없습니다.")
            return False
        if not principal.has("chat:use"):
            await self.error("unauthorized", "대화 기능을 사용할 권한이 없습니다.")
            await self.ws.close(CLOSE_FORBIDDEN)
            self.open = False
            return False
        self.principal, self.expires, self.token = principal, _expiry(token), token
        user = {
            "id": principal.user_id,
            "username": principal.username,
            "display_name": principal.display_name or principal.username,
        }
        await self.send({"type": "ready", "user": user})
        return True

    async def handshake(self) -> bool:
        offered = list(self.ws.scope.get("subprotocols") or [])
        token = next((p[len(BEARER) :] for p in offered if p.startswith(BEARER)), None)
        # The token is never echoed back: only `dari.v1` is selected.
        await self.ws.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        if token is None:
            frame: dict[str, Any] | None = None
            try:
                async with asyncio.timeout(self.runtime.settings.chat.auth_timeout_s):
                    raw = await self.ws.receive_text()
                limit = min(AUTH_FRAME_MAX_BYTES, self.runtime.settings.server.ws_max_frame_bytes)
                frame = parse_frame(raw, limit)
            except FrameError as exc:
                if exc.close_code is not None:
                    await self.refuse_frame(exc)
                    return False
            except (TimeoutError, KeyError):  # KeyError: a binary frame has no text
                pass
            if frame is None or frame.get("type") != "auth":
                await self.error("unauthorized", "먼저 auth 프레임으로 인증하세요.")
                return False
            token = str(frame.get("token") or "")
        return await self.authenticate(token)

    async def serve(self) -> None:
        try:
            if not await self.handshake():
                if self.open:
                    await self.ws.close(CLOSE_UNAUTHORIZED)
                return
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                await self.dispatch(message.get("text"))
        except WebSocketDisconnect:
            pass
        finally:
            self.open = False
            for task in self.followers:
                task.cancel()

    async def refuse_frame(self, exc: FrameError) -> None:
        """Answer a frame that ends the connection (too big, too deep): error, then close."""
        await self.error(exc.code, exc.message)
        if self.open:
            with contextlib.suppress(Exception):
                await self.ws.close(exc.close_code or CLOSE_UNAUTHORIZED)
            self.open = False

    async def dispatch(self, raw: str | None) -> None:
        try:
            data = parse_frame(raw, self.runtime.settings.server.ws_max_frame_bytes)
        except FrameError as exc:
            if exc.close_code is None:
                await self.error(exc.code, exc.message)
                return
            await self.refuse_frame(exc)
            raise WebSocketDisconnect(exc.close_code) from None
        if data["type"] not in CLIENT_TYPES:
            await self.error("unknown_frame", f"알 수 없는 프레임 종류입니다: {data['type'][:40]}")
            return
        try:
            frame = CLIENT_FRAMES.validate_python(data)
        except ValidationError as exc:
            where = ".".join(str(p) for p in exc.errors()[0]["loc"][1:]) or data["type"]
            await self.error("bad_frame", f"프레임 형식이 잘못되었습니다 ({where}).")
            return
        try:
            await self.handle(frame)
        except (WebSocketDisconnect, asyncio.CancelledError):
            raise
        except Exception as exc:
            # The cache or the database went away while handling the frame: say so and keep
            # the socket (docs/chat-protocol.md); anything else is a bug, logged.
            missing = dependency_failure(exc)
            if missing is None:
                log.exception("frame %s failed", frame.type)
                missing = ChatError("internal_error", "요청을 처리하지 못했습니다.")
            else:
                log.warning("frame %s: %s", frame.type, exc)
            await self.error(missing.code, missing.message)

    async def handle(self, frame: Any) -> None:
        """Act on one valid client frame."""
        if frame.type == "ping":
            await self.send({"type": "pong"})
        elif frame.type == "auth":
            if not await self.authenticate(frame.token) and self.open:
                await self.ws.close(CLOSE_UNAUTHORIZED)
                self.open = False
                raise WebSocketDisconnect(CLOSE_UNAUTHORIZED)
        elif not await self.still_valid():
            return
        elif frame.type == "message":
            await self.on_message(frame.text, frame.conversation_id, frame.client_message_id)
        elif frame.type == "cancel":
            await self.on_cancel(frame.message_id)
        elif frame.type == "resume":
            self.follow(frame.message_id, frame.after_seq)

    async def still_valid(self) -> bool:
        """Check the token again before acting: expired → `token_expired` (the client sends
        `auth` with a fresh one); revoked (sign-out, deactivation) → `unauthorized`, closed."""
        if self.expires is not None and _now() >= self.expires:
            await self.error(
                "token_expired", "토큰이 만료되었습니다. auth 프레임으로 새 토큰을 보내세요."
            )
            return False
        try:
            await principal_from_token(self.runtime, self.token)
        except Problem:
            if self.expires is not None and _now() + 10 >= self.expires:  # jwt's leeway
                await self.error("token_expired", "토큰이 만료되었습니다. 새 토큰을 보내세요.")
                return False
            await self.error("unauthorized", "인증이 취소되었습니다. 다시 로그인하세요.")
            await self.ws.close(CLOSE_UNAUTHORIZED)
            self.open = False
            raise WebSocketDisconnect(CLOSE_UNAUTHORIZED) from None
        return True

    async def on_message(
        self, text: str, conversation_id: str | None, client_message_id: str | None
    ) -> None:
        assert self.principal is not None
        if self.active is not None:
            await self.error(
                "busy", "이 연결에서 답변을 생성하는 중입니다. 끝나거나 중지한 뒤에 보내세요."
            )
            return

        async def sink(event: dict[str, Any]) -> None:
            if event["type"] in streams.TERMINAL:
                self.active = None
            await self.send(event)

        try:
            started = await turns.start_turn(
                self.runtime,
                self.principal,
                text,
                conversation_id=conversation_id,
                client_message_id=client_message_id,
                sink=sink,
            )
        except ChatError as exc:
            await self.error(exc.code, exc.message)
            return
        message_id = started.turn.message_id
        self.active = message_id
        started.task.add_done_callback(lambda _: self._clear(message_id))

    def _clear(self, message_id: str) -> None:
        if self.active == message_id:
            self.active = None

    async def on_cancel(self, message_id: str | None) -> None:
        assert self.principal is not None
        try:
            await streams.cancel(self.runtime, self.principal.user_id, message_id)
        except ChatError as exc:
            await self.error(exc.code, exc.message)

    def follow(self, message_id: str, after_seq: int) -> None:
        assert self.principal is not None
        user_id = self.principal.user_id

        async def forward() -> None:
            try:
                async for event in streams.replay(self.runtime, user_id, message_id, after_seq):
                    await self.send(event)
            except ChatError as exc:
                await self.error(exc.code, exc.message, message_id=message_id)
            except Exception:  # the socket closed while replaying
                log.debug("resume of %s stopped", message_id, exc_info=True)

        task = asyncio.create_task(forward())
        self.followers.add(task)
        task.add_done_callback(self.followers.discard)


@router.websocket("/ws/chat")
async def chat_socket(websocket: WebSocket) -> None:
    """Chat over WebSocket: see docs/chat-protocol.md."""
    await Connection(websocket.app.state.runtime, websocket).serve()
