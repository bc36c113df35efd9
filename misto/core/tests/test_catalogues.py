"""One source text, one Ukrainian text, across every module's catalogue.

Django merges the modules' catalogues into one, and for a source text several modules
translate, the first installed module's translation wins everywhere: a new module translating
"Status" as «Статус» silently renamed every «Стан» of the modules installed after it (issue 15,
item 8, found by the demo-city walk). A text with two meanings takes a context instead
(``pgettext_lazy("kind of appeal", "application")``).
"""

from __future__ import annotations

import gettext
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Texts translated differently by modules today; each is reviewed and then removed from this
# list (the test fails when one is consistent again, so the list cannot outlive its reason).
KNOWN: set[str] = set()


def translations() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for mo in sorted(ROOT.glob("*/locale/uk/LC_MESSAGES/django.mo")):
        with mo.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        for source, text in catalogue.items():
            if isinstance(source, str) and source and text:
                found[source][mo.parts[-5]] = text
    return found


def test_a_source_text_has_one_translation_across_modules() -> None:
    differing = {source for source, texts in translations().items()
                 if len(set(texts.values())) > 1}
    new = sorted(differing - KNOWN)
    assert not new, "translated differently by modules (align them, or add a context): " + \
        "; ".join(f"{s!r}: {dict(translations()[s])}" for s in new)
    assert not KNOWN - differing, f"consistent now, remove from KNOWN: {sorted(KNOWN - differing)}"
