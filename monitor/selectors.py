"""Reads that span relations. Each returns a fixed number of queries, however many
municipalities take part."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .models import Organisation, User


def organisation_team(organisation: Organisation) -> QuerySet[User]:
    """The people who work on the organisation's scan, the penvoerder first."""
    return (
        User.objects.filter(organisation=organisation)
        .exclude(role=User.Role.PROVINCE)
        .annotate(is_penvoerder=Q(role=User.Role.PENVOERDER))
        .order_by("-is_penvoerder", "-is_active", "full_name", "email")
    )


def participants_overview(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """The organisations with their penvoerder's contact and login state, for staff lists."""
    penvoerders = User.objects.filter(organisation=OuterRef("pk"), role=User.Role.PENVOERDER)
    return organisations.annotate(
        penvoerder_name=Subquery(penvoerders.values("full_name")[:1]),
        penvoerder_email=Subquery(penvoerders.values("email")[:1]),
        penvoerder_last_login=Subquery(penvoerders.values("last_login")[:1]),
        penvoerder_active=Subquery(penvoerders.values("is_active")[:1]),
        team_size=Count("members", filter=Q(members__is_active=True)),
    ).order_by("name")


def province_regions(province: str) -> list[dict]:
    """Per region of the province: how many of its municipalities take part. Names of
    municipalities are not part of the answer."""
    rows = (
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, province=province)
        .values("region")
        .annotate(municipalities=Count("pk"))
        .order_by("region")
    )
    return list(rows)
