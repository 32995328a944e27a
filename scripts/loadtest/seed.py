"""Seed for the load test (scripts/loadtest/README.md), run after `seed_demo`.

Adds synthetic municipalities GM9001… (region "Loadtest"), each with a penvoerder and an OPEN
scan of the open edition with part of its questions answered, so that every simulated
penvoerder who fills in a scan has a scan of their own: no two simulated users ever save the
same answer, so the load test sees no (legitimate) edit conflicts. The users who open results
are the demo penvoerders of municipalities whose scan of the published edition was submitted.

Writes the accounts as JSON for the locustfile:

    .venv/bin/python scripts/loadtest/seed.py --password PW --municipalities 50 --out FILE

Uses the application's models only; it changes no application code or setting. All synthetic
penvoerders share one password hash (hashing is made once: PBKDF2 costs ~0.6 s a password).
"""

import argparse
import json
import os
import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cimolt.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from monitor.forms import stored_value  # noqa: E402
from monitor.models import Answer, Edition, Organisation, Question, Scan, User  # noqa: E402

T = Question.Type
FIRST_CODE = 9001


def synthetic_value(question: Question, rng: random.Random):
    """A valid value for the questions the synthetic scans are pre-filled with."""
    options = [o.key for o in question.options.all()]
    if question.type in (T.SCALE, T.SINGLE, T.YES_NO):
        return rng.choice(options)
    if question.type == T.MULTIPLE:
        return sorted(rng.sample(options, rng.randint(1, min(3, len(options)))))
    if question.type == T.PERCENTAGE:
        return stored_value(question, Decimal(rng.randint(0, 100)))
    if question.type == T.NUMBER:
        return stored_value(question, Decimal(rng.randint(0, 40)))
    return None  # amounts (their limits between questions) and free text stay empty


@transaction.atomic
def seed(password: str, count: int, viewer_passwords: bool = False) -> dict:
    current = Edition.objects.get(status=Edition.Status.OPEN)
    published = Edition.objects.filter(status=Edition.Status.PUBLISHED).order_by("-year").first()
    questions = list(current.questions.select_related("section").prefetch_related("options"))
    hashed = make_password(password)
    # Synthetic answers, not secrets: the standard generator, seeded, is what they need.
    rng = random.Random(2026)  # noqa: S311  # nosec B311
    editors = []
    answers = []
    for number in range(FIRST_CODE, FIRST_CODE + count):
        code = f"GM{number}"
        organisation, _ = Organisation.objects.update_or_create(
            cbs_code=code,
            defaults={
                "name": f"Loadtest {number}",
                "kind": Organisation.Kind.MUNICIPALITY,
                "province": "Gelderland",
                "region": "Loadtest",
            },
        )
        email = f"penvoerder.{organisation.url_code}@loadtest.test"
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": f"Penvoerder Loadtest {number}",
                "role": User.Role.PENVOERDER,
                "organisation": organisation,
                "password": hashed,
                "is_active": True,
            },
        )
        scan, created = Scan.objects.get_or_create(
            organisation=organisation,
            edition=current,
            defaults={"status": Scan.Status.OPEN},
        )
        if created:
            for question in questions:
                if rng.random() < 0.4:
                    value = synthetic_value(question, rng)
                    if value is not None:
                        answers.append(
                            Answer(scan=scan, question=question, value=value, updated_by=user)
                        )
        editors.append({"email": email, "code": organisation.url_code, "year": current.year})
    Answer.objects.bulk_create(answers)

    viewers = []
    if published is not None:
        submitted = (
            Scan.objects.filter(edition=published, status=Scan.Status.SUBMITTED)
            .select_related("organisation")
            .order_by("organisation__cbs_code")
        )
        penvoerders = {
            u.organisation_id: u.email
            for u in User.objects.filter(role=User.Role.PENVOERDER, is_active=True)
        }
        for scan in submitted:
            email = penvoerders.get(scan.organisation_id)
            if email and viewer_passwords:  # a database kept from an earlier run
                User.objects.filter(email=email).update(password=hashed)
            if email:
                viewers.append(
                    {"email": email, "code": scan.organisation.url_code, "year": published.year}
                )
    # The locustfile answers questions of these types only, with values valid for their type
    # (amounts are left alone: circular spend may not exceed total spend).
    sections = {}
    for question in questions:
        sections.setdefault(question.section.key, []).append(
            {"key": question.key, "type": question.type}
        )
    return {
        "editors": editors,
        "viewers": viewers,
        "sections": sections,
        "answers_seeded": len(answers),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--password", required=True)
    parser.add_argument("--municipalities", type=int, default=50)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--viewer-passwords",
        action="store_true",
        help="also give the results viewers this password (LOADTEST_REUSE_DB, no seed_demo)",
    )
    args = parser.parse_args()
    accounts = seed(args.password, args.municipalities, args.viewer_passwords)
    # The password is the demo accounts' too (seed_demo --password): the locustfile needs it.
    accounts["password"] = args.password
    args.out.write_text(json.dumps(accounts, indent=1))
    print(
        f"load-test seed: {len(accounts['editors'])} synthetic municipalities with open scans "
        f"({accounts['answers_seeded']} answers pre-filled), "
        f"{len(accounts['viewers'])} penvoerders with submitted results"
    )


if __name__ == "__main__":
    main()
