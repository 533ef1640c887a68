"""Names of parameters: TD's rule for custom parameter names and its wildcard name patterns.

Custom parameter names are ENFORCED: TD's docs say creation fails with an error when the first
letter is not uppercase, and custom names are "one capital then lowercase letters or digits"
(no underscores, spaces or later capitals). The mock raises ``tdError`` for any other name
(UNCONFIRMED: whether TD raises or silently lower-cases a later capital, e.g. ``MyPar``).
``appendParGroup`` normalises the name into that casing instead, as TD's docs say.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from mock_td import messages as msg
from mock_td.errors import tdError

_CUSTOM_NAME = re.compile(r"^[A-Z][a-z0-9]*$")


def check_custom_par_name(name: Any) -> str:
    """Return ``name`` if it is a valid custom parameter name, else raise tdError saying why."""
    if not isinstance(name, str) or not _CUSTOM_NAME.match(name):
        suggestion = normalise_custom_name(str(name)) or "Myparameter"
        raise tdError(msg.CUSTOM_PAR_NAME.format(name=name, suggestion=suggestion))
    return name


def normalise_custom_name(name: str) -> str:
    """``'my_par 2'`` -> ``'Mypar2'``: TD's custom casing with invalid characters dropped."""
    kept = "".join(ch for ch in name if ch.isascii() and ch.isalnum())
    kept = kept.lstrip("0123456789")
    return kept[:1].upper() + kept[1:].lower()


def match_names(names: list[str], patterns: tuple[str, ...]) -> list[str]:
    """Names matching any of TD's wildcard ``patterns`` (space-separated patterns allowed)."""
    flat = [p for pattern in patterns for p in str(pattern).split()]
    if not flat:
        return list(names)
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in flat)]
