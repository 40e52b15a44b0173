"""The one dataset key: ``name@version`` names one dataset version (cache keys, URLs, exports)."""

from __future__ import annotations

SEPARATOR = "@"


def dataset_key(name: str, version: int | None) -> str:
    """``"Dữ liệu 2024@3"``; ``"name@"`` for a dataset that has no stored version (preview, illustrative)."""
    return f"{name}{SEPARATOR}{'' if version is None else int(version)}"


def parse_dataset_key(key: str) -> tuple[str, int | None]:
    """(name, version) from :func:`dataset_key`; a name may itself contain '@', so split at the last one."""
    name, sep, version = key.rpartition(SEPARATOR)
    if not sep or not (version == "" or version.isdigit()):
        raise ValueError(f"not a dataset key: {key!r}")
    return name, int(version) if version else None
