"""`EntityIndex`: find ERP master data (거래처, 품목, 부서…) named in a Korean question.

Built from the rows one user may see (`dari.erp.entities.load_entities`); the rules and their
scores are in `dari.erp.entities_match`. A mention starts at a word boundary (space,
punctuation, a change of script as in "금형부품L319") and ends at one or before particles
("한빛상사랑은"); a name of 3+ syllables may also run into the next word ("한빛상사매출"), a
short one may not ("모터" never matches inside "서보모터" or "모터드라이브"). Of overlapping
mentions the best rule wins, then the longest ("베어링 B101" is the item, not the category
베어링). Every entity tied at a mention's best score is returned, so the caller can ask back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping

from dari.erp.entities_match import (
    EXACT,
    MIN_INFIX_SYLLABLES,
    MIN_RESEMBLANCE,
    MIN_TYPO_LENGTH,
    SCORES,
    TYPO_SCORES,
    Entity,
    EntityMatch,
    NameKey,
    hangul_only,
    keep_best,
    name_key,
    partial_ok,
    resemblance,
    syllables,
    typo_limit,
)
from dari.erp.entities_text import (
    Prepared,
    bounded_distance,
    is_hangul,
    jamo,
    normalize,
    prepare,
    strip_particles,
)

__all__ = ["Entity", "EntityIndex", "EntityMatch"]
SUGGESTION_POOL = 20  # names `closest` compares jamo by jamo


class EntityIndex:
    """Lookup maps over a fixed set of entities (immutable once built; cache and share it)."""

    def __init__(
        self,
        entities: Iterable[Entity],
        labels: Mapping[str, str] | None = None,
        unavailable: Collection[str] = (),
    ) -> None:
        self.entities: tuple[Entity, ...] = tuple(entities)
        self.labels = dict(labels or {})
        # Kinds the user may not see at all (no scope rule for them): nothing is linked there.
        self.unavailable = frozenset(unavailable)
        self._exact: dict[str, dict[int, str]] = defaultdict(dict)
        self._keys: list[NameKey] = []
        self._bigrams: dict[str, list[int]] = defaultdict(list)
        self._by_kind: dict[str, list[int]] = defaultdict(list)
        for eid, entity in enumerate(self.entities):
            texts = [(entity.name, "name")] + [(a, "alias") for a in entity.aliases]
            if entity.code != entity.name:
                code = normalize(entity.code)
                if len(code) >= 2:
                    self._exact[code][eid] = "code"
            for text, how in texts:
                self._add_key(eid, text, how)
        self._max_key = max((len(k) for k in self._exact), default=0)

    def _add_key(self, eid: int, text: str, how: str) -> None:
        key = name_key(eid, text, how)
        if key is None:
            return
        known = self._exact[key.text]
        if known.get(eid) != "name":
            known[eid] = how
        kid = len(self._keys)
        self._keys.append(key)
        self._by_kind[self.entities[eid].kind].append(kid)
        for gram in {key.text[i : i + 2] for i in range(len(key.text) - 1)}:
            self._bigrams[gram].append(kid)

    def __len__(self) -> int:
        return len(self.entities)

    def kinds(self) -> set[str]:
        return {e.kind for e in self.entities}

    # --- find -----------------------------------------------------------------------------

    def find(self, text: str, kinds: Collection[str] | None = None) -> list[EntityMatch]:
        """Entities named in `text`, best first; all ties of each mention's best score."""
        p = prepare(text)
        wanted = None if kinds is None else set(kinds)
        found: dict[tuple[int, int], dict[int, tuple[float, str]]] = defaultdict(dict)
        n = len(p.compact)
        for start in sorted(p.hard | p.soft):
            for end in range(start + 2, min(n, start + self._max_key + 1) + 1):
                self._find_window(p, start, end, wanted, found)
        return self._resolve(p, text, found)

    def _find_window(
        self,
        p: Prepared,
        start: int,
        end: int,
        wanted: set[str] | None,
        found: dict[tuple[int, int], dict[int, tuple[float, str]]],
    ) -> None:
        window = p.compact[start:end]
        clean = end in p.hard or end in p.soft or p.particles_at(end)
        hits = self._exact.get(window)
        if hits:
            # A long Hangul name may run into the next word ("한빛상사매출"); codes and short
            # names must end at a boundary. Bare numbers need a real one ("2025년" is a year).
            if window.isdigit():
                ends = end in p.hard or p.particles_at(end)
            else:
                ends = clean or (
                    len(window) >= 3
                    and end < len(p.compact)
                    and is_hangul(window[-1])
                    and is_hangul(p.compact[end])
                )
            for eid, how in hits.items() if ends else ():
                if wanted is None or self.entities[eid].kind in wanted:
                    found[(start, end)][eid] = (SCORES[how], how)
            if (start, end) in found:
                return
        if not clean:
            return
        candidates: dict[int, tuple[float, str]] = {}
        if partial_ok(window):
            self._partial(window, wanted, candidates)
            if syllables(window) < MIN_INFIX_SYLLABLES:
                # A short part ("미래의", "1팀") is too common a word to stand for several
                # names: it links only when it names one entity (the same name twice counts
                # once, so the caller can still ask which of the two is meant).
                names = {(self.entities[e].kind, self.entities[e].name) for e in candidates}
                if len(names) > 1:
                    candidates = {e: c for e, c in candidates.items() if c[1] == "word"}
        if len(window) >= MIN_TYPO_LENGTH and hangul_only(window):
            self._typo(window, wanted, candidates)
        if candidates:
            found[(start, end)].update(candidates)

    def _partial(
        self, window: str, wanted: set[str] | None, out: dict[int, tuple[float, str]]
    ) -> None:
        postings = [self._bigrams.get(window[i : i + 2], []) for i in range(len(window) - 1)]
        rarest = min(postings, key=len)
        long_enough = syllables(window) >= MIN_INFIX_SYLLABLES
        for kid in rarest:
            key = self._keys[kid]
            if len(key.text) <= len(window) or window not in key.text:
                continue
            entity = self.entities[key.entity]
            if wanted is not None and entity.kind not in wanted:
                continue
            at = key.text.find(window)
            while at >= 0 and at not in key.starts:
                at = key.text.find(window, at + 1)
            if at >= 0:
                how = "word" if window in key.words else "partial"
            elif long_enough:
                how = "infix"
            else:
                continue
            # An alias part ranks just under the same part of a name.
            score = SCORES[how] - (0.01 if key.how == "alias" else 0.0)
            keep_best(out, key.entity, score, how)

    def _typo(
        self, window: str, wanted: set[str] | None, out: dict[int, tuple[float, str]]
    ) -> None:
        grams = {window[i : i + 2] for i in range(len(window) - 1)}
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(self._bigrams.get(gram, ()))
        spelled = jamo(window)
        for kid, count in shared.items():
            key = self._keys[kid]
            if key.jamo is None or abs(len(key.text) - len(window)) > 1:
                continue
            limit = typo_limit(min(len(key.text), len(window)))
            if not limit:
                continue
            # Each jamo edit touches one syllable, which is in at most two bigrams.
            if count < len(grams) - 2 * limit:
                continue
            entity = self.entities[key.entity]
            if wanted is not None and entity.kind not in wanted:
                continue
            distance = bounded_distance(spelled, key.jamo, limit)
            if 0 < distance <= limit:
                keep_best(out, key.entity, TYPO_SCORES[distance], "typo")

    def _resolve(
        self,
        p: Prepared,
        text: str,
        found: Mapping[tuple[int, int], Mapping[int, tuple[float, str]]],
    ) -> list[EntityMatch]:
        taken: list[tuple[int, int]] = []
        matches: list[EntityMatch] = []
        # Best rule first, then the longest mention: "베어링 B101" is one item, not the
        # category 베어링, and the exact "부산 물류센터" beats the typo "부산 물류센터 재(고)".
        ordered = sorted(
            found.items(),
            key=lambda item: (
                -max(score for score, _ in item[1].values()),
                -(item[0][1] - item[0][0]),
                item[0][0],
            ),
        )
        for (start, end), hits in ordered:
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            best = max(score for score, _ in hits.values())
            span = p.span(start, end)
            for eid, (score, how) in hits.items():
                if score < best:
                    continue
                entity = self.entities[eid]
                matches.append(
                    EntityMatch(
                        kind=entity.kind,
                        code=entity.code,
                        name=entity.name,
                        mention=text[span[0] : span[1]],
                        span=span,
                        score=score,
                        exact=how in EXACT,
                        how=how,
                    )
                )
        matches.sort(key=lambda m: (-m.score, m.span[0], m.kind, m.code))
        return matches

    # --- suggestions ----------------------------------------------------------------------

    def closest(self, kind: str, mention: str, n: int = 3) -> list[EntityMatch]:
        """Up to `n` visible entities of `kind` spelled most like `mention` ("did you mean")."""
        forms = [f for f in strip_particles(normalize(mention)) if len(f) >= 2]
        if not forms:
            return []
        best: dict[int, float] = {}
        for form in forms:
            spelled, letters = jamo(form), set(form)
            # A jamo distance costs ~0.1 ms in Python, so only the names sharing the most
            # letter pairs (Dice over bigrams) get one; letters in common when no pair is.
            grams = {form[i : i + 2] for i in range(len(form) - 1)}
            shared = Counter(
                kid
                for gram in grams
                for kid in self._bigrams.get(gram, ())
                if self.entities[self._keys[kid].entity].kind == kind
            )
            dice = {k: c / (len(grams) + len(self._keys[k].text) - 1) for k, c in shared.items()}
            if len(dice) < n:
                for k in self._by_kind.get(kind, ()):
                    common = len(letters & set(self._keys[k].text))
                    if common and k not in dice:
                        dice[k] = common / (len(form) + len(self._keys[k].text)) / 2
            pool = sorted(dice, key=lambda k: -dice[k])[:SUGGESTION_POOL]
            for kid in pool:
                key = self._keys[kid]
                similarity = resemblance(form, spelled, key)
                if similarity > best.get(key.entity, 0.0):
                    best[key.entity] = similarity
        ranked = sorted(
            ((s, eid) for eid, s in best.items() if s >= MIN_RESEMBLANCE),
            key=lambda item: (-item[0], self.entities[item[1]].code),
        )
        span = (0, len(mention))
        return [
            EntityMatch(
                kind=kind,
                code=self.entities[eid].code,
                name=self.entities[eid].name,
                mention=mention,
                span=span,
                score=round(score, 3),
                exact=False,
                how="suggestion",
            )
            for score, eid in ranked[:n]
        ]
