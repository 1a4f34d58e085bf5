"""The functions for multi-valued attributes: count them, pick one, drop repeats.

Count, Item and RemoveDuplicates, as [S8] documents them. A multi-valued attribute
(proxyAddresses, a Split result) is a list; a single value counts as a list of one,
and null as none. Join and Split, which also take or make multi-valued values, are
string functions (``strings``).

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

from typing import Any

from fake_entra.expressions.functions.spec import ArgumentProblem, FunctionSpec
from fake_entra.expressions.functions.values import as_integer, is_multi


def _count(attribute: Any) -> int:
    if attribute is None:
        return 0
    return len(attribute) if is_multi(attribute) else 1


def _item(attribute: Any, index: Any) -> Any:
    position = as_integer(index, "index")
    if position < 1:
        raise ArgumentProblem(
            f"index is {position}; it is 1-based ([S8]: index 0 shouldn't be used)"
        )
    if attribute is None:
        return None
    values = list(attribute) if is_multi(attribute) else [attribute]
    return values[position - 1] if position <= len(values) else None


def _remove_duplicates(attribute: Any) -> Any:
    if not is_multi(attribute):
        return attribute
    unique: list[Any] = []
    for value in attribute:
        if value not in unique:
            unique.append(value)
    return unique


#: The functions for multi-valued attributes, for the registry.
MULTI_VALUED_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("Count(attribute)", 1, 1, _count),
    FunctionSpec("Item(attribute, index)", 2, 2, _item),
    FunctionSpec("RemoveDuplicates(attribute)", 1, 1, _remove_duplicates),
)
