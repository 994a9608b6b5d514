"""Saying the answer: the model phrases from evidence, every sentence is checked first.

- Documents: the few evidence sentences (`evidence.select_evidence`) go to the model in a
  small prompt; its answer streams sentence by sentence, and a sentence is sent only after
  `verify.check_sentence` passed it (numbers in the cited source, citations that exist), so
  nothing the user saw is ever taken back. A sentence that fails stops the model: if nothing
  was sent, the extractive answer (the evidence sentences, cited) is sent instead; the
  evidence is quoted under every answer either way.
- ERP: the answer is built from the rows by code (`erp_answer.build`) and checked the same.
- Chit-chat: the model, checked (no figures allowed), else a fixed greeting.
Without a model (or when it is down or too slow) every answer is the built/extractive one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from dari.chat import backends
from dari.chat.assistant import evidence as ev
from dari.chat.assistant import verify
from dari.chat.assistant.prompts import fixed, render
from dari.llm.base import ChatMessage, LLMError

log = logging.getLogger(__name__)
Emit = Callable[[dict[str, Any]], Awaitable[None]]
DECLINES = ("찾을 수 없", "알 수 없", "확인할 수 없", "답할 수 없", "제공된 자료에")


class Writer:
    """Streams answer text into the turn state and out as `token` events."""

    def __init__(self, state: Any, emit: Emit) -> None:
        self.state = state
        self.emit = emit

    async def say(self, text: str) -> None:
        if not text:
            return
        if not self.state.text:
            self.state.timings["ttft_ms"] = self.state.elapsed_ms()
        self.state.text.append(text)
        await self.emit({"type": "token", "delta": text})


async def _llm_sentences(
    runtime: Any,
    messages: list[ChatMessage],
    max_tokens: int,
    state: Any,
    emit: Emit,
) -> Any:
    """Yield the model's answer sentence by sentence (waiting in line first)."""
    from dari.llm.queue import get_queue

    async def on_place(place: int) -> None:
        await emit({"type": "status", "state": "queued", "position": place})

    llm = backends.llm(runtime)
    async with get_queue(runtime).slot(on_place):
        await emit({"type": "status", "state": "generating", "position": 0})
        stream = llm.stream_chat(messages, max_tokens=max_tokens, temperature=0.1)
        splitter = verify.SentenceStream()
        try:
            async for delta in stream:
                if delta.done and delta.usage is not None:
                    state.usage = {
                        "prompt_tokens": delta.usage.prompt_tokens,
                        "completion_tokens": delta.usage.completion_tokens,
                    }
                for sentence in splitter.feed(delta.text or ""):
                    yield sentence
            for sentence in splitter.flush():
                yield sentence
        finally:
            await stream.aclose()  # type: ignore[attr-defined]


async def _checked_model_answer(
    runtime: Any,
    messages: list[ChatMessage],
    sources: Mapping[int, str],
    question: str,
    writer: Writer,
    state: Any,
    emit: Emit,
    *,
    max_tokens: int,
    require_citation: bool = True,
) -> tuple[bool, list[str]]:
    """Stream the model's checked sentences; (all passed, problem codes)."""
    sent = 0
    problems: list[str] = []
    started = time.perf_counter()
    try:
        async for sentence in _llm_sentences(runtime, messages, max_tokens, state, emit):
            if not sentence.strip():
                continue
            found = verify.check_sentence(
                sentence, sources, question=question, require_citation=require_citation
            )
            if not sent:
                found += verify.check_answer(
                    sentence, sources, question, require_citation=require_citation
                ).problems
                if any(marker in sentence for marker in DECLINES):
                    found.append(verify.Problem("declined", sentence, "evidence was given"))
            if found:
                problems = sorted({p.code for p in found})
                break
            await writer.say(("" if not sent else " ") + sentence.strip())
            sent += 1
    except LLMError as exc:
        log.info("model answer abandoned (%s); using the built answer", exc.code)
        problems.append(exc.code)
    state.timings["llm_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if not sent and not problems:
        problems.append("empty")
    return sent > 0 and not problems, problems if problems else []


async def document_answer(
    runtime: Any,
    question: str,
    evidence: Sequence[ev.Evidence],
    documents: Sequence[Any],
    writer: Writer,
    state: Any,
    emit: Emit,
    *,
    use_model: bool,
) -> str:
    """Answer from the evidence; returns the verification outcome (verified/fallback/built)."""
    sources = {d.n: d.text for d in documents}
    extractive = ev.extractive_answer(evidence, question)
    if use_model:
        titles = {d.n: d.title for d in documents}
        user = (
            f"{ev.evidence_prompt(evidence, titles)}\n\n질문: {question}\n"
            "위 자료만 근거로 한두 문장으로 답하고, 문장 끝에 자료 번호를 [1]처럼 붙이세요."
        )
        messages = [
            ChatMessage(role="system", content=render("answer")),
            ChatMessage(role="user", content=user),
        ]
        max_tokens = runtime.settings.chat.evidence_answer_max_tokens
        ok, problems = await _checked_model_answer(
            runtime, messages, sources, question, writer, state, emit, max_tokens=max_tokens
        )
        state.verification = {"status": "verified" if ok else "fallback", "problems": problems}
        if state.text:
            await writer.say("\n\n근거: " + extractive)
            return str(state.verification["status"])
    else:
        state.verification = {"status": "built", "problems": []}
    await writer.say(extractive)
    return str(state.verification["status"])


async def chitchat_answer(
    runtime: Any,
    question: str,
    history: Sequence[ChatMessage],
    writer: Writer,
    state: Any,
    emit: Emit,
    *,
    use_model: bool,
) -> None:
    """A short friendly reply; no figures (nothing to cite), else the fixed greeting."""
    if use_model:
        messages = [
            ChatMessage(role="system", content=render("chitchat")),
            *history[-2:],
            ChatMessage(role="user", content=question),
        ]
        ok, problems = await _checked_model_answer(
            runtime,
            messages,
            {},
            question,
            writer,
            state,
            emit,
            max_tokens=80,
            require_citation=False,
        )
        state.verification = {"status": "verified" if ok else "fallback", "problems": problems}
        if state.text:
            return
    else:
        state.verification = {"status": "built", "problems": []}
    await writer.say(fixed("chitchat"))
