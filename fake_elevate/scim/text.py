"""Text rules: which strings the service stores, and when two identifiers are the same.

What is refused (400 invalidValue, before anything is stored):

* any string that cannot be encoded as UTF-8 (a lone surrogate such as ``"\\ud800"``,
  which JSON's ``\\u`` escapes can spell): refused for the whole body in
  :mod:`fake_elevate.web.json_body` (RFC 8259 §8.2: such strings are not
  interoperable; RFC 7643 §2.3.1: strings are Unicode);
* in every string attribute value: the C0 controls (U+0000-U+001F) other than TAB,
  LF and CR, DEL (U+007F) and the C1 controls (U+0080-U+009F);
* in identifiers (attributes whose definition has ``identifier=True``: ``userName``,
  ``externalId``, ``displayName`` of Users and Groups, ``emails.value`` and
  ``members.value``): every control character, TAB, LF and CR included.

Identity: ``userName`` (and a Group's ``displayName``) are unique, and strings whose
attribute is caseExact=false compare in filters, as NFC-normalised, case-folded text
(:func:`fold`), so a decomposed ``jose\\u0301`` and a composed ``jos\\u00e9`` are one
user. The value is stored as sent.
"""

from __future__ import annotations

import re
import unicodedata

# C0 except TAB, LF, CR; DEL; C1.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Every control character: C0, DEL and C1.
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def text_problem(value: str, *, identifier: bool) -> str | None:
    """Why ``value`` may not be stored, or None when it may.

    ``str.isprintable`` is true for nearly every value and rules out every control
    character, so the regular expression runs only for the rare rest.
    """
    if value.isprintable():
        return None
    found = (_ANY_CONTROL if identifier else _CONTROL).search(value)
    if found is None:
        return None
    code = ord(found.group())
    kind = "an identifier" if identifier else "a string attribute"
    return f"holds the control character U+{code:04X}, which {kind} may not contain"


def fold(value: str) -> str:
    """The form in which caseExact=false text is compared: NFC-normalised and case-folded.

    Unicode §3.13 (D145, canonical caseless matching) folds the NFD form, since case
    folding does not commute with normalisation for a few characters; the result is
    recomposed (NFC). ASCII text needs neither step, only lower-casing.
    """
    if value.isascii():
        return value.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", value).casefold())
