"""Errors a user can act on: each carries a Vietnamese and an English message and the fix."""

from __future__ import annotations


class DataError(Exception):
    """A problem with input data or configuration, explained in both languages with what to do."""

    def __init__(self, vi: str, en: str, fix_vi: str = "", fix_en: str = "") -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.fix_vi = fix_vi
        self.fix_en = fix_en

    def message(self, lang: str = "vi") -> str:
        text, fix = (self.vi, self.fix_vi) if lang == "vi" else (self.en, self.fix_en)
        return f"{text} {fix}".strip()
