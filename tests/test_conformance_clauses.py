"""Levels from the text: every RFC check quotes its clause, its level is the clause's RFC
2119 keyword, every Entra-scoped check cites a Microsoft page, and every citation in a
hint or a source is a followable link (issue 20)."""

from __future__ import annotations

import re

import pytest

from harness.conformance.checks import CHECKS
from harness.conformance.checks import clauses as clause_module
from harness.conformance.flow import FLOW_STEPS
from harness.conformance.results import ENTRA_ONLY, RFC_ONLY, CheckInfo
from harness.conformance.sources import (
    KEYWORD_LEVELS,
    MICROSOFT_PAGES,
    Clause,
    MicrosoftSource,
    keywords_in,
    linked,
)

EVERY = [check.info for check in CHECKS] + list(FLOW_STEPS)


@pytest.mark.parametrize("info", EVERY, ids=lambda info: info.id)
def test_every_check_quotes_its_source_and_its_level_is_the_clauses_keyword(
    info: CheckInfo,
) -> None:
    if "rfc" in info.scopes:
        assert info.clauses, f"{info.id} counts for the RFC but quotes no clause"
        first = info.clauses[0]
        assert info.level == first.level
        if first.keyword is not None:
            assert first.keyword in keywords_in(first.text)
            assert KEYWORD_LEVELS[first.keyword] == info.level
        else:  # a definition: no keyword, and a contradiction of it is a failure
            assert info.level == "MUST"
    if "entra" in info.scopes:
        assert info.microsoft, f"{info.id} counts for Entra but cites no Microsoft page"
        assert all(m.url.startswith("https://learn.microsoft.com/") for m in info.microsoft)
    for clause in info.clauses:
        assert re.fullmatch(
            r"https://www\.rfc-editor\.org/rfc/rfc764[34]#section-\d+(\.\d+)*", clause.url
        )


def test_the_clauses_are_quoted_once_in_one_module() -> None:
    quoted = [v for v in vars(clause_module).values() if isinstance(v, Clause)]
    assert len(quoted) >= 15
    assert len({(c.rfc, c.section, c.text) for c in quoted}) == len(quoted)


def test_a_level_that_disagrees_with_its_keyword_is_refused() -> None:
    should = Clause(7644, "3.4.2.4", "Servers SHOULD do it.")
    assert should.level == "SHOULD"
    with pytest.raises(ValueError, match="disagrees"):
        CheckInfo("RFC7644-X", "t", "s", "MUST", RFC_ONLY, "h", (should,))
    with pytest.raises(ValueError, match="quotes its clause"):
        CheckInfo("RFC7644-X", "t", "s", "MUST", RFC_ONLY, "h")
    with pytest.raises(ValueError, match="Microsoft page"):
        CheckInfo("ENTRA-X", "t", "s", "MUST", ENTRA_ONLY, "h")
    with pytest.raises(ValueError, match="not in the quoted sentence"):
        Clause(7644, "3.3", "The server MAY do it.", keyword="MUST")
    with pytest.raises(ValueError, match="unknown Microsoft page"):
        MicrosoftSource("S99", "nothing")


@pytest.mark.parametrize(
    ("text", "keyword", "level"),
    [
        ("the service provider MUST NOT return more results", "MUST NOT", "MUST"),
        ("a value less than 1 SHALL be interpreted as 1", "SHALL", "MUST"),
        ("This parameter is REQUIRED.", "REQUIRED", "MUST"),
        ("Clients SHOULD NOT send it.", "SHOULD NOT", "SHOULD"),
        ("It is RECOMMENDED.", "RECOMMENDED", "SHOULD"),
        ("Filtering is an OPTIONAL parameter.", "OPTIONAL", "MAY"),
        ("Clients MAY send it.", "MAY", "MAY"),
    ],
)
def test_the_level_comes_from_the_rfc_2119_keyword(text: str, keyword: str, level: str) -> None:
    clause = Clause(7644, "1", text)
    assert (clause.keyword, clause.level) == (keyword, level)


def test_citations_become_links_everywhere_a_reader_sees_them() -> None:
    text = linked("Refuse it (RFC 7644 §3.3, §3.12; S1, S13); see linkedin-scim.md §6.")
    assert "RFC 7644 §3.3 (https://www.rfc-editor.org/rfc/rfc7644#section-3.3)" in text
    assert "§3.12 (https://www.rfc-editor.org/rfc/rfc7644#section-3.12)" in text
    assert f"S1 ({MICROSOFT_PAGES['S1']})" in text and f"S13 ({MICROSOFT_PAGES['S13']})" in text
    assert "linkedin-scim.md §6." in text  # not an RFC section: left alone
    assert linked(text) == text
    # No check's hint or source keeps a citation without its link.
    bare_key = re.compile(r"\bS\d{1,2}\b(?! \(https://)")
    bare_rfc = re.compile(r"RFC 764[34] §\d+(?:\.\d+)*(?![\d.]| \(https://)")
    for info in EVERY:
        for shown in (info.hint, info.source):
            assert not bare_key.search(shown), (info.id, shown)
            assert not bare_rfc.search(shown), (info.id, shown)
            assert not re.search(r"§\d+(?:\.\d+)*(?![\d.]| \(https://)", shown), (info.id, shown)
