"""Bulk import of people from CSV or XLSX: validate every row, then write all or nothing.

Columns (docs/residents.md, interfaces.md): ``last_name,first_name,patronymic,birth_date,
rnokpp,phone,email,address``; an optional ``document`` column holds an ID document for a
person without an RNOKPP. Each row is checked (names, date, RNOKPP check digit, phone,
e-mail, address known to the twin, duplicates in the file and in the register); a file with
any bad row writes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from misto.residents.crypto import blind_index
from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.models import Person, Verification
from misto.residents.services import AddressMatch, clean_person, create_person, match_address

COLUMNS = ("last_name", "first_name", "patronymic", "birth_date", "rnokpp", "phone", "email",
           "address")
OPTIONAL_COLUMNS = ("document",)


@dataclass
class RowError:
    row: int  # line number in the file (the header is line 1)
    errors: dict[str, str]

    def __str__(self) -> str:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in self.errors.items())
        return _("row %(row)s: %(reasons)s") % {"row": self.row, "reasons": reasons}


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(ResidentsError):
    """The file as a whole cannot be read (encoding, format, columns); bad rows are
    :class:`RowError` instead, all listed."""

    def __init__(self, message: str) -> None:
        super().__init__(ResidentsCode.BAD_IMPORT_FILE, message)


def _read_csv(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The file is not UTF-8 text.")) from error
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    names = [name.strip().lower() for name in header]
    _check_header(names)
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(names):
            yield number, {"__error__": _("more values than columns")}
            continue
        yield number, dict(zip(names, values, strict=False))


def _read_xlsx(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook  # only for XLSX files: slow to import, rarely needed

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    names = [str(name or "").strip().lower() for name in header]
    _check_header(names)
    for number, values in enumerate(rows, start=2):
        cells = ["" if value is None else _cell(value) for value in values]
        if not any(cells):
            continue
        yield number, dict(zip(names, cells, strict=False))


def _cell(value: Any) -> str:
    if hasattr(value, "date") and callable(value.date):
        return str(value.date().isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_header(names: list[str]) -> None:
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise ImportFileError(_("Missing columns: %(columns)s (expected %(expected)s)") % {
            "columns": ", ".join(missing), "expected": ",".join(COLUMNS)})
    unknown = [name for name in names if name and name not in COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    data = path.read_bytes()
    if path.suffix.lower() in {".xlsx", ".xlsm"} or data[:2] == b"PK":
        return _read_xlsx(data)
    return _read_csv(data)


def import_people(path: Path, *, by: Any = None, basis: str = "") -> ImportReport:
    """Validate every row; import all of them in one transaction, or none."""
    basis = basis or _("bulk import of %(file)s") % {"file": path.name}
    report = ImportReport()
    good: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    addresses: dict[str, AddressMatch | None] = {}
    for number, row in read_rows(path):
        report.rows += 1
        if "__error__" in row:
            report.errors.append(RowError(number, {"row": row["__error__"]}))
            continue
        cleaned, errors = clean_person(row, check_address=False)
        address = cleaned["address"]
        if not address:
            errors["address"] = _("required")
        else:
            if address not in addresses:
                addresses[address] = match_address(address)
            found = addresses[address]
            if found is None:
                errors["address"] = _("unknown address")
            else:
                cleaned.update(address=found.label, address_point_id=found.point_id,
                               district=found.district)
        for kind in ("rnokpp", "document"):
            value = cleaned.get(kind) or ""
            if not value or kind in errors:
                continue
            key = blind_index(kind, value if kind == "rnokpp" else value.casefold())
            if key in seen:
                errors[kind] = _("duplicate of row %(row)s") % {"row": seen[key]}
            elif Person.objects.filter(**{f"{kind}_index": key}).exists():
                errors[kind] = _("duplicate: already in the register")
            else:
                seen[key] = number
        if errors:
            report.errors.append(RowError(number, errors))
        else:
            good.append((number, cleaned))
    if report.errors or not good:
        return report
    with transaction.atomic():
        for _number, cleaned in good:
            create_person(cleaned, by=by, basis=basis, verification=Verification.CLERK,
                          check_address=False)
        report.imported = len(good)
    return report
