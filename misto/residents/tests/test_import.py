import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from misto.residents import rnokpp
from misto.residents.models import Person, PersonChange

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HEADER = ["last_name", "first_name", "patronymic", "birth_date", "rnokpp", "phone", "email",
          "address"]


def number(serial, born=date(1979, 3, 8)):
    return rnokpp.make(born, serial, female=False)


def good_row(serial, address="вул. Шевченка, 1"):
    return ["Вигаданий", "Петро", "Петрович", "1979-03-08", number(serial), "0671234567",
            f"p{serial}@example.org", address]


def write_csv(tmp_path, rows, header=HEADER, name="people.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("residents", "import", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_good_csv_imports_every_row(city, tmp_path):
    path = write_csv(tmp_path, [good_row(1), good_row(2, "Лесі Українки 5"),
                                good_row(3, "Шевченка, 12")])
    out, _err = run(path)
    assert "3 person(s) imported" in out
    assert Person.objects.count() == 3
    districts = sorted(Person.objects.values_list("district", flat=True))
    assert districts == sorted([city.west, city.west, city.east])
    assert PersonChange.objects.filter(action="created").count() == 3


def test_a_csv_with_errors_reports_every_bad_row_and_imports_nothing(city, tmp_path):
    bad_check = number(5)[:9] + str((int(number(5)[9]) + 1) % 10)
    rows = [
        good_row(1),                                                     # line 2: fine
        [*good_row(2)[:4], bad_check, *good_row(2)[5:]],                 # line 3: check digit
        good_row(3, "вул. Неіснуюча, 404"),                               # line 4: address
        good_row(1),                                                     # line 5: duplicate
        ["", "Ім'я", "", "31.02.1990", number(6), "12", "nope", "Шевченка 1"],  # line 6: many
        good_row(7),                                                     # line 7: fine
    ]
    path = write_csv(tmp_path, rows)
    with pytest.raises(CommandError) as error:
        run(path)
    assert "4 bad row(s) of 6; nothing imported" in str(error.value)
    assert Person.objects.count() == 0
    assert PersonChange.objects.count() == 0


def test_the_report_names_each_row_and_reason(city, tmp_path, capsys):
    bad_check = number(5)[:9] + str((int(number(5)[9]) + 1) % 10)
    rows = [good_row(1), [*good_row(2)[:4], bad_check, *good_row(2)[5:]],
            good_row(3, "вул. Неіснуюча, 404"), good_row(1),
            ["", "Ім'я", "", "31.02.1990", number(6), "12", "nope", "Шевченка 1"]]
    path = write_csv(tmp_path, rows)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("residents", "import", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("row 3:") and "check digit" in line for line in lines)
    assert any(line.startswith("row 4:") and "unknown address" in line for line in lines)
    assert any(line.startswith("row 5:") and "duplicate of row 2" in line for line in lines)
    row6 = next(line for line in lines if line.startswith("row 6:"))
    for field in ("last_name", "birth_date", "phone", "email"):
        assert field in row6
    assert not any(line.startswith("row 2:") for line in lines)


def test_a_person_already_in_the_register_is_a_duplicate(city, tmp_path):
    run(write_csv(tmp_path, [good_row(1)], name="first.csv"))
    with pytest.raises(CommandError):
        run(write_csv(tmp_path, [good_row(2), good_row(1)], name="second.csv"))
    assert Person.objects.count() == 1


def test_missing_columns_and_missing_file(city, tmp_path):
    with pytest.raises(CommandError, match="Missing columns: rnokpp"):
        run(write_csv(tmp_path, [], header=[h for h in HEADER if h != "rnokpp"]))
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.csv")


def test_xlsx_too(city, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = good_row(1)
    row[3] = date(1979, 3, 8)  # a real date cell
    sheet.append(row)
    sheet.append(good_row(2, "Шевченка, 12"))
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    out, _err = run(path)
    assert "2 person(s) imported" in out
    assert Person.objects.get(rnokpp_index__isnull=False, district=city.west).birth_date == \
        "1979-03-08"


def test_semicolon_csv_with_a_document_instead_of_rnokpp(city, tmp_path):
    path = tmp_path / "semicolon.csv"
    path.write_text(";".join([*HEADER, "document"]) + "\n" +
                    "Вигадана;Марія;;1999-09-09;;+380501112233;;Шевченка 1;паспорт АБ 123456\n",
                    encoding="utf-8")
    out, _err = run(path)
    assert "1 person(s) imported" in out
    person = Person.objects.get()
    assert person.rnokpp == "" and person.document == "паспорт АБ 123456"


@pytest.mark.django_db(transaction=True)
def test_the_command_line_exits_non_zero_with_each_bad_row(city, tmp_path):
    """The real ``misto residents import`` process on the test database."""
    import subprocess

    from misto.conftest import ROOT, child_env, misto_command

    bad = write_csv(tmp_path, [good_row(1), good_row(2, "вул. Неіснуюча, 404")])
    result = subprocess.run(misto_command("residents", "import", str(bad)), cwd=ROOT,
                            env=child_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    # The command speaks the default language, Ukrainian.
    assert "рядок 3: address: невідома адреса" in result.stderr
    assert "нічого не імпортовано" in result.stderr
    assert Person.objects.count() == 0
    good = write_csv(tmp_path, [good_row(1)], name="good.csv")
    result = subprocess.run(misto_command("residents", "import", str(good)), cwd=ROOT,
                            env=child_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert Person.objects.count() == 1
