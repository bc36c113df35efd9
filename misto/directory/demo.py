"""The demo city's directory: the council, the ЦНАП and its branch, departments, schools,
kindergartens and clinics placed on the twin's own demo places (``misto/twin/demo.py``), with
hours that have lunch breaks, a summer timetable and a closure; the e-services catalogue; a
few partners. Made through the real services, so every phone and every hours string is
checked as a clerk's would be."""

from __future__ import annotations

from datetime import timedelta
from typing import IO

from django.db import transaction
from django.utils import timezone

from misto import twin
from misto.directory import services
from misto.directory.models import EService, Organisation, OrgKind, PartnerRole, Unit

OFFICE = "Mo-Th 08:00-17:00; Fr 08:00-15:45; Mo-Fr 12:00-12:45 off"
CNAP = "Mo,We,Fr 08:00-16:00; Tu,Th 08:00-20:00; Sa 08:00-15:00"
SCHOOL = "Mo-Fr 07:30-18:00; Jul-Aug Mo-Fr 09:00-13:00"
KINDERGARTEN = "Mo-Fr 07:00-19:00; Jul-Aug off"
CLINIC = "Mo-Fr 08:00-19:00; Sa 09:00-14:00"

ESERVICES = [
    ("certificate-residence", "Довідка про місце проживання", "Certificate of residence",
     "довідка реєстрація прописка місце проживання certificate residence",
     "Паспорт або ID-картка\nРНОКПП", "Passport or ID card\nTaxpayer number",
     "безоплатно", "free", "в день звернення", "the same day", "", ""),
    ("id-card", "Оформлення паспорта громадянина України (ID-картка)",
     "Ukrainian passport (ID card)", "паспорт id-картка документ passport id card",
     "Свідоцтво про народження або попередній паспорт\nВитяг про місце проживання\nФото не "
     "потрібне: фотографують у ЦНАП", "Birth certificate or the previous passport\n"
     "Certificate of residence\nNo photo needed: taken at the ASC",
     "адміністративний збір та вартість бланка", "administrative fee and the form's cost",
     "20 робочих днів", "20 working days", "", "https://diia.gov.ua/services"),
    ("kindergarten-queue", "Електронна черга до садочка", "Kindergarten enrolment queue",
     "садочок садок дитячий садок дошкільний заклад черга kindergarten nursery",
     "Свідоцтво про народження дитини\nПаспорт одного з батьків",
     "The child's birth certificate\nA parent's passport", "безоплатно", "free",
     "місце за чергою", "a place in turn", "https://example.org/kindergarten-queue", ""),
    ("birth-registration", "Реєстрація народження дитини", "Birth registration",
     "народження дитина свідоцтво єМалятко birth baby", "Медичне свідоцтво про народження\n"
     "Паспорти батьків", "Medical birth certificate\nThe parents' passports", "безоплатно",
     "free", "в день звернення", "the same day", "", "https://diia.gov.ua/services/emalyatko"),
    ("family-doctor", "Декларація з сімейним лікарем", "Choosing a family doctor",
     "лікар сімейний декларація doctor gp", "Паспорт або ID-картка\nРНОКПП",
     "Passport or ID card\nTaxpayer number", "безоплатно", "free", "одразу", "at once", "",
     ""),
    ("report-problem", "Повідомити про проблему в місті", "Report a problem in the city",
     "яма ліхтар сміття проблема report pothole", "", "", "безоплатно", "free",
     "за регламентом служби", "as the service's rules say", "/reports/", ""),
]

# (org slug, kind, name uk, name en, department, partner role, offer uk)
ORGANISATIONS = [
    ("council", OrgKind.DEPARTMENT, "Виконавчий комітет міської ради", "City executive committee",
     "council", "", ""),
    ("cnap", OrgKind.ASC, "Центр надання адміністративних послуг (ЦНАП)",
     "Administrative Services Centre (ASC)", "cnap", "", ""),
    ("education", OrgKind.DEPARTMENT, "Департамент освіти", "Department of education",
     "education", "", ""),
    ("health", OrgKind.CLINIC, "Центр первинної медико-санітарної допомоги",
     "Primary healthcare centre", "health", "", ""),
    ("vodokanal", OrgKind.ENTERPRISE, "КП «Водоканал»", "Municipal water utility",
     "housing", "", ""),
    ("open-data-ngo", OrgKind.NGO, "ГО «Відкрите місто»", "Open City NGO", "council",
     PartnerRole.NGO, "Використовує відкриті дані міста для мапи доступності."),
    ("polytechnic", OrgKind.UNIVERSITY, "Національний університет «Запорізька політехніка»",
     "Zaporizhzhia Polytechnic", "education", PartnerRole.UNIVERSITY,
     "Пілотує датчики якості повітря на платформі міста."),
]

# (unit slug, org, name uk, name en, where: a twin search, hours, phone, email, services, a11y)
UNITS = [
    ("council-main", "council", "Міська рада: приймальня", "City council: reception",
     "Міська рада", OFFICE, "061 222 10 00", "rada@misto.example", ["report-problem"], True),
    ("cnap-main", "cnap", "ЦНАП, центральний офіс", "ASC, main office", "Міська рада", CNAP,
     "061 222 15 80", "cnap@misto.example",
     ["certificate-residence", "id-card", "birth-registration", "kindergarten-queue"], True),
    ("cnap-branch", "cnap", "ЦНАП, віддалене робоче місце", "ASC, branch office",
     "Ліцей № 7", "Mo-Fr 09:00-13:00,14:00-17:00", "061 222 15 81", "",
     ["certificate-residence"], False),
    ("education-dept", "education", "Департамент освіти", "Department of education",
     "Ліцей № 1", OFFICE, "061 222 30 00", "osvita@misto.example", ["kindergarten-queue"],
     False),
    ("lyceum-1", "education", "Ліцей № 1", "Lyceum No. 1", "Ліцей № 1", SCHOOL,
     "061 222 31 01", "lyceum1@misto.example", [], True),
    ("lyceum-3", "education", "Ліцей № 3", "Lyceum No. 3", "Ліцей № 3", SCHOOL,
     "061 222 31 03", "", [], False),
    ("kindergarten-2", "education", "Заклад дошкільної освіти № 2", "Kindergarten No. 2",
     "Заклад дошкільної освіти № 2", KINDERGARTEN, "061 222 32 02", "", [], True),
    ("clinic-1", "health", "Амбулаторія сімейної медицини № 1", "Family medicine clinic No. 1",
     "Амбулаторія сімейної медицини № 1", CLINIC, "061 222 40 01", "amb1@misto.example",
     ["family-doctor"], True),
    ("clinic-2", "health", "Амбулаторія сімейної медицини № 2", "Family medicine clinic No. 2",
     "Амбулаторія сімейної медицини № 2", CLINIC, "067 123 45 67", "", ["family-doctor"],
     False),
    ("vodokanal-office", "vodokanal", "Водоканал: абонентський відділ",
     "Water utility: customer office", "Ліцей № 5", "Mo-Fr 08:00-12:00,13:00-16:30",
     "061 222 50 00", "abonent@vodokanal.example", [], False),
]


def _where(query: str) -> tuple[float, float] | None:
    hits = twin.search(query, limit=1)
    return (hits[0].lon, hits[0].lat) if hits else None


@transaction.atomic
def load(stdout: IO[str] | None = None) -> None:
    if Organisation.objects.exists():
        return
    for (slug, uk, en, words, docs_uk, docs_en, cost_uk, cost_en, term_uk, term_en, online,
         diia) in ESERVICES:
        EService.objects.create(slug=slug, title_uk=uk, title_en=en, keywords=words,
                                documents_uk=docs_uk, documents_en=docs_en, cost_uk=cost_uk,
                                cost_en=cost_en, term_uk=term_uk, term_en=term_en,
                                online_url=online if online.startswith("http") else "",
                                diia_url=diia)
    orgs = {}
    for slug, kind, uk, en, department, role, offer in ORGANISATIONS:
        orgs[slug] = Organisation.objects.create(slug=slug, kind=kind, name_uk=uk, name_en=en,
                                                 department=department, partner_role=role,
                                                 partner_offer_uk=offer)
    placed = 0
    for slug, org, uk, en, query, hours, phone, email, offered, accessible in UNITS:
        point = _where(query)
        if point is None:
            continue
        where = services.place(*point)
        unit = Unit.objects.create(
            organisation=orgs[org], slug=slug, name_uk=uk, name_en=en, lon=where.lon,
            lat=where.lat, address=where.address, landmark=where.landmark,
            district=where.district, hours=services.check_hours(hours),
            closed_on_days_off=org != "health", languages=["uk", "en"] if accessible
            else ["uk"], step_free=accessible, ramp=accessible, accessible_toilet=accessible,
            hearing_loop=slug == "cnap-main")
        contacts = [("phone", phone, "")] + ([("email", email, "")] if email else [])
        if org == "council":
            contacts.append(("website", "https://misto.example/", ""))
            contacts.append(("social", "https://www.facebook.com/misto.example", "Facebook"))
        services.set_contacts(unit, contacts)
        unit.services.set(EService.objects.filter(slug__in=offered))
        placed += 1
    branch = Unit.objects.filter(slug="cnap-branch").first()
    if branch is not None:
        today = timezone.localdate()
        services.add_closure(branch, services.check_closure(
            today + timedelta(days=3), today + timedelta(days=4), "Санітарні дні",
            "Sanitary days"))
    if stdout:
        stdout.write(f"directory: {len(orgs)} organisations, {placed} places\n")
