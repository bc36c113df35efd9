"""Settings are read one way (misto.core.config) and every knob read is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from misto.core import config

ROOT = Path(__file__).resolve().parents[3]
READ = re.compile(r'env_(?:str|int|float|bool|list)\(\s*(f?)"([A-Z0-9_]+)(\{)?')
RAW_ENVIRONMENT = re.compile(r"os\.environ\.get\(|os\.getenv\(|getattr\(settings, \"MISTO_")


def _sources() -> list[Path]:
    return [path for path in (ROOT / "misto").rglob("*.py")
            if "tests" not in path.parts and "migrations" not in path.parts]


def test_every_knob_read_is_documented() -> None:
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = []
    for path in _sources():
        for _f, name, templated in READ.findall(path.read_text()):
            wanted = f"`{name}<" if templated else f"`{name}`"
            if wanted not in documented and not (templated and f"`{name}" in documented):
                missing.append(f"{path.relative_to(ROOT)}: {name}")
    assert not missing, "read but not in docs/configuration.md:\n" + "\n".join(missing)


def test_no_module_reads_the_environment_another_way() -> None:
    offenders = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in _sources()
                 if path.name != "config.py"
                 for match in RAW_ENVIRONMENT.finditer(path.read_text())]
    assert not offenders, "\n".join(offenders)


def test_a_django_setting_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTO_TEST_KNOB", "3")
    assert config.env_int("MISTO_TEST_KNOB", 1) == 3
    with override_settings(MISTO_TEST_KNOB=7):
        assert config.env_int("MISTO_TEST_KNOB", 1) == 7
    monkeypatch.delenv("MISTO_TEST_KNOB")
    assert config.env_int("MISTO_TEST_KNOB", 1) == 1


@pytest.mark.parametrize(("reader", "value", "reason"), [
    (lambda: config.env_int("MISTO_TEST_KNOB", 1), "many", "whole number"),
    (lambda: config.env_int("MISTO_TEST_KNOB", 1, minimum=1), "0", "at least 1"),
    (lambda: config.env_float("MISTO_TEST_KNOB", 1.0), "nan", "finite"),
    (lambda: config.env_bool("MISTO_TEST_KNOB"), "perhaps", "1/true"),
])
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, reader, value: str,
                                        reason: str) -> None:
    monkeypatch.setenv("MISTO_TEST_KNOB", value)
    with pytest.raises(ImproperlyConfigured, match=f"MISTO_TEST_KNOB='{value}'.*{reason}"):
        reader()


def test_lists_and_booleans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTO_TEST_KNOB", " a, b ,,c ")
    assert config.env_list("MISTO_TEST_KNOB") == ["a", "b", "c"]
    monkeypatch.setenv("MISTO_TEST_KNOB", "Yes")
    assert config.env_bool("MISTO_TEST_KNOB") is True
    monkeypatch.setenv("MISTO_TEST_KNOB", "off")
    assert config.env_bool("MISTO_TEST_KNOB", default=True) is False
