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
