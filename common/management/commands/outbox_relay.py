from django.core.management.base import BaseCommand

from common.outbox import outbox_relay


class Command(BaseCommand):
    help = "Send the background tasks that waited in the database while the broker was away."

    def handle(self, *args, **options):
        self.stdout.write(f"{outbox_relay()} tasks sent.")
