"""Where each check's requirement comes from, as followable links.

An RFC check stores its :class:`Clause`: the RFC, the section and the sentence quoted
exactly, with its RFC 2119 keyword. The check's level is derived from that keyword
(RFC 2119: MUST, REQUIRED, SHALL and their negations -> MUST; SHOULD, RECOMMENDED ->
SHOULD; MAY, OPTIONAL -> MAY). A few sentences define a behaviour without a keyword
("Attribute names and attribute operators used in filters are case insensitive."): such
a clause is *definitional*, and a server that contradicts a definition is wrong, so its
level is MUST and reports say "definition" in place of a keyword.

An Entra-scoped check cites :class:`MicrosoftSource` pages (public URLs) that say Entra
relies on the behaviour. Free-text citations such as "S1", "S13" or "RFC 7644 §3.4.2.4"
in hints are turned into links by :func:`linked`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

Level = Literal["MUST", "SHOULD", "MAY"]

#: RFC 2119 keywords, longest first so that "MUST NOT" wins over "MUST".
KEYWORD_LEVELS: Final[Mapping[str, Level]] = {
    "MUST NOT": "MUST",
    "SHALL NOT": "MUST",
    "SHOULD NOT": "SHOULD",
    "NOT RECOMMENDED": "SHOULD",
    "MUST": "MUST",
    "REQUIRED": "MUST",
    "SHALL": "MUST",
    "SHOULD": "SHOULD",
    "RECOMMENDED": "SHOULD",
    "MAY": "MAY",
    "OPTIONAL": "MAY",
}
_KEYWORD = re.compile(r"\b(" + "|".join(re.escape(k) for k in KEYWORD_LEVELS) + r")\b")

RFC_BASE: Final = "https://www.rfc-editor.org/rfc/rfc"

#: The Microsoft pages provisim cites by key (entra-provisioning-service.md, README).
_LEARN: Final = "https://learn.microsoft.com/en-us/entra/identity/"
MICROSOFT_PAGES: Final[Mapping[str, str]] = {
    "S1": _LEARN + "app-provisioning/use-scim-to-provision-users-and-groups",
    "S2": _LEARN + "app-provisioning/application-provisioning-config-problem-scim-compatibility",
    "S3": _LEARN + "app-provisioning/how-provisioning-works",
    "S4": _LEARN + "app-provisioning/application-provisioning-quarantine-status",
    "S5": _LEARN
    + "app-provisioning/application-provisioning-when-will-provisioning-finish-specific-user",
    "S6": _LEARN + "app-provisioning/accidental-deletions",
    "S7": _LEARN + "app-provisioning/customize-application-attributes",
    "S8": _LEARN + "app-provisioning/functions-for-customizing-application-data",
    "S9": _LEARN + "app-provisioning/define-conditional-rules-for-provisioning-user-accounts",
    "S10": _LEARN + "app-provisioning/provision-on-demand",
    "S11": _LEARN + "app-provisioning/application-provisioning-config-problem-no-users-provisioned",
    "S12": _LEARN + "monitoring-health/concept-provisioning-logs",
    "S13": _LEARN + "monitoring-health/howto-analyze-provisioning-logs",
    "S14": _LEARN + "app-provisioning/known-issues",
    "S15": _LEARN + "app-provisioning/skip-out-of-scope-deletions",
    "S16": _LEARN + "app-provisioning/scim-validator-tutorial",
    "S17": _LEARN + "app-provisioning/application-provisioning-configuration-api",
    "S18": _LEARN + "app-provisioning/configure-automatic-user-provisioning-portal",
    "S19": _LEARN + "app-provisioning/check-status-user-account-provisioning",
}


def rfc_url(rfc: int, section: str) -> str:
    """The rfc-editor.org link of an RFC section, e.g. ...rfc7644#section-3.4.2.4."""
    return f"{RFC_BASE}{rfc}#section-{section}"


def keywords_in(text: str) -> list[str]:
    return _KEYWORD.findall(text)


@dataclass(frozen=True)
class Clause:
    """A sentence of RFC 7643 or 7644, quoted exactly, that a check judges against.

    ``keyword`` names the RFC 2119 keyword of ``text`` the check rests on (the first one
    when omitted); None for a definitional sentence without one. ``context`` is another
    sentence of the same section, quoted exactly, that says what the keyword applies to.
    """

    rfc: Literal[7643, 7644]
    section: str
    text: str
    keyword: str | None = ""
    context: str | None = None

    def __post_init__(self) -> None:
        found = keywords_in(self.text)
        if self.keyword == "":
            object.__setattr__(self, "keyword", found[0] if found else None)
        elif self.keyword is not None and self.keyword not in found:
            raise ValueError(f"{self.cite}: {self.keyword!r} is not in the quoted sentence")

    @property
    def level(self) -> Level:
        return "MUST" if self.keyword is None else KEYWORD_LEVELS[self.keyword]

    @property
    def url(self) -> str:
        return rfc_url(self.rfc, self.section)

    @property
    def cite(self) -> str:
        return f"RFC {self.rfc} §{self.section}"

    def describe(self) -> str:
        """One line: the citation, the keyword and the quote, e.g. for a terminal."""
        keyword = self.keyword or "definition"
        quote = f"{self.context} … {self.text}" if self.context else self.text
        return f'{self.cite} ({keyword}): "{quote}" {self.url}'


@dataclass(frozen=True)
class MicrosoftSource:
    """A public Microsoft page that says Entra relies on the behaviour, and what it says."""

    key: str
    says: str

    def __post_init__(self) -> None:
        if self.key not in MICROSOFT_PAGES:
            raise ValueError(f"unknown Microsoft page {self.key!r}")

    @property
    def url(self) -> str:
        return MICROSOFT_PAGES[self.key]

    def describe(self) -> str:
        return f"Microsoft {self.key} ({self.says}) {self.url}"


_CITATION = re.compile(
    r"RFC ?(7643|7644)(?: ?§ ?(\d+(?:\.\d+)*))?|§ ?(\d+(?:\.\d+)*)|\b(S\d{1,2})\b"
)


def linked(text: str) -> str:
    """``text`` with each citation followed by its link in parentheses: "RFC 7644
    §3.4.2.4", a bare "§3.12" after an "RFC 764x" of the same text (it belongs to that
    RFC), and the Microsoft keys ("S1"). A citation already followed by a link, and a
    "§" of another document ("linkedin-scim.md §6"), are left alone. Idempotent."""
    pieces: list[str] = []
    position = 0
    last_rfc: int | None = None
    for match in _CITATION.finditer(text):
        rfc, section, bare, key = match.groups()
        url: str | None = None
        if rfc is not None:
            last_rfc = int(rfc)
            url = rfc_url(last_rfc, section) if section else None
        elif bare is not None:
            before = text[max(0, match.start() - 4) : match.start()]
            if last_rfc is not None and not before.rstrip().endswith(".md"):
                url = rfc_url(last_rfc, bare)
        elif key is not None:
            url = MICROSOFT_PAGES.get(key)
        if url is None or text[match.end() : match.end() + 6] == " (http":
            continue
        pieces.append(text[position : match.end()])
        pieces.append(f" ({url})")
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


def citations(result: Mapping[str, Any]) -> list[str]:
    """One line per source of a report's result (its JSON): each RFC clause (keyword,
    quote, link), then each Microsoft page."""
    lines = []
    for clause in result["clauses"]:
        keyword = clause["keyword"] or "definition"
        quote = clause["text"]
        if clause["context"]:
            quote = f"{clause['context']} … {quote}"
        lines.append(
            f'RFC {clause["rfc"]} §{clause["section"]} ({keyword}): "{quote}" {clause["url"]}'
        )
    lines += [f"Microsoft {m['key']}: {m['says']} {m['url']}" for m in result["microsoft"]]
    return lines


__all__ = [
    "KEYWORD_LEVELS",
    "MICROSOFT_PAGES",
    "Clause",
    "Level",
    "MicrosoftSource",
    "citations",
    "keywords_in",
    "linked",
    "rfc_url",
]
