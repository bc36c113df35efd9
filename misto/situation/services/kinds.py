"""Incident kinds and the rules that map a signal to one.

Kept apart because a city edits them (the defaults are only created when missing) and every
signal is classified through :func:`kind_for` before it is correlated; the figures reuse the
air and noise quantities to group environmental sensors.
"""

from __future__ import annotations

from typing import Any

from misto.situation.models import IncidentKind, KindRule, RuleSource, Severity

AIR_QUANTITIES = {"pm25", "pm2_5", "pm10", "aqi", "no2", "o3", "so2", "co"}
NOISE_QUANTITIES = {"noise", "noise_db", "laeq", "lamax", "sound_level"}


DEFAULT_KINDS: list[dict[str, Any]] = [
    # code, titles, department, severity, radius, window, response and resolution targets
    {"code": "water", "title_uk": "Водопостачання і каналізація", "title_en": "Water and sewer",
     "department": "water", "radius_m": 200, "window_minutes": 360,
     "response_target_minutes": 60, "resolution_target_minutes": 720, "color": "#1971c2"},
    {"code": "heating", "title_uk": "Теплопостачання", "title_en": "Heating",
     "department": "heating", "radius_m": 250, "window_minutes": 360,
     "response_target_minutes": 45, "resolution_target_minutes": 720, "color": "#e8590c"},
    {"code": "power", "title_uk": "Електропостачання й освітлення",
     "title_en": "Power and street lighting", "department": "light", "radius_m": 200,
     "window_minutes": 240, "response_target_minutes": 60,
     "resolution_target_minutes": 480, "color": "#f59f00"},
    {"code": "roads", "title_uk": "Дороги й тротуари", "title_en": "Roads and pavements",
     "department": "roads", "radius_m": 100, "window_minutes": 1440,
     "response_target_minutes": 240, "resolution_target_minutes": 4320, "color": "#5c5f66"},
    {"code": "waste", "title_uk": "Відходи й прибирання", "title_en": "Waste and cleaning",
     "department": "waste", "radius_m": 80, "window_minutes": 720,
     "response_target_minutes": 120, "resolution_target_minutes": 720, "color": "#2f9e44"},
    {"code": "trees", "title_uk": "Зелені насадження", "title_en": "Trees and greenery",
     "department": "green", "radius_m": 50, "window_minutes": 720,
     "response_target_minutes": 120, "resolution_target_minutes": 1440, "color": "#5c940d"},
    {"code": "air", "title_uk": "Якість повітря", "title_en": "Air quality",
     "department": "ecology", "radius_m": 1000, "window_minutes": 180,
     "response_target_minutes": 60, "resolution_target_minutes": 480, "color": "#7048e8"},
    {"code": "noise", "title_uk": "Шум", "title_en": "Noise", "department": "ecology",
     "radius_m": 300, "window_minutes": 120, "response_target_minutes": 60,
     "resolution_target_minutes": 240, "color": "#ae3ec9"},
    {"code": "flooding", "title_uk": "Підтоплення", "title_en": "Flooding",
     "department": "water", "radius_m": 300, "window_minutes": 240,
     "response_target_minutes": 30, "resolution_target_minutes": 480, "color": "#1098ad"},
    {"code": "device", "title_uk": "Несправність датчика", "title_en": "Device failure",
     "department": "it", "radius_m": 10, "window_minutes": 1440,
     "default_severity": Severity.INFO, "response_target_minutes": 240,
     "resolution_target_minutes": 2880, "color": "#868e96"},
    {"code": "overdue_answer", "title_uk": "Прострочена відповідь мешканцям",
     "title_en": "Residents waiting past a legal deadline", "department": "",
     "radius_m": 10, "window_minutes": 60, "default_severity": Severity.WARNING,
     "response_target_minutes": 480, "resolution_target_minutes": 2880, "color": "#862e9c"},
    {"code": "transport", "title_uk": "Перевантажений громадський транспорт",
     "title_en": "Overloaded public transport", "department": "transport", "radius_m": 10,
     "window_minutes": 120, "default_severity": Severity.WARNING,
     "response_target_minutes": 15, "resolution_target_minutes": 120, "color": "#1c7ed6"},
    {"code": "fuel_drain", "title_uk": "Злив пального зі службового автомобіля",
     "title_en": "Fuel drained from a municipal vehicle", "department": "transport",
     "radius_m": 10, "window_minutes": 60, "default_severity": Severity.WARNING,
     "response_target_minutes": 60, "resolution_target_minutes": 1440, "color": "#e8590c"},
    {"code": "other", "title_uk": "Інше", "title_en": "Other", "department": "",
     "radius_m": 50, "window_minutes": 120, "response_target_minutes": 240,
     "resolution_target_minutes": 4320, "color": "#c92a2a"},
]

DEFAULT_RULES: list[tuple[str, str, str]] = [
    (RuleSource.OVERDUE_ANSWER, "", "overdue_answer"),
    (RuleSource.TRANSIT_OVERLOAD, "", "transport"),
    (RuleSource.FUEL_DRAIN, "", "fuel_drain"),
    (RuleSource.REPORT_CATEGORY, "water", "water"),
    (RuleSource.REPORT_CATEGORY, "water_leak", "water"),
    (RuleSource.REPORT_CATEGORY, "sewer", "water"),
    (RuleSource.REPORT_CATEGORY, "heating", "heating"),
    (RuleSource.REPORT_CATEGORY, "streetlight", "power"),
    (RuleSource.REPORT_CATEGORY, "lighting", "power"),
    (RuleSource.REPORT_CATEGORY, "power", "power"),
    (RuleSource.REPORT_CATEGORY, "pothole", "roads"),
    (RuleSource.REPORT_CATEGORY, "roads", "roads"),
    (RuleSource.REPORT_CATEGORY, "waste", "waste"),
    (RuleSource.REPORT_CATEGORY, "garbage", "waste"),
    (RuleSource.REPORT_CATEGORY, "noise", "noise"),
    (RuleSource.REPORT_CATEGORY, "air", "air"),
    (RuleSource.REPORT_CATEGORY, "flooding", "flooding"),
    # The reports module's demo categories (its leaves).
    (RuleSource.REPORT_CATEGORY, "water-leak", "water"),
    (RuleSource.REPORT_CATEGORY, "hydrant", "water"),
    (RuleSource.REPORT_CATEGORY, "no-heating", "heating"),
    (RuleSource.REPORT_CATEGORY, "streetlight-out", "power"),
    (RuleSource.REPORT_CATEGORY, "pole-damaged", "power"),
    (RuleSource.REPORT_CATEGORY, "manhole-open", "roads"),
    (RuleSource.REPORT_CATEGORY, "bin-full", "waste"),
    (RuleSource.REPORT_CATEGORY, "tree-fallen", "trees"),
    (RuleSource.REPORT_CATEGORY, "tree-dangerous", "trees"),
    (RuleSource.REPORT_CATEGORY, "", "other"),
    (RuleSource.IOT_QUANTITY, "water_pressure", "water"),
    (RuleSource.IOT_QUANTITY, "pressure", "water"),
    (RuleSource.IOT_QUANTITY, "water_flow", "water"),
    (RuleSource.IOT_QUANTITY, "water_level", "flooding"),
    (RuleSource.IOT_QUANTITY, "supply_temperature", "heating"),
    (RuleSource.IOT_QUANTITY, "heat_temperature", "heating"),
    (RuleSource.IOT_QUANTITY, "voltage", "power"),
    (RuleSource.IOT_QUANTITY, "current", "power"),
    (RuleSource.IOT_QUANTITY, "fill_level", "waste"),
    (RuleSource.IOT_QUANTITY, "noise", "noise"),
    (RuleSource.IOT_QUANTITY, "noise_db", "noise"),
    (RuleSource.IOT_QUANTITY, "laeq", "noise"),
    # The iot module's quantity codes (compared lower-cased).
    (RuleSource.IOT_QUANTITY, "fillinglevel", "waste"),
    (RuleSource.IOT_QUANTITY, "powerconsumption", "power"),
    (RuleSource.IOT_QUANTITY, "illuminance", "power"),
    (RuleSource.IOT_QUANTITY, "battery", "device"),
    (RuleSource.IOT_QUANTITY, "", "other"),
    *[(RuleSource.IOT_QUANTITY, q, "air") for q in sorted(AIR_QUANTITIES)],
    (RuleSource.DEVICE_OFFLINE, "", "device"),
    (RuleSource.CONTAINER_FULL, "", "waste"),
    (RuleSource.OUTAGE, "water", "water"),
    (RuleSource.OUTAGE, "heating", "heating"),
    (RuleSource.OUTAGE, "power", "power"),
    (RuleSource.OUTAGE, "", "other"),
]


def ensure_default_kinds() -> int:
    """Create the default kinds and rules that are missing (never overwrites a city's edits);
    returns how many rows were created."""
    created = 0
    kinds: dict[str, IncidentKind] = {}
    for spec in DEFAULT_KINDS:
        defaults = {key: value for key, value in spec.items() if key != "code"}
        kind, was_created = IncidentKind.objects.get_or_create(code=spec["code"],
                                                               defaults=defaults)
        kinds[kind.code] = kind
        created += was_created
    for source, value, code in DEFAULT_RULES:
        _rule, was_created = KindRule.objects.get_or_create(
            source=source, value=value, defaults={"kind": kinds[code]})
        created += was_created
    return created


def kind_for(source: str, value: str) -> IncidentKind:
    """The incident kind for a signal: the exact rule, else the source's catch-all rule,
    else the kind ``other``."""
    value = (value or "").strip().lower()
    rules = {rule.value: rule for rule in
             KindRule.objects.filter(source=source, value__in=[value, ""]).select_related("kind")}
    rule = rules.get(value) or rules.get("")
    if rule is not None:
        return rule.kind
    ensure_default_kinds()
    return IncidentKind.objects.get(code="other")
