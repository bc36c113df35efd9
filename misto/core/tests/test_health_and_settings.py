"""Health endpoints, settings from the environment, the deploy check, the scheduler."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from misto.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    body = client.get("/readyz").json()
    assert body == {"ready": True, "checks": {"database": "ok"}}


def test_readyz_checks_configured_brokers(client: Client, settings) -> None:
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "mqtt": "ok", "redis": "ok"}


def test_readyz_reports_a_broker_that_is_down(client: Client, settings) -> None:
    settings.MQTT_URL = "mqtt://127.0.0.1:1"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["mqtt"].startswith("error:")


def test_metrics_are_prometheus_text(client: Client, settings) -> None:
    settings.MISTO_METRICS_TOKEN = "scrape-token"
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"misto_http_requests_total" in response.content
    assert b'misto_event_deliveries{status="dead"} 0.0' in response.content


def run_misto(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "misto.settings"}
    return subprocess.run(
        [sys.executable, "-m", "misto.cli", *args], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path) -> None:
    result = run_misto("check", MISTO_PRODUCTION="1", MISTO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_passes_with_production_settings(tmp_path) -> None:
    result = run_misto(
        "check", "--deploy", "--fail-level", "WARNING", MISTO_PRODUCTION="1",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        MISTO_LEDGER_KEY=base64.b64encode(os.urandom(32)).decode(),
        MISTO_FIELD_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        MISTO_BLIND_INDEX_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        ALLOWED_HOSTS="misto.example.ua", MISTO_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_generated_once_outside_production(tmp_path) -> None:
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {"MISTO_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "DJANGO_SETTINGS_MODULE": "misto.settings"}
    first = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=True).stdout
    second = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True).stdout
    assert first == second and len(first.strip()) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_bad_database_url_is_a_clear_error(tmp_path) -> None:
    result = run_misto("check", DATABASE_URL="mysql://x@y/z", MISTO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DATABASE_URL must start with spatialite:// or postgis://" in result.stderr


def test_scheduler_enqueues_each_slot_once() -> None:
    from django_tasks_db.models import DBTaskResult

    from misto.core.models import ScheduledRun
    from misto.core.runtime import enqueue_due_jobs

    now = datetime(2026, 11, 24, 12, 1, tzinfo=UTC)
    assert "sample.tick" in enqueue_due_jobs(now)
    assert "sample.tick" not in enqueue_due_jobs(now + timedelta(minutes=1))  # same slot
    assert "sample.tick" in enqueue_due_jobs(now + timedelta(minutes=5))  # next slot
    assert ScheduledRun.objects.filter(job="sample.tick").count() == 2
    assert DBTaskResult.objects.filter(task_path__endswith="sample_module.tasks.tick").count() == 2
