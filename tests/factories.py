"""Factories for every test: organisations and accounts as the application makes them."""

import factory
from allauth.mfa.totp.internal.auth import TOTP

from monitor.models import Organisation, User

PASSWORD = "Circulair-inkopen-2026"
# A fixed base32 secret, so browser tests can compute the second factor's code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("cbs_code",)

    cbs_code = factory.Sequence(lambda n: f"GM9{n:03d}")
    name = factory.Sequence(lambda n: f"Testgemeente {n}")
    kind = Organisation.Kind.MUNICIPALITY
    province = "Gelderland"
    region = "Achterhoek"


class ProvinceFactory(OrganisationFactory):
    cbs_code = "PV25"
    name = "Provincie Gelderland"
    kind = Organisation.Kind.PROVINCE
    region = ""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name", locale="nl_NL")
    role = User.Role.CONTRIBUTOR
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A staff account that has set up its authenticator app, as the middleware demands."""

    organisation = None

    @factory.post_generation
    def authenticator(obj, create, extracted, **kwargs):
        if create:
            TOTP.activate(obj, TOTP_SECRET)


def questionnaire_build(year: int, *, status="open", deadline=None, reworded=False):
    """A small questionnaire with one question of each type, in two sections: enough to test
    every rule without the 50 questions of the real files."""
    from datetime import timedelta

    from django.utils import timezone

    from monitor.models import Edition, Option, Question, Section

    edition = Edition.objects.create(
        year=year,
        title=f"CI Monitor {year}",
        title_en=f"CI Monitor {year}",
        status=status,
        deadline=deadline or timezone.now() + timedelta(days=30),
    )
    policy = Section.objects.create(
        edition=edition, key="beleid", position=0, title="Beleid", title_en="Policy"
    )
    volume = Section.objects.create(
        edition=edition, key="volume", position=1, title="Inkoopvolume", title_en="Spend"
    )

    def question(section, key, type, position, **extra):
        return Question.objects.create(
            edition=edition,
            section=section,
            key=key,
            type=type,
            position=position,
            text=extra.pop("text", f"Vraag {key}"),
            text_en=f"Question {key}",
            level=extra.pop("level", "strategisch"),
            tags=extra.pop("tags", ["beleid_communicatie"]),
            **extra,
        )

    def options(question, pairs):
        for position, (key, points) in enumerate(pairs):
            Option.objects.create(
                question=question,
                key=key,
                label=key.capitalize(),
                label_en=key,
                points=points,
                position=position,
            )

    scale = question(
        policy,
        "ci_in_beleid",
        "scale",
        0,
        weight=2,
        text="Is circulair inkopen opgenomen in het beleid?"
        if not reworded
        else "Staat circulair inkopen in uw beleid?",
    )
    options(scale, [("nee", 0), ("deels", 1), ("ja", 2)])
    multiple = question(policy, "instrumenten", "multiple", 1, weight=1)
    options(multiple, [("geen", 0), ("marktconsultatie", 1), ("emvi", 1)])
    yesno = question(policy, "coordinator", "yesno", 2, weight=1)
    options(yesno, [("ja", 2), ("nee", 0)])
    question(policy, "toelichting", "text", 3, weight=0, required=False, max_length=50)
    question(volume, "spend_gww_totaal", "amount", 0, weight=0, level="operationeel", tags=["gww"])
    question(
        volume,
        "spend_gww_circulair",
        "amount",
        1,
        weight=0,
        level="operationeel",
        tags=["gww"],
        not_more_than="spend_gww_totaal",
    )
    question(
        volume,
        "aandeel_hergebruik",
        "percentage",
        2,
        weight=1,
        level="operationeel",
        tags=["hoogwaardig_hergebruik"],
        full_points_at=50,
    )
    question(
        volume,
        "fte_inkoop",
        "number",
        3,
        weight=1,
        level="operationeel",
        unit="fte",
        full_points_at=2,
    )
    return edition


def programme_build(edition):
    """The five meetings of the edition, each with one session a week from now (the closing
    meeting's a month from now); returns {number: session}."""
    from datetime import timedelta

    from django.utils import timezone

    from masterclasses.services import programme_load, session_add

    start = timezone.now().replace(microsecond=0) + timedelta(days=7)
    sessions = {}
    for masterclass in programme_load(edition=edition):
        begins = start + timedelta(days=21 if masterclass.is_closing_meeting else 0)
        sessions[masterclass.number] = session_add(
            masterclass=masterclass,
            starts_at=begins,
            ends_at=begins + timedelta(hours=4),
            place="Arnhem, Huis der Provincie",
            capacity=40,
        )
    return sessions


def attendee(number: int, **fields) -> dict:
    """The keyword arguments of registration_create for a made-up colleague."""
    return {
        "name": f"Collega {number}",
        "email": f"collega{number}@gemeente.test",
        "function": "Inkoopadviseur",
        "chatham_house_accepted": True,
        **fields,
    }
