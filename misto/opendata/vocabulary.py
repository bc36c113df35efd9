"""The EU Publications Office's authority tables the catalogue uses (themes, licences),
with the labels harvesters and the portal show."""

# Data themes (http://publications.europa.eu/resource/authority/data-theme/): code -> (uk, en).
THEMES = {
    "AGRI": ("Сільське господарство, рибальство, лісове господарство і харчування",
             "Agriculture, fisheries, forestry and food"),
    "ECON": ("Економіка і фінанси", "Economy and finance"),
    "EDUC": ("Освіта, культура і спорт", "Education, culture and sport"),
    "ENER": ("Енергетика", "Energy"),
    "ENVI": ("Довкілля", "Environment"),
    "GOVE": ("Уряд і державний сектор", "Government and public sector"),
    "HEAL": ("Здоров'я", "Health"),
    "INTR": ("Міжнародні питання", "International issues"),
    "JUST": ("Юстиція, правова система і громадська безпека",
             "Justice, legal system and public safety"),
    "REGI": ("Регіони і міста", "Regions and cities"),
    "SOCI": ("Населення і суспільство", "Population and society"),
    "TECH": ("Наука і технології", "Science and technology"),
    "TRAN": ("Транспорт", "Transport"),
}

# Licence id -> (title, deed URL, EU authority URI).
LICENCES = {"CC-BY-4.0": ("Creative Commons Attribution 4.0",
                          "https://creativecommons.org/licenses/by/4.0/",
                          "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")}

# Update frequencies (http://publications.europa.eu/resource/authority/frequency/) the
# declarations use: code -> (uk, en).
FREQUENCIES = {
    "HOURLY": ("щогодини", "hourly"), "DAILY": ("щодня", "daily"),
    "WEEKLY": ("щотижня", "weekly"), "MONTHLY": ("щомісяця", "monthly"),
    "QUARTERLY": ("щокварталу", "quarterly"), "ANNUAL": ("щороку", "annually"),
    "IRREG": ("нерегулярно", "irregularly"),
}
