"""The NGSI-LD API's typed query parameters and answers (ETSI GS CIM 009's names)."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, Field

from misto.core.schemas import ErrorOut

MAX_LIMIT = 1000


class ProblemDetails(Schema):
    """NGSI-LD's error body (RFC 7807 ProblemDetails with the standard's error types)."""

    type: str = Field(examples=["https://uri.etsi.org/ngsi-ld/errors/BadRequestData"])
    title: str
    detail: str
    status: int


# A NUL byte in the query is refused by the site's middleware before NGSI-LD sees it, in
# the platform's own error body: the 400 answer is one or the other.
BadRequest = ProblemDetails | ErrorOut


class Entity(Schema):
    """An NGSI-LD entity: ``id``, ``type`` and one member per attribute (a Property, a
    GeoProperty or a Relationship; plain values with ``options=keyValues``)."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str


class EntitiesQuery(Schema):
    type: str | None = Field(None, description="Entity types, comma-separated.")
    id: str | None = Field(None, description="Entity ids, comma-separated.")
    id_pattern: str | None = Field(None, alias="idPattern",
                                   description="A regular expression over entity ids.")
    q: str | None = Field(None, description="The NGSI-LD query language (; | comparisons, "
                                            "ranges a..b, lists a,b, ~= patterns).")
    attrs: str | None = Field(None, description="Attributes to keep, comma-separated.")
    georel: str | None = Field(None, description="near;maxDistance==<m> or "
                                                 "near;minDistance==<m>")
    geometry: str | None = Field(None, description="Point")
    coordinates: str | None = Field(None, description="[lon, lat] as JSON")
    limit: int = Field(20, ge=0, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10**9)
    count: bool = Field(False, description="Answer the total in NGSILD-Results-Count.")
    options: str = Field("", description="keyValues")
    format: str | None = Field(None, description="simplified (as options=keyValues)")


class EntityQuery(Schema):
    attrs: str | None = None
    options: str = Field("", description="keyValues")


class TemporalQuery(Schema):
    timerel: str | None = Field(None, description="before, after or between")
    time_at: str | None = Field(None, alias="timeAt", description="ISO 8601 with a zone")
    end_time_at: str | None = Field(None, alias="endTimeAt",
                                    description="ISO 8601 with a zone (between)")
    attrs: str | None = None
    last_n: int = Field(0, alias="lastN", ge=0, le=10_000,
                        description="The newest n instances per attribute (0: up to 1000).")
    options: str = Field("", description="temporalValues")


def options(text: str) -> set[str]:
    return {part for part in text.split(",") if part}

