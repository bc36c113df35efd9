"""What every process pays at start-up: ``django.setup()`` and the URL tree leave the slow
third-party libraries that only a few functions need (PDFs, spreadsheets, the GTFS-realtime
feeds, geodesics, JSON Schema, passkeys...) to those functions (docs/architecture.md)."""

from __future__ import annotations

import subprocess
import sys

from misto.conftest import ROOT, child_env

# Imported where they are used; any of them back at the top of a services, views or API file
# costs every command and every test's child interpreter its import time again.
LEFT_TO_THEIR_FUNCTIONS = ("reportlab", "openpyxl", "google.protobuf", "google.transit",
                           "jsonschema", "holidays", "phonenumbers", "PIL", "webauthn")


def test_start_up_leaves_slow_libraries_to_the_functions_that_use_them() -> None:
    code = ("import sys, django; django.setup(); import misto.urls; "
            f"print(' '.join(m for m in {LEFT_TO_THEIR_FUNCTIONS!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
