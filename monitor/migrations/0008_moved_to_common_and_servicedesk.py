# The outbox moved to the plumbing app (common), the reminders and announcements to the
# service desk's own app: only Django's idea of which app holds them changes here; the tables
# stay and are renamed by those apps' first migrations.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0007_deadline_reminder_per_deadline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="announcement",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="deadlinereminder",
                    name="edition",
                ),
                migrations.RemoveField(
                    model_name="deadlinereminder",
                    name="organisation",
                ),
                migrations.DeleteModel(
                    name="PendingTask",
                ),
                migrations.DeleteModel(
                    name="Announcement",
                ),
                migrations.DeleteModel(
                    name="DeadlineReminder",
                ),
            ],
            database_operations=[],
        ),
    ]
