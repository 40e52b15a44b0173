"""The import service: check an uploaded file, carry it to the 2025 communes, save it, manage stored versions.

Plain functions that take the store and the inputs and raise a bilingual DataError (messages from the
catalogue); ui/upload_page.py only draws widgets that call them. ``CheckedUpload`` is what a session keeps
of an upload: counts, problems, how the columns were read and the values carried to 2025, never the bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.indicators.registry import Registry
from geo.ingest.attributes import AttributeResult, extract_attributes, load_attribute_aliases
from geo.ingest.carry import COVERAGE_ORDER, VALUE_COLUMNS, CarryResult, carry_upload
from geo.ingest.crosswalk import Crosswalk
from geo.ingest.headers import HeaderAliases, normalize_header
from geo.ingest.mapping import ColumnMapping, attribute_columns, find_mapping
from geo.ingest.match import CommuneMatcher
from geo.ingest.summary import (
    MODE_ADD,
    ImportSummary,
    check_mode,
    combine_attributes,
    combine_versions,
    summarise_import,
)
from geo.ingest.validate import ValidationResult, validate_upload
from geo.ingest.vocab import BASES, ERA_AUTO, F_CODE, F_OLD_CODE, HELD_CODES, PRE2025_BASES, UNKNOWN_COLUMN
from geo.store.access import check_editor_password
from geo.store.accounts import Account, Accounts, bootstrap_account, refuse_out_of_scope, refuse_unless_editor
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
    attributes: AttributeResult | None = None  # per-commune attributes the file (or a second file) states

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
                 progress: Callable[[float, str], None] | None = None,
                 mappings: Sequence[ColumnMapping] = ()) -> CheckedUpload:
    """Validate a file and carry its valid rows to the 2025 communes; nothing is stored.

    ``mappings``: the user's column mappings (the one for this file's headers is used; see mapping.py)."""
    report = progress or (lambda fraction, step: None)
    report(0.1, "validate")
    result = validate_upload(data, filename, registry, matcher, sheet=sheet.strip() or None, era=era,
                             aliases=aliases, mappings=mappings)
    carried = None
    if len(result.valid_rows):
        report(0.7, "carry")
        carried = carry_upload(result.valid_rows, crosswalk)
    chosen = find_mapping(mappings, result.source.get("signature")) if result.source.get("mapping") else None
    attributes = file_attributes(data, filename, result, sheet=sheet, aliases=aliases, crosswalk=crosswalk,
                                 mapping=chosen)
    if attributes is not None and attributes.found:
        result = _attribute_columns_known(result)
    report(1.0, "done")
    slim = dataclasses.replace(result, valid_rows=result.valid_rows.iloc[0:0])
    return CheckedUpload(sha256=file_digest(data), sheet=sheet.strip(), era=era, filename=filename, size=len(data),
                         result=slim, carried=carried, attributes=attributes)


def file_attributes(data: bytes, filename: str, result: ValidationResult, *, sheet: str, aliases: HeaderAliases,
                    crosswalk: Crosswalk, mapping: ColumnMapping | None = None) -> AttributeResult | None:
    """The attribute columns of the data file itself (as the user's mapping says, when one applied); the
    file is read again only when it has some."""
    attribute_aliases = load_attribute_aliases()
    mapped = None
    if mapping is not None:
        code = next((p for p, col in enumerate(mapping.roles) if F_CODE in col), None)
        old = next((p for p, col in enumerate(mapping.roles) if F_OLD_CODE in col), None)
        mapped = (attribute_columns(mapping.roles), code, old)
    headers = result.columns["column"] if "column" in result.columns else pd.Series(dtype=str)
    if not (mapped and mapped[0]) and not any(normalize_header(h) in attribute_aliases for h in headers):
        return None
    return extract_attributes(data, filename, aliases, set(crosswalk.new_units["code"]), sheet=sheet.strip() or None,
                              attribute_aliases=attribute_aliases, mapped=mapped)


def _attribute_columns_known(result: ValidationResult) -> ValidationResult:
    """Attribute columns are read (geo/ingest/attributes.py): no "unknown column, ignored" warning for them."""
    attribute_aliases = load_attribute_aliases()
    kept = [p for p in result.problems
            if not (p.code == UNKNOWN_COLUMN and normalize_header(p.column or "") in attribute_aliases)]
    dropped = len(result.problems) - len(kept)
    counts = dict(result.counts) | {"warnings": int(result.counts.get("warnings", 0)) - dropped}
    return dataclasses.replace(result, problems=kept, counts=counts)


def check_attributes_file(data: bytes, filename: str, *, aliases: HeaderAliases, crosswalk: Crosswalk,
                          sheet: str = "") -> AttributeResult:
    """A separate attributes file (code + attribute columns); refused when it has no attribute column."""
    found = extract_attributes(data, filename, aliases, set(crosswalk.new_units["code"]), sheet=sheet.strip() or None)
    if not found.found:
        raise error("err.attributes.none_found")
    return found


def with_attributes(checked: CheckedUpload, attributes: AttributeResult) -> CheckedUpload:
    """The upload with a separate file's attributes (they win over the data file's, per commune and field)."""
    if checked.attributes is not None and checked.attributes.found:
        merged = combine_attributes(attributes.frame, checked.attributes.frame, MODE_ADD)
        attributes = dataclasses.replace(attributes, frame=merged,
                                         columns=tuple(dict.fromkeys([*checked.attributes.columns,
                                                                      *attributes.columns])),
                                         problems=[*checked.attributes.problems, *attributes.problems])
    return dataclasses.replace(checked, attributes=attributes)


def needs_confirmation(checked: CheckedUpload) -> list[dict[str, Any]]:
    """What the user must settle before the file can be saved (empty when nothing): never a silent guess.

    ``units``: the app read codes or names as pre-2025 (``old``) or 2025 (``new``) units although nobody
    said so and the lists alone do not tell (a proposal: choose the units);
    ``row``: a row held back (a code in both lists that the name does not settle, a mixed file, a row
    waiting for one of those, a name fitting two communes); ``column``: a column the app did not recognise
    but that looks like a vocabulary entry (the suggestion is shown, never applied)."""
    out: list[dict[str, Any]] = []
    counts, source = checked.counts, checked.result.source
    if checked.era == ERA_AUTO:
        for proposal, key in (("old", "rows_inferred_pre2025"), ("new", "rows_inferred_2025")):
            if counts.get(key, 0):
                out.append({"kind": "units", "proposal": proposal, "rows": int(counts[key])})
    for p in checked.result.problems:
        if p.code in HELD_CODES:
            out.append({"kind": "row", "row": p.row, "column": p.column, "value": p.value, "reason": p.code,
                        "reason_vi": p.message_vi, "reason_en": p.message_en, "candidates": list(p.suggestions)})
    if not source.get("mapping"):
        attribute_aliases = load_attribute_aliases()  # attribute columns are read apart (geo/ingest/attributes)
        for g in checked.result.guesses:
            if g.suggestion and not g.roles and normalize_header(g.header) not in attribute_aliases:
                out.append({"kind": "column", "column": g.header, "position": g.position,
                            "suggestion": list(g.suggestion), "entry": g.suggested_from})
    return out


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

    The attributes list the file's communes plus those an attributes file names, with the attributes the
    upload states (geo/ingest/attributes.py); where it states none the app keeps its derived flags.
    """
    values = checked.values
    out = values[list(VALUE_COLUMNS)].copy()
    out["flags"] = store_flags(values)
    attributes = pd.DataFrame({"code": sorted(values["code"].astype(str).unique())})
    if checked.attributes is not None and checked.attributes.found:
        given = checked.attributes.frame
        attributes = attributes.merge(given, on="code", how="outer", validate="one_to_one")
        attributes = attributes.sort_values("code", ignore_index=True)
    return out.reset_index(drop=True), attributes


def store_flags(values: pd.DataFrame) -> pd.Series:
    """The stored flags text: the coverage level, then ``|mark`` (e.g. ``complete|rate_weighted``)."""
    if "coverage" not in values:
        return pd.Series(pd.NA, index=values.index, dtype=object)
    level = values["coverage"].astype(str)
    marks = values["marks"].fillna("").astype(str) if "marks" in values else pd.Series("", index=values.index)
    return level.where(marks == "", level + "|" + marks)


def require_password(given: str, configured: str | None) -> None:
    """Every write action asks for the editor password; no password configured means no writes."""
    if not configured:
        raise error("store.password_not_configured")
    if not check_editor_password(given or "", configured):
        raise error("store.password_wrong")


@dataclass(frozen=True)
class Editor:
    """Who writes (signed in by the page), where the write is recorded, and how communes map to provinces."""

    account: Account
    accounts: Accounts | None = None  # the audit log; None only for direct calls with the bootstrap password
    province_of: pd.Series | None = None  # 2025 commune code → 2-digit province code (the scope check)
    province_names: dict[str, str] | None = None


def _authorise(editor: Editor | None, password: str, configured: str | None) -> Editor:
    """The signed-in editor, or (no editor given) the bootstrap admin when the password matches."""
    if editor is None:
        require_password(password, configured)
        return Editor(bootstrap_account())
    refuse_unless_editor(editor.account)
    return editor


def _refuse_outside(editor: Editor, codes: Any) -> None:
    if editor.account.provinces is None:
        return
    if editor.province_of is None:  # cannot tell the provinces: refuse rather than guess
        raise error("err.account.no_province_map")
    refuse_out_of_scope(editor.account, codes, editor.province_of, editor.province_names)


def _audit(editor: Editor, action: str, name: str, version: int | None = None, **detail: Any) -> None:
    if editor.accounts is not None:
        editor.accounts.record(editor.account.name, action, dataset=name, version=version, detail=detail)


def save_upload(store: DatasetStore, checked: CheckedUpload | None, *, name: str, uploader: str,
                password: str = "", configured: str | None = None, original: bytes | None, loaded: str,
                editor: Editor | None = None, mode: str = MODE_ADD, confirm_replace: bool = False) -> tuple[str, int]:
    """Save the checked upload as a new version of ``name``; returns (canonical name, version).

    See :func:`save_with_summary` (adding to the stored dataset is the default).
    """
    saved = save_with_summary(store, checked, name=name, uploader=uploader, password=password,
                              configured=configured, original=original, loaded=loaded, editor=editor, mode=mode,
                              confirm_replace=confirm_replace)
    return saved.name, saved.version


@dataclass(frozen=True)
class Saved:
    """A saved version and its import summary against the version it was compared with."""

    name: str
    version: int
    summary: ImportSummary


def dry_run(store: DatasetStore, checked: CheckedUpload | None, name: str, *,
            mode: str = MODE_ADD) -> ImportSummary:
    """The import summary of saving ``checked`` as ``name`` now (nothing is stored)."""
    values = stored_frames(checked)[0] if checked is not None else pd.DataFrame(columns=[*VALUE_COLUMNS, "flags"])
    previous = store.find_latest(normalize_dataset_name(name)) if name.strip() else None
    skipped = checked.carried.skipped if checked is not None and checked.carried is not None else None
    return summarise_import(values, None if previous is None else previous.values, mode=mode,
                            against=None if previous is None else previous.version, skipped=skipped,
                            rows_not_loaded=_rows_not_loaded(checked))


def _rows_not_loaded(checked: CheckedUpload | None) -> int:
    return 0 if checked is None else int(checked.counts.get("rows_with_errors", 0))


def save_with_summary(store: DatasetStore, checked: CheckedUpload | None, *, name: str, uploader: str,
                      password: str = "", configured: str | None = None, original: bytes | None, loaded: str,
                      editor: Editor | None = None, mode: str = MODE_ADD, confirm_replace: bool = False) -> Saved:
    """Save the checked upload as a new version of ``name``, adding to or replacing the latest version.

    Adding keeps the stored values (and attributes) the file does not mention; replacing keeps only the
    file's and must be confirmed. The version's meta records the import summary. An editor limited to
    some provinces may save only when every commune of the file is in them.
    """
    editor = _authorise(editor, password, configured)
    check_mode(mode, confirm_replace)
    if checked is None or checked.values.empty:
        raise error("store.nothing_to_save")
    if checked.result.errors and loaded != LOAD_VALID:
        raise error("store.errors_need_choice")  # a file with errors is never saved whole
    if needs_confirmation(checked):
        raise error("store.needs_confirmation")  # "load only the valid rows" never settles a guess
    if not original or file_digest(original) != checked.sha256:
        raise error("store.need_file")
    name = normalize_dataset_name(name)
    values, attributes = stored_frames(checked)
    _refuse_outside(editor, values["code"])
    previous = store.find_latest(name)
    summary = summarise_import(values, None if previous is None else previous.values, mode=mode,
                               against=None if previous is None else previous.version,
                               skipped=checked.carried.skipped if checked.carried is not None else None,
                               rows_not_loaded=_rows_not_loaded(checked))
    if previous is not None:
        values = combine_versions(values, previous.values, mode)
        attributes = combine_attributes(attributes, previous.attributes, mode)
    # combined with ``previous``: refused when another save came in between (its values would be lost)
    version = store.save_version(name, values=values, attributes=attributes, original_bytes=original,
                                 original_filename=checked.filename, uploader=uploader,
                                 meta=build_meta(checked, loaded) | {"import": summary.to_meta()},
                                 based_on=None if previous is None else previous.version)
    _audit(editor, "save", name, version, file=checked.filename, rows=len(values), mode=mode)
    return Saved(name=name, version=version, summary=summary)


def restore_dataset(store: DatasetStore, name: str, version: int, *, uploader: str, password: str = "",
                    configured: str | None = None, editor: Editor | None = None) -> int:
    """Append a copy of ``version`` as the newest version; returns its number."""
    editor = _authorise(editor, password, configured)
    if editor.account.provinces is not None:
        _refuse_outside(editor, store.load_version(name, version).values["code"])
    new = store.restore_version(name, version, uploader=uploader)
    _audit(editor, "restore", normalize_dataset_name(name), new, restored_from=int(version))
    return new


def delete_dataset(store: DatasetStore, name: str, *, confirm: str, by: str, password: str = "",
                   configured: str | None = None, editor: Editor | None = None) -> None:
    """Soft delete (recoverable); ``confirm`` must repeat the name."""
    editor = _authorise(editor, password, configured)
    if editor.account.provinces is not None:
        _refuse_outside(editor, store.load_version(name).values["code"])
    store.delete_dataset(name, confirm=confirm, by=by)
    _audit(editor, "delete", normalize_dataset_name(name))


def undelete_dataset(store: DatasetStore, name: str, *, password: str = "", configured: str | None = None,
                     editor: Editor | None = None) -> None:
    """Bring a deleted dataset back; only an account for every province may (a deleted one cannot be read)."""
    editor = _authorise(editor, password, configured)
    if editor.account.provinces is not None:
        raise error("err.account.undelete_scope", name=editor.account.name)
    store.undelete_dataset(name)
    _audit(editor, "undelete", normalize_dataset_name(name))


def save_mapping(store: DatasetStore, mapping: ColumnMapping, *, name: str, headers: list[str],
                 password: str = "", configured: str | None = None, editor: Editor | None = None) -> ColumnMapping:
    """Save a confirmed column mapping by name; the next file with the same headers gets it automatically."""
    from geo.store.mappings import open_mappings

    editor = _authorise(editor, password, configured)
    saved = open_mappings(store).save(mapping, name=name, headers=headers, by=editor.account.name)
    if editor.accounts is not None:
        editor.accounts.record(editor.account.name, "mapping_save", detail={"mapping": saved.name})
    return saved


def saved_mappings(store: DatasetStore, *, name: str | None = None) -> list[ColumnMapping]:
    """Every saved mapping (or only ``name``'s) for check_upload, which applies the one for the file's headers."""
    from geo.store.mappings import open_mappings

    found = open_mappings(store)
    if name:
        one = found.get(name)
        if one is None:
            raise error("err.ingest.mapping.not_found", name=name, known=", ".join(found.list_names()) or "—")
        return [one]
    return found.all()
