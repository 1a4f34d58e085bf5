"""What the reports show of an artifact, made safe: the one redaction routine lives in
:mod:`harness.redaction` (masking by value and by pattern); this module only names it for
the report modules, with :func:`esc` for HTML."""

from __future__ import annotations

from harness.redaction import (
    MASK,
    esc,
    header_pairs,
    redact,
    redact_header,
    redact_text,
    redacted_query,
)

__all__ = [
    "MASK",
    "esc",
    "header_pairs",
    "redact",
    "redact_header",
    "redact_text",
    "redacted_query",
]
