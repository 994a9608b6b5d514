"""The answer check: every answer, from any model, is checked before the user may see it.

Per sentence (so a stream can be checked before each sentence is sent):

- `only_citations`: nothing but marks, digits and punctuation ("[1]", "[1] 5");
- `unknown_source`: a mark [n] naming no source;
- `no_citation`: a factual sentence (a number, a code or a statement) without any mark, when
  citations are required; greetings, closings, announcements ("다음과 같습니다"), declines,
  headings, table heads and questions back to the user need none. A list item, table row or
  note in parentheses without marks takes those of the sentence that introduced it;
- `number_not_in_source`: a number, amount, percentage, date, time or year that no cited source
  states (see `verify_facts.Facts.admits`: "11만 원" ≡ "110,000", rounding to the unit the
  answer states is accepted). Without a mark, every source counts. Numbers from the question are
  allowed, and a year counts when the question or any source has it;
- `code_not_in_source`: a code (H107, PO261002032) found in no source and not in the question;
- `repeats_prompt` / `repeats_question`: the sentence copies the prompt's instructions, or
  copies the question (adding no number of its own);
- `off_topic`: a statement without numbers, with at least `OFF_TOPIC_MIN_GRAMS` content
  bigrams of which under `OFF_TOPIC_SUPPORT` appear in the cited sources or the question.

Per answer: `empty`; and, when citations are required and there are sources, an answer with no
sentence that answers fails as `repeats_question` (it only restates the question) or
`off_topic`. A sentence answers when it passed and is a decline, or a cited statement related
to the question (`verify_rules._related`: an answer
about leave to a question about travel expenses, citing the leave rules while the travel rules
were among the sources, does not). `CheckedStream` applies the same rules while streaming and
releases sentences only once one has answered, so no sentence it released is ever taken back.
"""

from __future__ import annotations

from collections.abc import Mapping

from dari.chat.assistant.numbers import Quantity, codes_in, numbers_in
from dari.chat.assistant.verify_rules import Problem, Reader, Verdict, check_sentence, prepare
from dari.chat.assistant.verify_stream import SentenceStream, split_sentences

__all__ = [
    "CheckedStream",
    "Problem",
    "Quantity",
    "SentenceStream",
    "Verdict",
    "check_answer",
    "check_sentence",
    "codes_in",
    "numbers_in",
    "prepare",
    "split_sentences",
]


def check_answer(
    answer: str, sources: Mapping[int, str], question: str, *, require_citation: bool = True
) -> Verdict:
    """Every sentence checked, then the answer as a whole (see the module docstring)."""
    reader = Reader(sources, question, require_citation)
    problems = [p for sentence in split_sentences(answer) for p in reader.read(sentence)]
    if not problems:
        problems = reader.closing(answer)
    return Verdict(not problems, problems)


class CheckedStream:
    """A streamed answer, released sentence by sentence once checked.

    `feed` returns the text that may be sent now. Sentences are held back until one has
    answered (so an answer that turns out to be only an introduction is never shown); after
    that each sentence is released as soon as it passes. At the first failing sentence nothing
    more is released: what was released stands on its own (it answered and every sentence
    passed), and `finish` says why the rest was withheld. If nothing was released, the caller
    shows its built (extractive) answer instead.
    """

    def __init__(
        self, sources: Mapping[int, str], question: str, *, require_citation: bool = True
    ) -> None:
        self.problems: list[Problem] = []
        self.released = ""
        self._reader = Reader(sources, question, require_citation)
        self._text = ""
        self._stream = SentenceStream()
        self._held: list[str] = []

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def feed(self, delta: str) -> str:
        """Text that passed the check and may be sent now ("" while holding back)."""
        self._text += delta
        return self._take(self._stream.feed(delta))

    def finish(self) -> tuple[str, Verdict]:
        """The last text to send, and the verdict on the whole answer."""
        out = self._take(self._stream.flush())
        if not self.failed:
            self.problems += self._reader.closing(self._text)
        return out, Verdict(not self.problems, list(self.problems))

    def _take(self, pieces: list[str]) -> str:
        out = ""
        for piece in pieces:
            if self.failed:
                break
            self.problems += self._reader.read(piece)
            if self.failed:
                break
            self._held.append(piece)
            if self._reader.answered:
                out += "".join(self._held)
                self._held.clear()
        self.released += out
        return out
