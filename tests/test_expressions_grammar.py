"""Tokenizer, parser and AST of the expression language (fake_entra.expressions.grammar/ast).

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md, "Syntax overview".
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_entra.expressions import (
    ExpressionError,
    ExpressionSyntaxError,
    ExpressionValidationError,
)
from fake_entra.expressions.ast import (
    COMPARISON_OPERATORS,
    AttributeRef,
    Comparison,
    EmptyArgument,
    FunctionCall,
    NamedConstant,
    Node,
    NumberLiteral,
    Operand,
    StringLiteral,
    referenced_attributes,
    walk,
)
from fake_entra.expressions.grammar import MAX_NESTING_DEPTH, TokenKind, parse, tokenize


def test_tokens_carry_kind_position_and_value() -> None:
    tokens = tokenize('IIF([country] <> "U\\"S", -12, &HF7)')
    assert [(t.kind, t.position, t.value) for t in tokens] == [
        (TokenKind.IDENTIFIER, 0, "IIF"),
        (TokenKind.OPEN, 3, None),
        (TokenKind.ATTRIBUTE, 4, "country"),
        (TokenKind.OPERATOR, 14, "<>"),
        (TokenKind.STRING, 17, 'U"S'),
        (TokenKind.COMMA, 23, None),
        (TokenKind.NUMBER, 25, -12),
        (TokenKind.COMMA, 28, None),
        (TokenKind.NUMBER, 30, 0xF7),
        (TokenKind.CLOSE, 34, None),
        (TokenKind.END, 35, None),
    ]


def test_the_three_documented_argument_kinds_and_nesting() -> None:
    # [S8]: attributes in square brackets, string constants in double quotes, other functions.
    assert parse('FunctionOne([attributeName], "United States", FunctionTwo([b]))') == FunctionCall(
        "FunctionOne",
        (
            AttributeRef("attributeName"),
            StringLiteral("United States"),
            FunctionCall("FunctionTwo", (AttributeRef("b"),)),
        ),
    )


def test_backslash_escapes_quote_and_backslash() -> None:
    # [S8]: "Company name: \"Contoso\"".
    assert parse('"Company name: \\"Contoso\\""') == StringLiteral('Company name: "Contoso"')
    assert parse('"C:\\\\temp"') == StringLiteral("C:\\temp")


def test_empty_arguments_are_kept_in_place() -> None:
    # The portal's default mapping for active.
    node = parse('Switch([IsSoftDeleted], , "False", "True", "True", "False")')
    assert isinstance(node, FunctionCall)
    assert node.arguments[1] == EmptyArgument()
    assert [type(a).__name__ for a in node.arguments] == [
        "AttributeRef", "EmptyArgument", "StringLiteral", "StringLiteral", "StringLiteral",
        "StringLiteral",
    ]  # fmt: skip
    assert parse("F(,)") == FunctionCall("F", (EmptyArgument(), EmptyArgument()))
    assert parse('Replace([mail], "@contoso.com", , ,"", ,)').arguments[-2:] == (  # type: ignore[union-attr]
        EmptyArgument(),
        EmptyArgument(),
    )


def test_empty_parentheses_mean_no_arguments() -> None:
    assert parse("Guid()") == FunctionCall("Guid", ())
    assert parse("Now(  )") == FunctionCall("Now", ())


def test_numbers_named_constants_and_comparisons() -> None:
    assert parse("BitAnd(&HF, &HF7)") == FunctionCall(
        "BitAnd", (NumberLiteral(15, 16), NumberLiteral(0xF7, 16))
    )
    assert parse('DateAdd("d", -10, Now())').arguments[1] == NumberLiteral(-10)  # type: ignore[union-attr]
    assert parse('InStr("repEated","e",3,vbBinaryCompare)').arguments[3] == NamedConstant(  # type: ignore[union-attr]
        "vbBinaryCompare"
    )
    assert parse('IIF([country]="USA",[country],[department])').arguments[0] == Comparison(  # type: ignore[union-attr]
        AttributeRef("country"), "=", StringLiteral("USA")
    )
    assert parse('IIF(DateDiff("d", Now(), CDate([h])) >= 5, 1, 0)').arguments[0].operator == ">="  # type: ignore[union-attr]


def test_whitespace_and_newlines_between_tokens() -> None:
    # [S8]'s DateDiff example 2 spans several lines.
    text = 'Switch([Active], , \n  "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), \n  "0", "False")'
    node = parse(text)
    assert isinstance(node, FunctionCall)
    assert len(node.arguments) == 6


def test_positions_point_into_the_text() -> None:
    text = 'Join(" ", [givenName], Mid([surname], 1, 3))'
    node = parse(text)
    for child in walk(node):
        if isinstance(child, AttributeRef | FunctionCall):
            assert text[child.position :].startswith(child.to_text()[:4])


def test_attribute_names_may_carry_extension_and_urn_characters() -> None:
    assert parse("[extension_53c9e2c0e_acmeCostCenter]") == AttributeRef(
        "extension_53c9e2c0e_acmeCostCenter"
    )
    urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
    assert parse(f"[{urn}]") == AttributeRef(urn)


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ('Append([a], "abc', 12, "unterminated string"),  # unclosed string: its opening quote
        ('Append([a], "b"', 15, "expected ')'"),  # unclosed parenthesis: the end
        ("Append([a], ", 12, "expected ')'"),
        (",Append([a], [b])", 0, "expected a function call"),  # stray comma before
        ('Join(" ", [a]),', 14, "after the end of the expression"),  # stray comma after
        ('Append([a] "b")', 11, "expected ',' or ')'"),  # missing comma
        ('Append([a, "b")', 9, "expected ']'"),  # missing closing bracket
        ("Append([a", 9, "expected ']'"),
        ('Append(a], "b")', 8, "']' without a matching '['"),  # missing opening bracket
        ('Join(" ", [a]) x', 15, "after the end of the expression"),  # trailing garbage
        ('Join(" ", [a]))', 14, "after the end of the expression"),
        ("", 0, "the expression is empty"),
        ("   ", 3, "the expression is empty"),
        ('Left("C:\\temp", 2)', 8, "invalid escape"),
        ("[a] = [b] = [c]", 10, "can't be chained"),
        ("[]", 0, "empty attribute name"),
        ("Left([a], 3x)", 11, "in a number"),
        ("BitAnd(&G1, 1)", 7, "'&H'"),
        ("Left([a], -)", 10, "digits after '-'"),
        ("Left([a]; 3)", 8, "unexpected character ';'"),
    ],
)
def test_syntax_errors_name_their_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    error = caught.value
    assert error.position == position
    assert fragment in error.message
    assert str(error).startswith(f"Syntax error at position {position}: ")
    assert isinstance(error, ExpressionError) and isinstance(error, ValueError)


def test_nesting_beyond_the_limit_is_refused() -> None:
    deep = "F(" * MAX_NESTING_DEPTH + "[a]" + ")" * MAX_NESTING_DEPTH
    assert parse(deep) is not None
    deeper = "F(" * (MAX_NESTING_DEPTH + 1) + "[a]" + ")" * (MAX_NESTING_DEPTH + 1)
    with pytest.raises(ExpressionValidationError) as caught:
        parse(deeper)
    assert caught.value.position == 2 * MAX_NESTING_DEPTH


def test_very_long_numbers_are_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse("Left([a], " + "9" * 5000 + ")")


def test_referenced_attributes_and_walk() -> None:
    node = parse('IIF([a] = "x", Join(" ", [b], [c]), [a])')
    assert referenced_attributes(node) == frozenset({"a", "b", "c"})
    assert [type(n).__name__ for n in walk(node)][:3] == [
        "FunctionCall",
        "Comparison",
        "AttributeRef",
    ]


@pytest.mark.parametrize(
    "text",
    [
        'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
        'Join(" ", [givenName], [surname])',
        'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", , "${phoneNumber}", , )',
        'IIF([country]="USA",IIF([state]="CA","True","False"),"False")',
        "BitAnd(&HF, -&H10)",
        'InStr("repEated","e",3,vbBinaryCompare)',
        "Guid()",
        '"a \\"quoted\\" \\\\ string"',
    ],
)
def test_to_text_round_trips_documented_expressions(text: str) -> None:
    node = parse(text)
    assert parse(node.to_text()) == node
    assert parse(node.to_text()).to_text() == node.to_text()


# ---------------------------------------------------------------- properties

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_identifiers = st.builds(
    str.__add__, st.sampled_from(_LETTERS), st.text(_LETTERS + "0123456789_", max_size=7)
)
_attribute_names = st.text(_LETTERS + "0123456789_.:$#@/-é", min_size=1, max_size=12)
_leaves: st.SearchStrategy[Operand] = st.one_of(
    st.builds(AttributeRef, _attribute_names),
    st.builds(StringLiteral, st.text(max_size=12)),
    st.builds(NumberLiteral, st.integers(-(10**12), 10**12), st.sampled_from([10, 16])),
    st.builds(NamedConstant, _identifiers),
)


def _comparison(operands: st.SearchStrategy[Operand]) -> st.SearchStrategy[Comparison]:
    return st.builds(Comparison, operands, st.sampled_from(COMPARISON_OPERATORS), operands)


def _calls(operands: st.SearchStrategy[Operand]) -> st.SearchStrategy[FunctionCall]:
    slot = st.one_of(operands, _comparison(operands), st.just(EmptyArgument()))
    # "F()" is a call without arguments, so a lone empty argument has no text of its own.
    arguments = st.lists(slot, max_size=4).map(
        lambda args: () if args == [EmptyArgument()] else tuple(args)
    )
    return st.builds(FunctionCall, _identifiers, arguments)


_operands = st.recursive(_leaves, _calls, max_leaves=12)
_expressions: st.SearchStrategy[Node] = st.one_of(_operands, _comparison(_operands))


@settings(max_examples=200, deadline=None)
@given(_expressions)
def test_generated_asts_round_trip_through_text(node: Node) -> None:
    text = node.to_text()
    assert parse(text) == node
    # Positions are recorded but take no part in equality; they still point into the text.
    for child in walk(parse(text)):
        assert 0 <= child.position <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_of_any_text_raises_only_expression_errors(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse(text)


_syntax_alphabet = st.sampled_from([*'()[]",\\ =<>&H-09aZ_\n', "É", "\u00a0"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_syntax_alphabet, max_size=40).map("".join))
def test_parse_of_syntax_soup_raises_only_expression_errors(text: str) -> None:
    try:
        node = parse(text)
    except ExpressionError as error:
        assert error.position is not None and 0 <= error.position <= len(text)
    else:
        assert parse(node.to_text()) == node
