"""The function library of Entra attribute-mapping expressions, one module per family.

Every function, its documented signature and its semantics come from Microsoft's
"Reference for writing expressions for attribute mappings in Microsoft Entra ID"
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md,
cited as [S8]); the role functions also from customize-application-attributes.md
"Provisioning a role to a SCIM app" ([S7]). Where [S8] is silent the behaviour
follows the .NET / VBA function Entra names (VB.NET ``DateAndTime.DateDiff`` for
DateDiff, whose rules reproduce every row of [S8]'s DateDiff table), and where
even that is silent the choice is ours and says so.

The families: ``strings``, ``logic``, ``dates``, ``multivalued``, ``identity``
(Guid, RandomString, encodings, Redact) and ``app_roles``. Below them ``spec``
declares how a function is called and ``values`` how its arguments are read; above
them ``registry`` assembles :data:`FUNCTIONS` and validates calls when a mapping is
saved. This module only re-exports the public names.

Nulls. A transforming function returns null for a null source, so an absent
attribute stays absent instead of flowing a made-up value (our choice; [S8] doesn't
say); where [S8] says otherwise (Left, Word, Switch, Join, Coalesce) the family
module says so.
"""

from fake_entra.expressions.functions.dates import (
    DateKind,
    format_dotnet,
    parse_date,
    parse_dotnet,
)
from fake_entra.expressions.functions.registry import (
    FUNCTIONS,
    UNSUPPORTED_FUNCTIONS,
    validate,
)
from fake_entra.expressions.functions.spec import (
    NAMED_CONSTANTS,
    Argument,
    ArgumentProblem,
    FlowIgnored,
    FunctionSpec,
)
from fake_entra.expressions.functions.strings import dotnet_regex
from fake_entra.expressions.functions.values import (
    as_boolean,
    as_integer,
    as_text,
    format_general,
    is_null_or_empty,
)

__all__ = [
    "FUNCTIONS",
    "NAMED_CONSTANTS",
    "UNSUPPORTED_FUNCTIONS",
    "Argument",
    "ArgumentProblem",
    "DateKind",
    "FlowIgnored",
    "FunctionSpec",
    "as_boolean",
    "as_integer",
    "as_text",
    "dotnet_regex",
    "format_dotnet",
    "format_general",
    "is_null_or_empty",
    "parse_date",
    "parse_dotnet",
    "validate",
]
