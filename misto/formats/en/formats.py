"""English dates for a Ukrainian city: day, month name, year ("5 Dec 2026") and a 24-hour
clock, never the US month/day order ("12/05/2026", "6:17 a.m.") that Django's plain "en"
gives: a resident reading 05/12 cannot tell which is the month. Numbers keep Django's English
separators; the Ukrainian formats are Django's own (``5 грудня 2026 р.``, ``05.12.2026``)."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Ukraine
# Forms read ISO dates first (the date inputs send them), then the day-first forms.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d %b %Y", "%d/%m/%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
                          "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
