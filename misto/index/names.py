"""Departments the catalogue names that no other module knows
(``MistoModule.department_names``; a module that keeps a department register wins)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Named:
    name: str
    name_en: str


DEPARTMENTS = {
    "it": Named("Департамент цифрової трансформації", "Digital Transformation Department"),
    "council": Named("Апарат міської ради", "City Council Office"),
    "architecture": Named("Департамент архітектури та містобудування",
                          "Architecture and Urban Planning Department"),
    "ecology": Named("Управління екології", "Environment Office"),
    "civil_protection": Named("Управління з питань надзвичайних ситуацій",
                              "Civil Protection Office"),
    "cnap": Named("Центр надання адміністративних послуг",
                  "Administrative Services Centre"),
    "social": Named("Департамент соціального захисту", "Social Protection Department"),
    "economy": Named("Департамент економічного розвитку", "Economic Development Department"),
    "education": Named("Департамент освіти", "Education Department"),
    "energy": Named("Управління енергоменеджменту", "Energy Management Office"),
    "finance": Named("Департамент фінансів", "Finance Department"),
    "health": Named("Департамент охорони здоров'я", "Health Department"),
    "culture": Named("Департамент культури і туризму", "Culture and Tourism Department"),
}


def department_names() -> dict[str, Named]:
    return dict(DEPARTMENTS)
