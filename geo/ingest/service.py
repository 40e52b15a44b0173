"""The import service: check an uploaded file, carry it to the 2025 communes, save it, manage stored versions.

Plain functions that take the store and the inputs and raise a bilingual DataError (messages from the
catalogue); ui/upload_page.py only draws widgets that call them. ``CheckedUpload`` is what a session keeps
of an upload: counts, problems, how the columns were read and the values carried to 2025, never the bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.indicators.registry import Registry
from geo.ingest.carry import COVERAGE_ORDER, VALUE_COLUMNS, CarryResult, carry_upload
from geo.ingest.crosswalk import Crosswalk
from geo.ingest.headers import HeaderAliases
from geo.ingest.match import CommuneMatcher
from geo.ingest.validate import ValidationResult, validate_upload
from geo.ingest.vocab import BASES, PRE2025_BASES
from geo.store.access import check_editor_password
from geo.store.datasets import DatasetStore, normalize_dataset_name
from geo.text.catalogue import error

LOAD_ALL, LOAD_VALID = "all", "valid_only"  # how much of a checked file is saved


@dataclass(frozen=True, eq=False)
class CheckedUpload:
    """What the session keeps of an upload: the validation without its row table, and the carried values."""

    sha256: str
    sheet: str
    era: str
    filename: str
    size: int
    result: ValidationResult  # valid_rows emptied: the carried values below are what counts
    carried: CarryResult | None  # None when no row was valid

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.sha256, self.sheet, self.era)

    @property
    def counts(self) -> dict[str, int]:
        return self.result.counts

    @property
    def pre2025_rows(self) -> int:
        return sum(int(self.counts.get(f"rows_{b}", 0)) for b in PRE2025_BASES)

    @property
    def basis(self) -> str:
        """'2025', 'pre2025' or 'mixed': which communes the file's rows were about."""
        old = self.pre2025_rows
        new = sum(int(self.counts.get(f"rows_{b}", 0)) for b in BASES) - old
        return "mixed" if old and new else ("pre2025" if old else "2025")

    @property
    def values(self) -> pd.DataFrame:
        return self.carried.values if self.carried is not None else pd.DataFrame(columns=list(VALUE_COLUMNS))


def file_digest(data: bytes) -> str:
    """Identity of an upload: the session keeps this, never the bytes."""
    return hashlib.sha256(data).hexdigest()


def check_upload(data: bytes, filename: str, *, sheet: str, era: str, registry: Registry, crosswalk: Crosswalk,
                 matcher: CommuneMatcher, aliases: HeaderAliases,
                 progress: Callable[[float, str], None] | None = None) -> CheckedUpload:
    """Validate a file and carry its valid rows to the 2025 communes; nothing is stored."""
    report = progress or (lambda fraction, step: None)
    report(0.1, "validate")
    result = validate_upload(data, filename, registry, matcher, sheet=sheet.strip() or None, era=era,
                             aliases=aliases)
    carried = None
    if len(result.valid_rows):
        report(0.7, "carry")
        carried = carry_upload(result.valid_rows, crosswalk)
    report(1.0, "done")
    slim = dataclasses.replace(result, valid_rows=result.valid_rows.iloc[0:0])
    return CheckedUpload(sha256=file_digest(data), sheet=sheet.strip(), era=era, filename=filename, size=len(data),
                         result=slim, carried=carried)


def coverage_counts(checked: CheckedUpload) -> dict[str, int]:
    """Commune-years per coverage level (complete / partial / allocated)."""
    cov = checked.carried.coverage if checked.carried is not None else pd.DataFrame(columns=["coverage"])
    found = cov["coverage"].value_counts()
    return {level: int(found.get(level, 0)) for level in COVERAGE_ORDER}


def build_meta(checked: CheckedUpload, loaded: str) -> dict[str, Any]:
    """What a stored version records about where its values came from."""
    values = checked.values
    return {
        "validation": {k: int(v) for k, v in checked.counts.items()},
        "era": checked.era, "basis": checked.basis, "loaded": loaded, "sheet": checked.sheet or None,
        "source": {k: v for k, v in checked.result.source.items() if isinstance(v, str | int | None)},
        "coverage": coverage_counts(checked),
        "skipped": 0 if checked.carried is None else len(checked.carried.skipped),
        "values": len(values), "communes": int(values["code"].nunique()),
        "years": sorted(int(y) for y in values["year"].unique()),
        "indicators": sorted(str(i) for i in values["indicator"].unique()),
    }


def stored_frames(checked: CheckedUpload) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values in the store's format (coverage kept as the row's flag) and an attributes table of codes only.

    Uploads carry no ethnic-minority or border columns, so the attributes only list the communes; the
    app then keeps its derived border flag and leaves the ethnic-minority flag unknown.
    """
    values = checked.values
    out = values[list(VALUE_COLUMNS)].copy()
    out["flags"] = values["coverage"].astype(str) if "coverage" in values else None
    attributes = pd.DataFrame({"code": sorted(values["code"].astype(str).unique())})
    return out.reset_index(drop=True), attributes


def require_password(given: str, configured: str | None) -> None:
    """Every write action asks for the editor password; no password configured means no writes."""
    if not configured:
        raise error("store.password_not_configured")
    if not check_editor_password(given or "", configured):
        raise error("store.password_wrong")


def save_upload(store: DatasetStore, checked: CheckedUpload | None, *, name: str, uploader: str, password: str,
                configured: str | None, original: bytes | None, loaded: str) -> tuple[str, int]:
    """Save the checked upload as a new version of ``name``; returns (canonical name, version)."""
    require_password(password, configured)
    if checked is None or checked.values.empty:
        raise error("store.nothing_to_save")
    if checked.result.errors and loaded != LOAD_VALID:
        raise error("store.errors_need_choice")  # a file with errors is never saved whole
    if not original or file_digest(original) != checked.sha256:
        raise error("store.need_file")
    name = normalize_dataset_name(name)
    values, attributes = stored_frames(checked)
    version = store.save_version(name, values=values, attributes=attributes, original_bytes=original,
                                 original_filename=checked.filename, uploader=uploader,
                                 meta=build_meta(checked, loaded))
    return name, version


def restore_dataset(store: DatasetStore, name: str, version: int, *, uploader: str, password: str,
                    configured: str | None) -> int:
    """Append a copy of ``version`` as the newest version; returns its number."""
    require_password(password, configured)
    return store.restore_version(name, version, uploader=uploader)


def delete_dataset(store: DatasetStore, name: str, *, confirm: str, by: str, password: str,
                   configured: str | None) -> None:
    """Soft delete (recoverable); ``confirm`` must repeat the name."""
    require_password(password, configured)
    store.delete_dataset(name, confirm=confirm, by=by)


def undelete_dataset(store: DatasetStore, name: str, *, password: str, configured: str | None) -> None:
    require_password(password, configured)
    store.undelete_dataset(name)
