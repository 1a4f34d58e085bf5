"""The registry: every function by its name, and the checks made when a mapping is saved.

:data:`FUNCTIONS` assembles the families (strings, logic, dates, multivalued, identity,
app_roles) by their case-sensitive names; :func:`validate` refuses what Entra refuses
when a mapping is saved: unknown or unsupported functions (with a "did you mean"),
wrong arity, required arguments left empty, unknown bare names, and each function's
own ``check``.

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from fake_entra.expressions.ast import (
    EmptyArgument,
    ExpressionValidationError,
    FunctionCall,
    NamedConstant,
    Node,
    walk,
)
from fake_entra.expressions.functions.app_roles import APP_ROLE_FUNCTIONS
from fake_entra.expressions.functions.dates import DATE_FUNCTIONS
from fake_entra.expressions.functions.identity import IDENTITY_FUNCTIONS
from fake_entra.expressions.functions.logic import LOGIC_FUNCTIONS
from fake_entra.expressions.functions.multivalued import MULTI_VALUED_FUNCTIONS
from fake_entra.expressions.functions.spec import NAMED_CONSTANTS, FunctionSpec
from fake_entra.expressions.functions.strings import STRING_FUNCTIONS

#: Documented functions this simulator refuses at save time, with the reason shown.
UNSUPPORTED_FUNCTIONS: Mapping[str, str] = {
    "SelectUniqueValue": (
        "SelectUniqueValue isn't supported for provisioning to SCIM applications; Microsoft"
        " supports it only for Workday, SuccessFactors and API-driven provisioning to"
        " Active Directory (it needs an LDAP uniqueness check in the target directory)"
    ),
}


def _by_name(specs: Iterable[FunctionSpec]) -> Mapping[str, FunctionSpec]:
    # Alphabetical regardless of case, the order [S8] lists them in.
    by_name: dict[str, FunctionSpec] = {}
    for spec in sorted(specs, key=lambda spec: spec.name.lower()):
        if spec.name in by_name:
            raise ValueError(f"{spec.name} is defined twice")
        by_name[spec.name] = spec
    return by_name


#: Every supported function by its case-sensitive name.
FUNCTIONS: Mapping[str, FunctionSpec] = _by_name(
    [
        *APP_ROLE_FUNCTIONS,
        *DATE_FUNCTIONS,
        *IDENTITY_FUNCTIONS,
        *LOGIC_FUNCTIONS,
        *MULTI_VALUED_FUNCTIONS,
        *STRING_FUNCTIONS,
    ]
)


# ---------------------------------------------------------------- validation


def _suggestion(name: str, candidates: Sequence[str]) -> str:
    for candidate in candidates:
        if candidate.lower() == name.lower():
            return f"; did you mean {candidate}? Function names are case-sensitive"
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return f"; did you mean {close[0]}?" if close else ""


def _arity(spec: FunctionSpec) -> str:
    if spec.max_args == spec.min_args:
        count = spec.min_args
        return f"exactly {count} argument{'s' if count != 1 else ''}"
    if spec.max_args is None:
        return f"at least {spec.min_args} arguments"
    return f"{spec.min_args} to {spec.max_args} arguments"


def _validate_call(call: FunctionCall) -> None:
    spec = FUNCTIONS.get(call.name)
    if spec is None:
        if call.name in UNSUPPORTED_FUNCTIONS:
            raise ExpressionValidationError(UNSUPPORTED_FUNCTIONS[call.name], call.position)
        known = [*FUNCTIONS, *UNSUPPORTED_FUNCTIONS]
        raise ExpressionValidationError(
            f"unknown function {call.name!r}{_suggestion(call.name, known)}", call.position
        )
    count = len(call.arguments)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        raise ExpressionValidationError(
            f"{spec.name} takes {_arity(spec)}, got {count}: {spec.signature}", call.position
        )
    for index, argument in enumerate(call.arguments):
        if (
            isinstance(argument, EmptyArgument)
            and index < spec.min_args
            and index not in spec.optional
        ):
            raise ExpressionValidationError(
                f"{spec.name}: {spec.parameter_name(index)} (argument {index + 1}) is required"
                " and can't be left empty",
                argument.position,
            )
    if spec.check is not None:
        spec.check(call)


def _validate_constant(constant: NamedConstant) -> None:
    if constant.name in NAMED_CONSTANTS:
        return
    if constant.name in FUNCTIONS:
        hint = f"; a function call needs parentheses: {constant.name}(...)"
    else:
        hint = _suggestion(constant.name, list(NAMED_CONSTANTS)) or (
            f'; write an attribute as [{constant.name}] and a string constant as "{constant.name}"'
        )
    raise ExpressionValidationError(f"unknown name {constant.name!r}{hint}", constant.position)


def validate(root: Node) -> None:
    """Refuse what Entra refuses when a mapping is saved; raises ExpressionValidationError."""
    for node in walk(root):
        if isinstance(node, FunctionCall):
            _validate_call(node)
        elif isinstance(node, NamedConstant):
            _validate_constant(node)
