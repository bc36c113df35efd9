"""One word for one thing across the modules' catalogues (issue 15, item 8): a city service
("department": water, green...) is «служба» on every page, the situation centre's and the
sensors' pages as well as the admin's, whatever the capital letter of the source text."""

from __future__ import annotations

from misto.core.tests.test_catalogues import translations

# Source texts naming the same thing, lower-cased: each group's Ukrainian texts agree too.
SAME_THING = [("department", "Department"), ("departments", "Departments")]


def test_a_thing_has_one_ukrainian_word_whatever_its_capital_letter() -> None:
    found = translations()
    for group in SAME_THING:
        texts = {text.lower() for source in group for text in found.get(source, {}).values()}
        assert len(texts) <= 1, (group, texts)
    assert {text.lower() for text in found["Department"].values()} == {"служба"}
