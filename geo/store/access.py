"""Who may change the shared store: the editor password check."""

from __future__ import annotations

import hmac
import unicodedata


def check_editor_password(given: str, configured: str | None) -> bool:
    """True only when an editor password is configured and ``given`` matches it.

    No configured password (None or "") means nobody may save: the UI must then disable uploads,
    restores and deletes instead of silently allowing them. Both sides are NFC-normalised so a
    Vietnamese password typed on any keyboard matches, and compared in constant time on UTF-8 bytes.
    """
    if not configured or not isinstance(given, str) or not given:
        return False
    given_bytes = unicodedata.normalize("NFC", given).encode("utf-8")
    configured_bytes = unicodedata.normalize("NFC", configured).encode("utf-8")
    return hmac.compare_digest(given_bytes, configured_bytes)
