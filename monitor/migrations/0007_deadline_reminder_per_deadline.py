"""A reminder belongs to the day of the deadline it reminded of: when the deadline moves to
another day, or a municipality gets an extension, its reminders go out again before the new
date. Reminders already sent are taken to be of the deadline that holds now."""

from django.db import migrations, models


def deadline_of_each_reminder(apps, schema_editor):
    """The day of the deadline that holds now, as Scan.deadline gives it: an extension when it
    is later than the edition's deadline, else the edition's."""
    from django.utils import timezone

    DeadlineReminder = apps.get_model("monitor", "DeadlineReminder")
    Scan = apps.get_model("monitor", "Scan")
    extensions = {
        (scan.organisation_id, scan.edition_id): scan.extended_until
        for scan in Scan.objects.filter(extended_until__isnull=False)
    }
    reminders = list(DeadlineReminder.objects.select_related("edition"))
    for reminder in reminders:
        edition_deadline = reminder.edition.deadline
        extension = extensions.get((reminder.organisation_id, reminder.edition_id))
        if extension and (edition_deadline is None or extension > edition_deadline):
            deadline = extension
        else:
            deadline = edition_deadline or reminder.sent_at
        reminder.deadline = timezone.localdate(deadline)
    DeadlineReminder.objects.bulk_update(reminders, ["deadline"])


class Migration(migrations.Migration):
    dependencies = [("monitor", "0006_pending_task_not_before")]

    operations = [
        migrations.RemoveConstraint(model_name="deadlinereminder", name="one_reminder_per_day"),
        migrations.AddField(
            model_name="deadlinereminder",
            name="deadline",
            field=models.DateField(null=True, verbose_name="deadline"),
        ),
        migrations.RunPython(deadline_of_each_reminder, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deadlinereminder",
            name="deadline",
            field=models.DateField(verbose_name="deadline"),
        ),
        migrations.AddConstraint(
            model_name="deadlinereminder",
            constraint=models.UniqueConstraint(
                fields=("organisation", "edition", "deadline", "days_before"),
                name="one_reminder_per_day_per_deadline",
            ),
        ),
    ]
