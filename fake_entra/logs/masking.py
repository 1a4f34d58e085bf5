"""Secret Tokens kept out of the provisioning logs.

A target may echo the credential in an error ``detail`` ("Bearer <token> is not valid"), and
the error's text goes into ``additionalDetails``; the log, its JSON and CSV exports and the
reports built on them must never show a Secret Token. The log masks every entry it writes
with :func:`without_secrets`.
"""

from __future__ import annotations

import operator
from collections.abc import Set
from dataclasses import replace

from fake_entra.logs.records import ProvisioningObjectSummary

#: What a masked Secret Token reads as in an entry (the traffic recorder writes the same).
MASKED_SECRET = "***"
#: Shorter values are not masked: blanking a short word everywhere would garble the text.
MIN_SECRET_LENGTH = 8


def without_secrets(
    entry: ProvisioningObjectSummary, secrets: Set[str]
) -> ProvisioningObjectSummary:
    """``entry`` with every secret in its error or steps masked; ``entry`` itself when none is.

    Only the texts that come from the target's answers are searched: the error and the steps.
    """
    if not _may_leak(entry, secrets):
        return entry
    error = entry.error
    if error is not None and (
        _leaks(error.reason, secrets) or _leaks(error.additional_details, secrets)
    ):
        error = replace(
            error,
            reason=_masked(error.reason, secrets),
            additional_details=error.additional_details
            and _masked(error.additional_details, secrets),
        )
    steps = tuple(
        replace(
            step,
            text=_masked(step.description, secrets),
            args=None,
            details={key: _masked(value, secrets) for key, value in step.details.items()},
        )
        if _leaks(step.description, secrets)
        or any(_leaks(value, secrets) for value in step.details.values())
        else step
        for step in entry.provisioning_steps
    )
    if error is entry.error and all(map(operator.is_, steps, entry.provisioning_steps)):
        return entry
    return replace(entry, error=error, provisioning_steps=steps)


def _masked(text: str, secrets: Set[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASKED_SECRET)
    return text


def _leaks(text: str | None, secrets: Set[str]) -> bool:
    return text is not None and any(secret in text for secret in secrets)


def _may_leak(entry: ProvisioningObjectSummary, secrets: Set[str]) -> bool:
    """Whether a secret may be in the entry's error or steps: False only when none is.

    One search per secret over all the texts joined, instead of one per text: a
    secret inside one text is inside the joined ones, so a miss is certain; a hit
    (possibly across two texts) sends the entry through the exact check.
    """
    texts: list[str] = []
    error = entry.error
    if error is not None:
        texts.append(error.reason)
        if error.additional_details is not None:
            texts.append(error.additional_details)
    for step in entry.provisioning_steps:
        texts.append(step.description)
        details = step.details
        if details:  # most steps share the empty NO_DETAILS
            texts.extend(details.values())
    try:
        joined = "\0".join(texts)
    except TypeError:
        return True  # a text that is not a str: the exact check decides
    # map, not a generator: this runs for every entry written.
    return any(map(joined.__contains__, secrets))
