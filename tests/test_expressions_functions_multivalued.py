"""The functions for multi-valued attributes: Count, Item and RemoveDuplicates.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID").
"""

from __future__ import annotations

from expressions_support import fails_when_evaluated, run


def test_count_item_remove_duplicates() -> None:
    proxies = ["smtp:a@x", "SMTP:b@x", "smtp:a@x"]
    assert run("Count([proxyAddresses])", proxyAddresses=proxies) == 3
    assert run("Count([proxyAddresses])") == 0
    assert run("Count([mail])", mail="a@x") == 1
    # [S8] Item([proxyAddresses], 1) returns the first item; "Index 0 shouldn't be used".
    assert run("Item([proxyAddresses], 1)", proxyAddresses=proxies) == "smtp:a@x"
    assert run("Item([proxyAddresses], 4)", proxyAddresses=proxies) is None
    assert run("Item([proxyAddresses], 1)") is None
    assert fails_when_evaluated("Item([proxyAddresses], 0)", proxyAddresses=proxies).function == (
        "Item"
    )
    assert run("RemoveDuplicates([proxyAddresses])", proxyAddresses=proxies) == [
        "smtp:a@x",
        "SMTP:b@x",
    ]
    assert run("RemoveDuplicates([proxyAddresses])") is None
    assert run('Count(Split("a,b,c", ","))') == 3
