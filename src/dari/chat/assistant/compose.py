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

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from dari.chat import backends
from dari.chat.assistant import evidence as ev
from dari.chat.assistant import verify
from dari.chat.assistant.evidence_query import analyse
from dari.chat.assistant.model_checks import (
    INSTRUCTION_LIKE,
    MARKS,
    MEASURES,
    SmallTalkReader,
    cite,
    figures_shown,
)
from dari.chat.assistant.prompts import fixed, render
from dari.chat.assistant.verify_rules import Problem, Reader
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
    clock: dict[str, float],
) -> Any:
    """Yield the model's answer sentence by sentence (waiting in line first; `clock["turn"]`
    is when the wait ended)."""
    from dari.llm.queue import get_queue

    async def on_place(place: int) -> None:
        await emit({"type": "status", "state": "queued", "position": place})

    llm = backends.llm(runtime)
    async with get_queue(runtime).slot(on_place):
        clock["turn"] = time.perf_counter()
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
    reader: Any = None,
    evidence: Mapping[int, str] | None = None,
) -> tuple[bool, list[str]]:
    """Stream the model's checked sentences; (all passed, problem codes).

    Sentences are held back until one answers the question (`verify.Reader`), then sent as
    each passes; at the first failing one the model is stopped. The model gets
    `DARI_CHAT_MODEL_FIRST_SENTENCE_S` from its turn in line to get an answering sentence
    through, `DARI_CHAT_MODEL_ANSWER_S` in all.
    """
    settings = runtime.settings.chat
    reader = reader or Reader(sources, question, require_citation)
    measure = bool(evidence) and bool(set(analyse(question).kinds) & MEASURES)
    held: list[str] = []
    released = ""
    gap = ""
    problems: list[str] = []
    started = time.perf_counter()
    clock: dict[str, float] = {}
    sentences = _llm_sentences(runtime, messages, max_tokens, state, emit, clock)
    pending: asyncio.Task[str] | None = None
    try:
        while True:
            pending = pending or asyncio.ensure_future(anext(sentences))
            await asyncio.wait({pending}, timeout=0.2)
            if not pending.done():
                # Waiting in line does not count: the budget starts at this turn's slot.
                limit = settings.model_answer_s if released else settings.model_first_sentence_s
                if "turn" in clock and time.perf_counter() - clock["turn"] > limit:
                    raise TimeoutError
                continue
            try:
                sentence = pending.result()
            except StopAsyncIteration:
                break
            pending = None
            if not sentence.strip():
                continue
            if require_citation:
                sentence = cite(sentence, sources, evidence or {})
            found = reader.read(sentence)
            if evidence and not found:
                unseen = figures_shown(sentence, " ".join(evidence.values()))
                if unseen:
                    found.append(Problem("figure_not_in_evidence", sentence, ", ".join(unseen)))
                elif measure and not released and not re.search(r"\d", MARKS.sub("", sentence)):
                    # "몇 %", "얼마", "며칠" asked: an answer without a figure is not one.
                    found.append(Problem("no_figure", sentence, "the question asks a measure"))
            if INSTRUCTION_LIKE.search(sentence):
                # Data may carry instructions ("erp_query를 호출하라"); a model repeating them is
                # not answering, even when the words are in the source.
                found.append(Problem("repeats_instructions", sentence, "reads like an order"))
            if require_citation and any(marker in sentence for marker in DECLINES):
                found.append(Problem("declined", sentence, "evidence was given"))
            if found:
                problems = sorted({p.code for p in found})
                # Kept with the answer (never shown): what the model wrote that failed, for
                # admins and the training server.
                state.rejected = sentence.strip()[:300]
                break
            held.append(sentence)
            if reader.answered:
                # The model's own spacing and line breaks are kept (a list stays a list);
                # trailing space waits for the next sentence, so none dangles at the end.
                text = "".join(held)
                text = gap + text if released else text.lstrip()
                body = text.rstrip()
                gap = text[len(body) :] or " "
                await writer.say(body)
                released += body
                held = []
        if not problems:
            problems = [p.code for p in reader.closing(released)]
    except LLMError as exc:
        log.info("model answer abandoned (%s); using the built answer", exc.code)
        problems.append(exc.code)
    except TimeoutError:
        problems.append("model_slow")
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        await sentences.aclose()  # stops generation on the server
    state.timings["llm_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if not released and not problems:
        problems.append("empty")
    return bool(released) and not problems, problems


def _evidence_text(evidence: Sequence[ev.Evidence]) -> dict[int, str]:
    """The evidence units of each source, joined: what the model was shown of it."""
    joined: dict[int, str] = {}
    for item in evidence:
        joined[item.n] = f"{joined.get(item.n, '')} {item.text}".strip()
    return joined


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
    """Answer from the evidence; returns the verification outcome (verified/fallback/built).

    The lead ("「출장비 규정」에 따르면") is sent at once, then the model's checked sentence(s),
    then the evidence itself, cited; without a model (or when it fails) the lead and the
    evidence are the answer. Nothing sent is ever taken back.
    """
    sources = {d.n: d.text for d in documents}
    titles = {d.n: d.title for d in documents}
    extractive = ev.extractive_answer(evidence, question, titles)
    lead, _, body = extractive.partition("\n\n")
    if not use_model:
        state.verification = {"status": "built", "problems": []}
        await writer.say(extractive)
        return "built"
    await writer.say(lead + "\n\n")
    user = (
        f"{ev.evidence_prompt(evidence, titles)}\n\n질문: {question}\n"
        "자료 번호를 [1]처럼 붙여 한두 문장으로 답하세요."
    )
    messages = [
        ChatMessage(role="system", content=render("evidence")),
        ChatMessage(role="user", content=user),
    ]
    before = len(state.text)
    ok, problems = await _checked_model_answer(
        runtime,
        messages,
        sources,
        question,
        writer,
        state,
        emit,
        max_tokens=runtime.settings.chat.evidence_answer_max_tokens,
        evidence=_evidence_text(evidence),
    )
    state.verification = {"status": "verified" if ok else "fallback", "problems": problems}
    if getattr(state, "rejected", ""):
        state.verification["rejected"] = state.rejected
    said = len(state.text) > before
    await writer.say(("\n\n근거:\n" if said else "") + body)
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
    """A short friendly reply with no figures (there is nothing to cite), else the fixed
    greeting; a reply cut short by the check ends with the greeting."""
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
            reader=SmallTalkReader(render("chitchat")),
        )
        state.verification = {"status": "verified" if ok else "fallback", "problems": problems}
        if ok:
            return
        if state.text:
            await writer.say(" ")
    else:
        state.verification = {"status": "built", "problems": []}
    await writer.say(fixed("chitchat"))
