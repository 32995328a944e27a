from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from monitor.demo import demo_editions_seed, demo_scans_seed, demo_seeded
from monitor.models import Organisation, User

STAFF_ACCOUNTS = [
    ("servicedesk@demo.test", "Sanne Servicedesk", User.Role.SERVICE_DESK, None),
    ("organiser@demo.test", "Olaf Organisator", User.Role.ORGANISER, None),
    ("province@demo.test", "Petra Provincie", User.Role.PROVINCE, "PV25"),
    ("admin@demo.test", "Ada Beheer", User.Role.ADMIN, None),
]


class Command(BaseCommand):
    help = (
        "Load demo data: every municipality of the shipped list, and demo accounts whose "
        "password is --password. Refuses to run unless DEBUG is on or --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo")
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, password, force, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "seed_demo refuses to run with DEBUG off; pass --force if you mean it."
            )
        call_command("load_organisations", stdout=self.stdout)
        with transaction.atomic():
            created = self.seed_accounts(password)
        self.stdout.write(
            self.style.SUCCESS(f"Demo accounts ready ({created} new), password: {password!r}")
        )
        previous, current = demo_editions_seed()
        scans = demo_scans_seed(previous, current)
        self.stdout.write(
            self.style.SUCCESS(
                f"Editions {previous.year} (results published) and {current.year} (open); "
                f"{scans} new demo scans"
            )
        )
        for _receiver, summary in demo_seeded.send(sender=self.__class__, edition=current):
            if summary:
                self.stdout.write(self.style.SUCCESS(summary))

    def seed_accounts(self, password: str) -> int:
        # Hashed once for all demo accounts (one salt): hashing it for each of them took most of
        # the command's time, and these are demo accounts with one known password anyway.
        password_hash = make_password(password)
        created = 0
        for email, full_name, role, code in STAFF_ACCOUNTS:
            organisation = Organisation.objects.get(cbs_code=code) if code else None
            created += self.upsert(email, full_name, role, organisation, password_hash)
        municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
        for organisation in municipalities:
            email = f"penvoerder.{organisation.url_code}@demo.test"
            full_name = f"Penvoerder {organisation.name}"
            created += self.upsert(
                email, full_name, User.Role.PENVOERDER, organisation, password_hash
            )
        return created

    def upsert(self, email, full_name, role, organisation, password_hash: str) -> int:
        # Demo accounts are made directly rather than through account_issue: they need a known
        # password and no mail, and running the command again must leave them as they are.
        # An account that exists keeps its role: after a handover in the demo, forcing the old
        # penvoerder back would break the one-penvoerder rule.
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "role": role,
                "organisation": organisation,
                "is_staff": role == User.Role.ADMIN,
                "is_superuser": role == User.Role.ADMIN,
            },
        )
        user.password = password_hash
        user.save(update_fields=["password"])
        if role in User.STAFF_ROLES and not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            # Staff must use two factors; the demo's code is DEMO_TOTP_CODE (see README).
            TOTP.activate(user, generate_totp_secret())
        return int(created)
