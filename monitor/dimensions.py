"""The four dimensions of the CI Monitor (seed 000, DESIGN.md): every question is tagged with
a level and with values of the other three. The keys are what the questionnaire files use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    STRATEGIC = "strategisch", _("strategic")
    OPERATIONAL = "operationeel", _("operational")


class FocusArea(models.TextChoices):
    POLICY = "beleid_communicatie", _("policy & communication")
    AMBITION = "ambitie_borging", _("ambition & safeguarding")
    INTEGRATION = "integratie_samenwerking", _("integration & collaboration")


class Category(models.TextChoices):
    CIVIL_WORKS = "gww", _("Civil engineering, roads and waterworks")
    BUILDINGS = "bouw_gebouwen", _("Construction, demolition and management of buildings")
    FACILITIES = "facilitair", _("Office facilities – facility management")
    MOBILITY = "mobiliteit", _("Machinery, transport and mobility")
    ENERGY = "energie", _("Energy")


class Spearhead(models.TextChoices):
    HEALTH = "gezonde_mens", _("Healthy people and society")
    REUSE = "hoogwaardig_hergebruik", _("High-value reuse")
    ENERGY = "duurzame_energie", _("Sustainable energy")
    NATURAL_CAPITAL = "natuurlijk_kapitaal", _("Natural capital")
    INNOVATION = "innovatie_partnerschap", _("Innovation and partnership")
    LOOPS = "kringlopen_contracten", _("Closing loops in contracts")


# The dimensions a question's tags are drawn from, in the order results show them.
TAG_DIMENSIONS = {
    "focus_area": FocusArea,
    "category": Category,
    "spearhead": Spearhead,
}
ALL_TAGS = {value for choices in TAG_DIMENSIONS.values() for value in choices.values}


def tag_label(tag: str) -> str:
    for choices in TAG_DIMENSIONS.values():
        if tag in choices.values:
            return choices(tag).label
    raise KeyError(tag)
