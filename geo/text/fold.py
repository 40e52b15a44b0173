"""The one Vietnamese name folding: every comparison of typed text against reference text goes through here.

Three strengths, because a search box, a header and a commune name need different tolerance:
``fold`` (no case, no diacritics, đ → d: search boxes and headers), ``normalize_name`` (keeps diacritics
but unifies case, punctuation, leading zeros and the tone-mark placement: "Hòa" = "Hoà") and
``fold_name`` (a normalised name with no diacritics and no spaces, the fallback when the marks differ).
Unit types ("Xã", "Phường", "Thị trấn", "Đặc khu") are split off with ``split_unit_type``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
# New-style "hòa" (tone on o) → classic "hoà" (tone on a) when the syllable ends there; same for oe, uy.
# The classic placement is the one the official lists use (Thanh Hoá, Khánh Hoà).
_TONE_MOVE = re.compile(rf"([ou])([{_TONES}])([aey])(?![^\W\d_]|[\u0300-\u036f])")
_NON_WORD = re.compile(r"[\W_]+")
_LEADING_ZEROS = re.compile(r"\b0+(?=\d)")
# Typed unit type → its id, with and without diacritics, longest first.
UNIT_PREFIXES = (
    ("thị trấn", "thi_tran"), ("thi tran", "thi_tran"), ("đặc khu", "dac_khu"), ("dac khu", "dac_khu"),
    ("phường", "phuong"), ("phuong", "phuong"), ("xã", "xa"), ("xa", "xa"),
    ("tt", "thi_tran"),  # official forms write "TT Cao Phong" for Thị trấn Cao Phong
)


def nfc(text: object) -> str:
    """Text in Unicode NFC, so that the same letters typed on macOS (NFD) and Windows compare equal."""
    return unicodedata.normalize("NFC", str(text))


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case- and diacritics-free text (đ → d, single spaces): 'lung cu' finds 'Lũng Cú'."""
    s = unicodedata.normalize("NFD", nfc(text).casefold().replace("đ", "d"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", s).split())


@lru_cache(maxsize=1 << 16)
def normalize_name(text: Any) -> str:
    """Comparison key keeping diacritics: NFC, lower case, classic tone placement, no punctuation."""
    s = unicodedata.normalize("NFD", str(text).casefold())
    s = unicodedata.normalize("NFC", _TONE_MOVE.sub(r"\1\3\2", s))
    s = _LEADING_ZEROS.sub("", _NON_WORD.sub(" ", s))
    return " ".join(s.split())


def searchable(label: str) -> str:
    """A picker label that also matches what is typed without diacritics: 'Lai Châu · lai chau'.

    Streamlit's picker search compares lower-case letters in order, so "lai chau" cannot find "Lai
    Châu"; the folded form after the label can. Labels without diacritics stay as they are.
    """
    label = str(label)
    folded = fold(label)
    return label if folded == " ".join(label.casefold().split()) else f"{label} · {folded}"


def fold_name(key: str) -> str:
    """Diacritics-free, space-free key of a normalised name ("ba đình" → "badinh")."""
    return fold(key).replace(" ", "")


def split_unit_type(key: str) -> tuple[str | None, str]:
    """("xa", "tân lập") from "xã tân lập": the unit type the user typed, if any, and the bare name."""
    for prefix, kind in UNIT_PREFIXES:
        if key.startswith(prefix + " "):
            return kind, key[len(prefix) + 1:]
    return None, key


def strip_words(key: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...] = ()) -> str:
    """A normalised key without its first matching leading word(s) and trailing word(s)."""
    for prefix in prefixes:
        if key.startswith(prefix + " "):
            key = key[len(prefix) + 1:]
            break
    for suffix in suffixes:
        if key.endswith(" " + suffix):
            key = key[: -len(suffix) - 1]
            break
    return key
