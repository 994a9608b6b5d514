"""The embedded LLM server: llama.cpp's OpenAI-compatible server as a child process.

`dari serve` starts it when no DARI_LLM_BASE_URL is set (see `lifecycle.py`); `dari llm serve`
runs it in the foreground. It is a real llama.cpp server, reached over HTTP like vLLM.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import httpx

from dari.config import Settings
from dari.core.modules import module_exists
from dari.llm.catalog import ModelError, ensure_model

log = logging.getLogger(__name__)


class EmbeddedError(ModelError):
    """The embedded server cannot start; the message says how to fix it."""


def llama_cpp_installed() -> bool:
    return module_exists("llama_cpp")


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    # If Dari is killed hard, the kernel stops the model server too (Linux PR_SET_PDEATHSIG).
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)


class EmbeddedServer:
    """One llama.cpp server process serving one GGUF model under an alias."""

    def __init__(
        self,
        settings: Settings,
        model_path: Path,
        alias: str,
        *,
        port: int | None = None,
        log_path: Path | None = None,
    ) -> None:
        cfg = settings.llm
        self.settings = settings
        self.model_path = model_path
        self.alias = alias
        self.host = cfg.embedded_host
        self.port = port if port is not None else (cfg.embedded_port or free_port(self.host))
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}/v1"

    def command(self) -> list[str]:
        cfg = self.settings.llm
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", self.alias,
            "--host", self.host,
            "--port", str(self.port),
            "--n_ctx", str(cfg.n_ctx),
            "--n_threads", str(cfg.n_threads),
            "--n_threads_batch", str(cfg.n_threads),
            "--n_gpu_layers", str(cfg.n_gpu_layers),
        ]  # fmt: skip
        return command + self._adapter()

    def _adapter(self) -> list[str]:
        """`--lora_path` for the LoRA adapter an admin promoted (docs/training.md#serving)."""
        from dari.training.serving import embedded_adapter

        path = embedded_adapter(self.settings, self.model_path)
        return ["--lora_path", str(path)] if path is not None else []

    def start(self) -> None:
        if not llama_cpp_installed():
            raise EmbeddedError(
                "llama-cpp-python is not installed, so Dari cannot run its embedded LLM; "
                "install the extra (`pip install -e '.[llm]'`, as `make run` does), or set "
                "DARI_LLM_BASE_URL to a vLLM/Ollama/llama.cpp server"
            )
        output: IO[bytes] | None = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = output = self.log_path.open("ab")
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        log.info("starting the embedded LLM server on %s (%s)", self.base_url, self.model_path)
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            preexec_fn=preexec,
        )

    def _log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return " | ".join(line.strip() for line in lines[-5:] if line.strip())[:600]

    async def wait_ready(self, timeout: float) -> None:
        """Poll `GET /v1/models` until it answers; fail early if the process exits."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=2.0) as http:
            while True:
                if self.process is None or self.process.poll() is not None:
                    code = None if self.process is None else self.process.returncode
                    raise EmbeddedError(
                        f"the embedded LLM server exited (code {code}) while starting. "
                        f"{self._log_tail()}".strip()
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(self.base_url + "/models")).status_code == 200:
                        log.info("embedded LLM server ready on %s", self.base_url)
                        return
                if loop.time() > deadline:
                    await self.stop()
                    raise EmbeddedError(
                        f"the embedded LLM server was not ready after {timeout:.0f} s; raise "
                        "DARI_LLM_STARTUP_TIMEOUT_S or use a smaller model"
                    )
                await asyncio.sleep(0.25)

    async def stop(self, grace_s: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
        if self._log is not None:
            self._log.close()
            self._log = None


async def start_embedded(settings: Settings, *, port: int | None = None) -> EmbeddedServer:
    """Assemble the model if needed, start the server and wait until it answers."""
    if not llama_cpp_installed():
        EmbeddedServer(settings, Path(), "").start()  # raises the explanatory error
    model_path, alias = await asyncio.to_thread(ensure_model, settings)
    log_path = settings.server.data_dir / "logs" / "llm-server.log"
    server = EmbeddedServer(settings, model_path, alias, port=port, log_path=log_path)
    server.start()
    try:
        await server.wait_ready(settings.llm.startup_timeout_s)
    except BaseException:
        await server.stop()
        raise
    return server


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[EmbeddedServer]:
    server = await start_embedded(settings)
    try:
        yield server
    finally:
        await server.stop()
