"""The assistant question set: valid, ≥ 40 questions, facts traceable to documents and ERP."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from dari.core.access import can_read, principal_tokens
from dari.demo.company import DEPARTMENTS, ROLES, USERS, department, user
from dari.demo.documents import DEMO_DOCUMENTS, by_title
from dari.demo.model import plain_lines
from dari.demo.questions import (
    PACKAGED_PATH,
    PACKAGED_SAMPLE,
    build_question_set,
    contains,
    default_path,
    expectation_met,
    forbidden_found,
    load_question_set,
    validate_question_set,
)
from dari.erp.catalog import load_catalog
from dari.erp.sample import CATALOG_PATH
from dari.erp.sample.load import load_sample

TITLES = {d.title for d in DEMO_DOCUMENTS}


@pytest.fixture(scope="module")
def question_set() -> dict[str, Any]:
    return load_question_set(PACKAGED_PATH)


def _options(item: str | list[str]) -> list[str]:
    return [item] if isinstance(item, str) else item


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_shape_and_coverage(question_set: dict[str, Any]) -> None:
    questions = question_set["questions"]
    assert len(questions) >= 40
    categories = {q["category"] for q in questions}
    assert categories == {"doc_qa", "erp", "mixed", "chitchat", "out_of_scope"}
    assert sum(q["refuse"] for q in questions) >= 5
    logins = {u.username for u in USERS}
    assert {q["user"] for q in questions} <= logins
    assert all(re.search("[가-힣]", q["question"]) for q in questions)


def test_sources_name_real_documents_and_tools(question_set: dict[str, Any]) -> None:
    tools = {tool.name for tool in load_catalog(CATALOG_PATH).tools} | {"erp_query"}
    for question in question_set["questions"]:
        for source in question["sources"]:
            assert source in TITLES or source in tools, (question["id"], source)
        if question["category"] in ("doc_qa", "erp", "mixed"):
            assert question["sources"], question["id"]


def test_role_permissions_name_catalog_tools() -> None:
    tools = {tool.name for tool in load_catalog(CATALOG_PATH).tools}
    for role in ROLES:
        for permission in role.permissions:
            if permission.startswith("erp:"):
                assert permission.removeprefix("erp:") in tools, (role.name, permission)


def test_document_expectations_are_in_the_cited_document(question_set: dict[str, Any]) -> None:
    for question in question_set["questions"]:
        documents = [by_title(s) for s in question["sources"] if s in TITLES]
        if question["category"] != "doc_qa" or not documents:
            continue
        lines = [line for d in documents for line in plain_lines(d)]  # cells stay apart
        for item in question["expect"] + question.get("forbid", []):
            found = any(contains(line, o) for line in lines for o in _options(item))
            assert found, (question["id"], item)


def _tokens(login: str) -> frozenset[str]:
    spec = user(login)
    path: list[str] = []
    code: str | None = spec.department
    while code:  # department codes stand in for ids here
        path.insert(0, code)
        code = department(code).parent
    return principal_tokens(spec.username, spec.roles, spec.department, path)


def test_refused_document_questions_are_really_out_of_reach(question_set: dict[str, Any]) -> None:
    from dari.demo.ingest import access_for

    identity = {d.code: d.code for d in DEPARTMENTS}
    for question in question_set["questions"]:
        if question["category"] != "doc_qa":
            continue
        for title in question["sources"]:
            document = by_title(title)
            readable = can_read(access_for(document, identity).tokens(), _tokens(question["user"]))
            assert readable is not question["refuse"], (question["id"], question["user"])


def test_matching_rules() -> None:
    assert expectation_met("숙박비 상한은 110000 원입니다", [["110,000원", "11만"]])
    assert expectation_met("약 34억 4,437만 원", [["3,444,378,066", "34억 4,437만"]])
    assert not expectation_met("15일입니다", ["5일"])  # digits are not matched inside numbers
    assert not expectation_met("1.5일", ["5일"])
    assert expectation_met("연차는 15일, 이월은 5일", ["15일", "5일"])
    assert not expectation_met("연차는 15일", ["15일", "5일"])
    assert forbidden_found("S등급은 8% 인상", ["8%", "200%"]) == ["8%"]
    with pytest.raises(ValueError, match="category"):
        validate_question_set(
            {
                "questions": [
                    {
                        "id": "x",
                        "category": "other",
                        "user": "u",
                        "question": "q",
                        "expect": [],
                        "sources": [],
                        "refuse": False,
                    }
                ]
            }
        )
    with pytest.raises(ValueError, match="missing field `category`"):
        validate_question_set({"questions": [{"id": "x"}]})


def test_invalid_file_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "q.yaml"
    bad.write_text(
        "questions:\n  - {id: a, category: erp, user: u, question: q, expect: [[]], "
        "sources: [], refuse: false}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"'a'.*any-of"):
        load_question_set(bad)


@pytest.mark.slow
async def test_erp_expectations_reproduce_from_the_sample(
    question_set: dict[str, Any], tmp_path: Path
) -> None:
    """Regenerate the sample ERP the file names and recompute every ERP expectation."""
    sample = question_set["erp_data"]["sample"]
    assert sample == PACKAGED_SAMPLE
    url = f"sqlite:///{tmp_path / 'erp.db'}"
    await load_sample(
        url, seed=sample["seed"], scale=sample["scale"], end=date.fromisoformat(sample["end"])
    )
    rebuilt = await build_question_set(url, sample=sample)
    assert rebuilt == yaml.safe_load(yaml.safe_dump(rebuilt, allow_unicode=True))
    assert rebuilt == question_set
    erp = [q for q in rebuilt["questions"] if q["category"] in ("erp", "mixed")]
    assert len(erp) >= 15
    assert all(q["expect"] or q["refuse"] for q in erp)


def test_default_path_prefers_the_file_built_on_loaded_data(tmp_path: Path) -> None:
    assert default_path(tmp_path) == PACKAGED_PATH
    built = tmp_path / "demo" / "questions.ko.yaml"
    built.parent.mkdir()
    built.write_text(PACKAGED_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert default_path(tmp_path) == built


@pytest.mark.parametrize(
    ("answer", "expected", "found"),
    [
        ("연차는 다음과 같습니다. 15일을 받습니다.", "15일", True),  # starts a sentence
        ("부여 일수\n15일", "15일", True),
        ("근속 1년: 15 일", "15일", True),
        ("총 115일", "15일", False),
        ("3.15일", "15일", False),
        ("3,444,378,066원", "3,444,378,066", True),
        ("3444378066원", "3,444,378,066", True),
        ("13,444,378,066원", "3,444,378,066", False),
        ("15.5%", "15", False),
        ("USD 60", "60", True),
    ],
)
def test_contains_respects_number_boundaries(answer: str, expected: str, found: bool) -> None:
    assert contains(answer, expected) is found
