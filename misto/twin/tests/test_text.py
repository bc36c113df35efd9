import pytest

from misto.twin.text import (
    english_street_name,
    house_key,
    normalise_number,
    search_key,
    similarity,
    split_house,
    street_score,
    transliterate,
)


@pytest.mark.parametrize(("cyrillic", "latin"), [
    # Examples from the KMU 2010 table itself.
    ("Алушта", "alushta"), ("Згорани", "zghorany"), ("Розгон", "rozghon"),
    ("Єнакієве", "yenakiieve"), ("Наталія", "nataliia"), ("Їжакевич", "yizhakevych"),
    ("Кадиївка", "kadyivka"), ("Йосипівка", "yosypivka"), ("Стрий", "stryi"),
    ("Юрій", "yurii"), ("Корюківка", "koriukivka"), ("Яготин", "yahotyn"),
    ("Костянтин", "kostiantyn"), ("Щербухи", "shcherbukhy"), ("Гоща", "hoshcha"),
    ("Короп'є", "koropie"), ("Знам'янка", "znamianka"), ("Гадяч", "hadiach"),
    ("Ґалаґан", "galagan"), ("Хуст", "khust"), ("Ужгород", "uzhhorod"),
])
def test_kmu_2010_transliteration(cyrillic, latin):
    assert transliterate(cyrillic) == latin


@pytest.mark.parametrize("spelling", [
    "В'ячеслава Чорновола", "В’ячеслава Чорновола", "Вʼячеслава Чорновола",
    "В`ячеслава Чорновола", "Вячеслава Чорновола", "вул. В'ячеслава Чорновола",
    "Viacheslava Chornovola", "vulytsia Viacheslava Chornovola",
])
def test_every_spelling_meets_on_one_key(spelling):
    assert search_key(spelling) == "viacheslava chornovola"


def test_house_numbers_and_numbers():
    assert split_house(search_key("Шевченка 12а")) == ("shevchenka", "12a")
    assert split_house(search_key("12 Шевченка")) == ("shevchenka", "12")
    assert split_house("shevchenka") == ("shevchenka", "")
    assert house_key("12-А") == house_key("12а") == "12a"
    assert normalise_number(" 12 0457 ") == "12-0457"
    assert normalise_number("12–0457") == "12-0457"


def test_typos_score_above_unrelated_streets():
    assert similarity("shevchenka", "shevchenka") == 1.0
    typo = street_score(search_key("Шевчнка"), "shevchenka")
    other = street_score(search_key("Шевчнка"), "lesi ukrainky")
    assert typo > 0.35 > other
    assert street_score("ukrainky", "lesi ukrainky") > 0.6


@pytest.mark.parametrize(("name", "kind", "english"), [
    ("Лесі Українки", "вулиця", "Lesi Ukrainky Street"),
    ("Квітки-Основ'яненка", "вулиця", "Kvitky-Osnovianenka Street"),
    ("Героїв Мариуполя", "вулиця", "Heroiv Maryupolia Street"),
    ("Соборний проспект", "проспект", "Sobornyi Avenue"),
    ("бульвар Свободи", "бульвар", "Svobody Boulevard"),
    ("Згурівська", "вулиця", "Zghurivska Street"),  # "зг" is "zgh" (KMU 2010)
    ("Ярослава Мудрого", "вулиця", "Yaroslava Mudroho Street"),
    ("Європейська", "узвіз", "Yevropeiska"),  # a type without an English word: name only
])
def test_a_streets_english_name_is_its_kmu_transliteration(name: str, kind: str,
                                                            english: str) -> None:
    assert english_street_name(name, kind) == english
