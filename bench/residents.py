"""Residents: finding a person by RNOKPP in an encrypted register.

Fills the register with ``--size`` people (personal fields encrypted, RNOKPP blind-indexed),
then times look-ups by RNOKPP through the blind index against the baseline a register
without one would need: decrypt every RNOKPP and compare. Also times encrypting people
(the import's write path). Last line: ``ratio=<baseline / blind index>``.

    .venv/bin/python bench/residents.py [--size N]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from common import percentile, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    vendor = setup("residents")

    from django.db import transaction

    from misto.residents import rnokpp
    from misto.residents.crypto import blind_index, decrypt
    from misto.residents.models import Person

    Person.objects.all().delete()
    rng = random.Random(7)
    numbers: list[str] = []
    seen: set[str] = set()
    started = time.perf_counter()
    rows = []
    for i in range(args.size):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(30_000))
        number = rnokpp.make(born, i % 1000, rng.random() < 0.5)
        if number in seen:
            continue
        seen.add(number)
        numbers.append(number)
        rows.append(Person(last_name=f"Бенчмарк{i}", first_name="Тест",
                           birth_date=born.isoformat(), rnokpp=number,
                           rnokpp_index=blind_index("rnokpp", number),
                           phone=f"+38050{i:07d}", address=f"вул. Тестова, {i}"))
    with transaction.atomic():
        Person.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    write_s = time.perf_counter() - started
    print(f"database: {vendor}, people: {Person.objects.count()}")
    print(f"encrypt and write: {args.size / write_s:,.0f} people/s")

    sample = [rng.choice(numbers) for _ in range(args.lookups)]
    indexed = []
    for number in sample:
        t0 = time.perf_counter()
        found = Person.objects.filter(rnokpp_index=blind_index("rnokpp", number)).first()
        indexed.append(time.perf_counter() - t0)
        assert found is not None and found.rnokpp == number
    baseline = []
    tokens = list(Person.objects.values_list("pk", "rnokpp"))  # decrypted by the field
    raw = [(pk, Person._meta.get_field("rnokpp").get_prep_value(value)) for pk, value in tokens]
    for number in sample[: max(5, args.lookups // 20)]:
        t0 = time.perf_counter()
        hit = next(pk for pk, token in raw if decrypt(token) == number)
        baseline.append(time.perf_counter() - t0)
        assert hit
    p50_index = percentile(indexed, 0.5)
    p50_scan = percentile(baseline, 0.5)
    print(f"lookup by blind index: p50 {p50_index * 1000:.2f} ms, "
          f"p95 {percentile(indexed, 0.95) * 1000:.2f} ms")
    print(f"baseline, decrypt-and-compare scan: p50 {p50_scan * 1000:.1f} ms")
    Person.objects.all().delete()
    print(f"ratio={p50_scan / p50_index:.1f}")


if __name__ == "__main__":
    main()
