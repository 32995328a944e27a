# Tasks waiting in the outbox keep the names they were started under; the service desk's tasks
# moved here from monitor.tasks.

from django.db import migrations

MOVED = {
    "monitor.tasks.deadline_reminders_send": "servicedesk.tasks.deadline_reminders_send",
    "monitor.tasks.announcement_send": "servicedesk.tasks.announcement_send",
    "monitor.tasks.outbox_relay": "common.tasks.outbox_relay",
}


def rename(apps, schema_editor, names=MOVED):
    PendingTask = apps.get_model("common", "PendingTask")
    for old, new in names.items():
        PendingTask.objects.filter(name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, names={new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0001_initial"),
        ("common", "0001_initial"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
