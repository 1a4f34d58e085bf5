"""The string functions: build, cut, search, case and rewrite text.

Append, CStr, InStr, Join, Left, Mid, NormalizeDiacritics, PCase, Replace, Split,
StripSpaces, ToLower, ToUpper and Word, as [S8] documents them. Where [S8] is silent
they behave like the .NET or VBA function of the same name: case mapping one character
to one with the invariant culture, .NET regular expressions and replacement patterns
for Replace (translated to Python's ``re`` by :func:`dotnet_regex`).

Nulls. ``Left`` and ``Word`` return "" for a null string ([S8] says so); the
transforming functions (Append, Mid, Replace, ToLower, ...) return null for a null
source, so an absent attribute stays absent instead of flowing a made-up value
(our choice; [S8] doesn't say). ``Join`` skips null and empty values ([S8]).

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from fake_entra.expressions.ast import EmptyArgument, ExpressionValidationError, FunctionCall
from fake_entra.expressions.context import EvaluationContext
from fake_entra.expressions.functions.spec import (
    NAMED_CONSTANTS,
    Argument,
    ArgumentProblem,
    FunctionSpec,
    check_literals,
)
from fake_entra.expressions.functions.values import (
    as_integer,
    as_text,
    is_multi,
    required_text,
)


def _simple_case(text: str, upper: bool, culture: str | None) -> str:
    """.NET ToUpper/ToLower map one character to one (``ß`` stays ``ß``); Turkic dotted i."""
    turkic = culture is not None and culture.lower().split("-")[0] in ("tr", "az")
    out: list[str] = []
    for char in text:
        if turkic and upper and char in "iı":
            out.append("İ" if char == "i" else "I")
            continue
        if turkic and not upper and char in "Iİ":
            out.append("ı" if char == "I" else "i")
            continue
        mapped = char.upper() if upper else char.lower()
        out.append(mapped if len(mapped) == 1 else char)
    return "".join(out)


_CULTURE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def _culture(value: Any) -> str | None:
    culture = as_text(value, "culture")
    if not culture:
        return None  # [S8]: "If there's no culture info specified, then it uses Invariant culture."
    if not _CULTURE.fullmatch(culture):
        raise ArgumentProblem(
            f"culture {culture!r} isn't an RFC 4646 name like en-US or ja-JP ([S8] ToLower)"
        )
    return culture


# ---------------------------------------------------------------- .NET regular expressions


_NET_NAMED_GROUP = re.compile(r"\(\?(?:<(?![=!])([^>]*)>|'([^']*)')")


@functools.lru_cache(maxsize=256)
def dotnet_regex(pattern: str) -> re.Pattern[str]:
    """Compile a .NET regular expression with Python's ``re``.

    [S8]'s Replace examples use .NET named groups ``(?<phoneNumber>\\d{10})``, which
    Python spells ``(?P<name>...)``; ``\\k<name>`` back-references and ``\\z``/``\\Z``
    anchors are translated too. Constructs Python lacks (balancing groups,
    ``\\p{..}``) are refused with the compiler's message.
    """
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            reference = re.match(r"\\k(?:<([^>]*)>|'([^']*)')", pattern[i:])
            if not in_class and reference:
                out.append(f"(?P={reference.group(1) or reference.group(2)})")
                i += reference.end()
                continue
            if not in_class and escaped == "z":
                out.append(r"\Z")
            elif not in_class and escaped == "Z":
                out.append(r"(?=\n?\Z)")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            i += 1
            # A "]" right after "[" or "[^" is a literal member in .NET as in Python.
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("]")
                i += 1
            continue
        group = _NET_NAMED_GROUP.match(pattern, i)
        if group:
            name = group.group(1) if group.group(1) is not None else group.group(2)
            if not name.isidentifier():
                raise ArgumentProblem(f"regex group name {name!r} isn't supported")
            out.append(f"(?P<{name}>")
            i = group.end()
            continue
        out.append(char)
        i += 1
    try:
        with warnings.catch_warnings():
            # Python warns about "[[" and "--" that future versions may read as set
            # operations; .NET reads them as plain class members (or its own subtraction).
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile("".join(out))
    except (re.error, RecursionError, OverflowError) as exc:
        raise ArgumentProblem(f"invalid regular expression {pattern!r}: {exc}") from None


def _dotnet_substitution(template: str, match: re.Match[str]) -> str:
    """Expand a .NET replacement pattern ($1, ${name}, $$, $&, $`, $', $+, $_) for one match."""
    out: list[str] = []
    i = 0
    groups = match.re.groups
    names = match.re.groupindex
    while i < len(template):
        char = template[i]
        following = template[i + 1] if i + 1 < len(template) else ""
        if char != "$" or not following:
            out.append(char)
            i += 1
            continue
        if following == "$":
            out.append("$")
            i += 2
        elif following == "{" and "}" in template[i + 2 :]:
            close = template.index("}", i + 2)
            name = template[i + 2 : close]
            if name in names or (name.isdigit() and int(name) <= groups):
                out.append(match.group(int(name) if name.isdigit() else name) or "")
                i = close + 1
            else:
                out.append("$")
                i += 1
        elif following.isdigit():
            # .NET takes the longest run of digits that names an existing group.
            end = i + 1
            while end < len(template) and template[end].isdigit():
                end += 1
            while end > i + 1 and int(template[i + 1 : end]) > groups:
                end -= 1
            if end > i + 1:
                out.append(match.group(int(template[i + 1 : end])) or "")
                i = end
            else:
                out.append("$")
                i += 1
        elif following in "&`'+_":
            source = match.string
            out.append(
                {
                    "&": match.group(0),
                    "`": source[: match.start()],
                    "'": source[match.end() :],
                    "+": (match.group(groups) or "") if groups else "",
                    "_": source,
                }[following]
            )
            i += 2
        else:
            out.append("$")
            i += 1
    return "".join(out)


# ---------------------------------------------------------------- the functions


def _append(source: Any, suffix: Any) -> str | None:
    text = as_text(source, "source")
    if text is None:
        return None
    return text + (as_text(suffix, "suffix") or "")


def _cstr(value: Any) -> str | None:
    return as_text(value, "value")


def _compare_mode(value: Any) -> int:
    if value is None:
        return NAMED_CONSTANTS["vbBinaryCompare"]
    if isinstance(value, str) and value in NAMED_CONSTANTS:
        return NAMED_CONSTANTS[value]
    if not isinstance(value, bool) and value in (0, 1, "0", "1"):
        return int(value)
    raise ArgumentProblem(f"compareType must be vbBinaryCompare or vbTextCompare, got {value!r}")


def _instr(value1: Any, value2: Any, start: Any = None, compare_type: Any = None) -> int | None:
    begin = 1 if start is None else as_integer(start, "start")
    if begin < 1:
        raise ArgumentProblem(f"start is {begin}; positions start at 1")
    mode = _compare_mode(compare_type)
    haystack, needle = as_text(value1, "value1"), as_text(value2, "value2")
    if haystack is None or needle is None:
        return None  # VBA InStr: Null in, Null out
    if begin > len(haystack):
        return 0
    if needle == "":
        return begin
    if mode == NAMED_CONSTANTS["vbTextCompare"]:
        haystack = _simple_case(haystack, upper=False, culture=None)
        needle = _simple_case(needle, upper=False, culture=None)
    return haystack.find(needle, begin - 1) + 1


def _join(separator: Any, *sources: Any) -> str:
    glue = as_text(separator, "separator") or ""
    pieces: list[str] = []
    for source in sources:
        for value in source if is_multi(source) else [source]:
            # [S8]: Join(", ", "", [surname], [givenName]) gives "Doe, John": empty values
            # are skipped, and every value of a multi-valued attribute is joined.
            text = as_text(value, "source")
            if text:
                pieces.append(text)
    return glue.join(pieces)


def _left(string: Any, num_chars: Any) -> str:
    count = as_integer(num_chars, "NumChars")
    text = as_text(string, "String")
    # [S8]: null string -> ""; NumChars = 0 -> ""; NumChars < 0 -> the input string.
    if text is None or count == 0:
        return ""
    return text if count < 0 else text[:count]


def _mid(source: Any, start: Any, length: Any) -> str | None:
    begin, size = as_integer(start, "start"), as_integer(length, "length")
    if begin < 1:
        raise ArgumentProblem(f"start is {begin}; the first character has index 1")
    if size < 0:
        raise ArgumentProblem(f"length is {size}; it can't be negative")
    text = as_text(source, "source")
    return None if text is None else text[begin - 1 : begin - 1 + size]


# Letters [S8]'s NormalizeDiacritics table maps that Unicode doesn't decompose.
_PLAIN_LETTERS = {
    "æ": "ae", "Æ": "AE", "ø": "oe", "Ø": "OE", "œ": "oe", "Œ": "OE",
    "ß": "ss", "ł": "l", "Ł": "L", "ı": "i",
}  # fmt: skip


def _normalize_diacritics(source: Any) -> str | None:
    text = as_text(source, "source")
    if text is None:
        return None
    # Drop the Latin combining marks (U+0300-U+036F: acute, grave, circumflex, tilde,
    # macron, ring, caron, cedilla, ogonek, lines and dots below) that [S8]'s table removes.
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    return unicodedata.normalize("NFC", "".join(_PLAIN_LETTERS.get(c, c) for c in stripped))


# [S8] PCase: without wordSeparators, .NET ToTitleCase's separators - spaces, control and
# format characters, and punctuation and symbols of every Unicode category it lists.
_TITLE_CASE_SEPARATOR_CATEGORIES = frozenset(
    ["Zs", "Zl", "Zp", "Cc", "Cf", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So"]
)


def _pcase(source: Any, word_separators: Any = None) -> str | None:
    text = as_text(source, "source")
    if text is None:
        return None
    separators = as_text(word_separators, "wordSeparators")

    def separates(char: str) -> bool:
        if separators:
            return char in separators
        return unicodedata.category(char) in _TITLE_CASE_SEPARATOR_CATEGORIES

    out: list[str] = []
    at_word_start = True
    for char in text:
        if separates(char):
            out.append(char)
            at_word_start = True
            continue
        out.append(_simple_case(char, upper=at_word_start, culture=None))
        at_word_start = False
    return "".join(out)


#: Replace's parameters by position, and the five combinations [S8] documents.
_REPLACE_PARAMETERS = ("source", "oldValue", "regexPattern", "regexGroupName",
                       "replacementValue", "replacementAttributeName", "template")  # fmt: skip
_REPLACE_MODES: Mapping[frozenset[str], str] = {
    frozenset({"oldValue", "replacementValue"}): "replace text",
    frozenset({"oldValue", "template"}): "fill template",
    frozenset({"regexPattern", "replacementValue"}): "regex replace",
    frozenset({"regexPattern", "regexGroupName", "replacementValue"}): "replace group",
    frozenset({"regexPattern", "regexGroupName", "replacementAttributeName"}): "extract group",
}


def _replace_mode(provided: Sequence[bool]) -> str | None:
    names = frozenset(
        n for n, given in zip(_REPLACE_PARAMETERS[1:], provided[1:], strict=True) if given
    )
    return _REPLACE_MODES.get(names)


def _replace(arguments: Sequence[Argument], context: EvaluationContext) -> Any:
    mode = _replace_mode([not argument.is_empty for argument in arguments])
    (source_arg, old_arg, pattern_arg, group_arg,
     replacement_arg, attribute_arg, template_arg) = arguments  # fmt: skip
    source = as_text(source_arg.value(), "source")
    if mode == "extract group":
        # [S8]: "If source has a value, source is returned. If source has no value, the
        # function applies the regexPattern to the replacementAttributeName and returns
        # the value matching regexGroupName."
        if source:
            return source
        fallback = as_text(attribute_arg.value(), "replacementAttributeName")
        if fallback is None:
            return None
        regex = dotnet_regex(required_text(pattern_arg.value(), "regexPattern"))
        group = _group_name(regex, group_arg.value())
        match = regex.search(fallback)
        return match.group(group) if match and match.group(group) is not None else None
    if source is None:
        return None
    if mode in ("replace text", "fill template"):
        old = as_text(old_arg.value(), "oldValue")
        if old is None:
            return source if mode == "replace text" else None
        if old == "":
            raise ArgumentProblem("oldValue is an empty string (.NET String.Replace refuses it)")
        if mode == "replace text":
            return source.replace(old, as_text(replacement_arg.value(), "replacementValue") or "")
        template = as_text(template_arg.value(), "template")
        return None if template is None else template.replace(old, source)
    regex = dotnet_regex(required_text(pattern_arg.value(), "regexPattern"))
    replacement = as_text(replacement_arg.value(), "replacementValue") or ""
    if mode == "regex replace":
        return regex.sub(lambda m: _dotnet_substitution(replacement, m), source)
    if mode == "replace group":
        group = _group_name(regex, group_arg.value())
        pieces: list[str] = []
        cursor = 0
        for match in regex.finditer(source):
            start, end = match.span(group)
            if start < 0 or start < cursor:
                continue
            pieces.append(source[cursor:start] + replacement)
            cursor = end
        return "".join(pieces) + source[cursor:]
    raise ArgumentProblem("no documented combination of parameters was given")  # pragma: no cover


def _group_name(regex: re.Pattern[str], value: Any) -> str | int:
    name = required_text(value, "regexGroupName")
    if name in regex.groupindex:
        return name
    if name.isdigit() and int(name) <= regex.groups:
        return int(name)
    raise ArgumentProblem(f"regexGroupName {name!r} isn't a group of the regexPattern")


def _split(source: Any, delimiter: Any) -> list[str] | None:
    text = as_text(source, "source")
    if text is None:
        return None
    separator = as_text(delimiter, "delimiter")
    if not separator:
        return [text]
    # .NET String.Split: pieces keep their spaces. [S8]'s sample output for
    # "PermissionSetOne, PermissionSetTwo" shows none, but the description ("Splits a
    # string ... using the specified delimiter character") doesn't trim, and [S8]'s
    # samples are loose elsewhere too (its Replace([mobile], ...) output drops a "+"
    # that its own pattern keeps).
    return text.split(separator)


def _strip_spaces(source: Any) -> str | None:
    text = as_text(source, "source")
    return None if text is None else text.replace(" ", "")  # [S8]: space (" ") characters only


def _to_lower(source: Any, culture: Any = None) -> str | None:
    name = _culture(culture)
    text = as_text(source, "source")
    return None if text is None else _simple_case(text, upper=False, culture=name)


def _to_upper(source: Any, culture: Any = None) -> str | None:
    name = _culture(culture)
    text = as_text(source, "source")
    return None if text is None else _simple_case(text, upper=True, culture=name)


def _word(string: Any, word_number: Any, delimiters: Any) -> str:
    number = as_integer(word_number, "WordNumber")
    text = as_text(string, "String")
    # [S8]: number < 1 or null string or too few words -> "".
    if text is None or number < 1:
        return ""
    separators = as_text(delimiters, "delimiters") or ""
    pieces = re.split(f"[{re.escape(''.join(separators))}]", text) if separators else [text]
    words = [word for word in pieces if word]  # runs of delimiters make no empty words
    return words[number - 1] if number <= len(words) else ""


# ---------------------------------------------------------------- save-time checks


def _check_instr(call: FunctionCall) -> None:
    check_literals(call, _compare_mode, 3)


def _check_replace(call: FunctionCall) -> None:
    provided = [not isinstance(a, EmptyArgument) for a in call.arguments]
    if _replace_mode(provided) is None:
        given = [n for n, p in zip(_REPLACE_PARAMETERS[1:], provided[1:], strict=True) if p]
        combinations = "; ".join(" + ".join(sorted(mode)) for mode in _REPLACE_MODES)
        raise ExpressionValidationError(
            f"Replace: the parameters given ({', '.join(given) or 'none besides source'}) aren't"
            f" one of the documented combinations: {combinations}",
            call.position,
        )
    check_literals(call, lambda p: p is None or dotnet_regex(as_text(p, "regexPattern")), 2)

    def group_exists(pattern: Any, group: Any) -> None:
        if pattern is not None and group is not None:
            _group_name(dotnet_regex(required_text(pattern, "regexPattern")), group)

    check_literals(call, group_exists, 2, 3)


def _check_culture(call: FunctionCall) -> None:
    check_literals(call, _culture, 1)


# ---------------------------------------------------------------- the specs


#: The string functions, for the registry.
STRING_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("Append(source, suffix)", 2, 2, _append),
    FunctionSpec("CStr(value)", 1, 1, _cstr),
    FunctionSpec("InStr(value1, value2, start, compareType)", 2, 4, _instr, check=_check_instr),
    FunctionSpec("Join(separator, source1, source2, …)", 2, None, _join),
    FunctionSpec("Left(String, NumChars)", 2, 2, _left),
    FunctionSpec("Mid(source, start, length)", 3, 3, _mid),
    FunctionSpec("NormalizeDiacritics(source)", 1, 1, _normalize_diacritics),
    FunctionSpec("PCase(source, wordSeparators)", 1, 2, _pcase),
    # [S8] documents all seven parameters positionally and every example passes seven,
    # leaving the unused ones empty: Replace([mail], "@contoso.com", , ,"", ,).
    FunctionSpec("Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,"
                 " replacementAttributeName, template)", 7, 7, _replace, lazy=True,
                 optional=frozenset(range(1, 7)), check=_check_replace),
    FunctionSpec("Split(source, delimiter)", 2, 2, _split),
    FunctionSpec("StripSpaces(source)", 1, 1, _strip_spaces),
    FunctionSpec("ToLower(source, culture)", 1, 2, _to_lower, check=_check_culture),
    FunctionSpec("ToUpper(source, culture)", 1, 2, _to_upper, check=_check_culture),
    FunctionSpec("Word(String, WordNumber, Delimiters)", 3, 3, _word),
)  # fmt: skip
