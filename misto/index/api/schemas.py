"""The index API's typed shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.:-]+$")]
PeriodCode = Annotated[str, Field(min_length=4, max_length=7)]
District = Annotated[str, Field(max_length=32, pattern=r"^[A-Z0-9]*$")]
Year = Annotated[int, Field(ge=2000, le=2100)]


class LineageOut(Schema):
    """How a value was obtained. Computed: the function, its version and the rows it
    counted; entered or imported: the source document (the person only on staff routes)."""

    method: str
    function: str
    function_version: int | None
    inputs: int | None
    source: str
    recorded_at: datetime
    superseded_at: datetime | None
    entered_by: str | None = None


class ValueOut(Schema):
    id: int
    period: str
    district: str
    value: float
    lineage: LineageOut


class IndicatorOut(Schema):
    code: str
    name: str
    name_uk: str
    name_en: str
    theme: str
    unit: str
    direction: str
    framework: str
    reference: str
    method: str
    department: str
    latest: ValueOut | None


class IndicatorDetailOut(IndicatorOut):
    definition: str
    formula: str
    min_value: float | None
    max_value: float | None
    goal_worst: float | None
    goal_best: float | None
    weight: float
    targets: dict[str, float]


class ValuesOut(Schema):
    code: str
    period: str | None
    district: str | None
    values: list[ValueOut]
    history: list[ValueOut]


class PartOut(Schema):
    code: str
    value: float
    score: float
    weight: float


class ThemeOut(Schema):
    theme: str
    label: str
    score: float | None
    coverage: float
    confidence: str
    scored: int
    total: int
    parts: list[PartOut]


class CompositeOut(Schema):
    period: str
    district: str
    overall: float | None
    coverage: float
    confidence: str
    method: str
    themes: list[ThemeOut]


class CoverageRowOut(Schema):
    code: str
    method: str
    available: bool
    periods: dict[str, bool]


class ReportOut(Schema):
    id: int
    year: int
    generated_at: datetime
    planned: int
    achieved: int
    missing: int
    pdf: str
    xlsx: str


class EntryIn(Schema):
    code: Code
    period: PeriodCode
    value: float
    source: str = Field(max_length=300)


class TargetIn(Schema):
    code: Code
    year: Year
    value: float
    source: str = Field("", max_length=300)


class TargetOut(Schema):
    code: str
    year: int
    value: float
    source: str


class ReportIn(Schema):
    year: Year


class ComputeIn(Schema):
    period: PeriodCode
    by_district: bool = True


class ComputeOutcomeOut(Schema):
    period: str
    computed: int
    changed: int
    empty: list[str]
    unavailable: list[str]


class IndicatorImportOut(Schema):
    imported: int
