# The outbox, which was monitor's (monitor/migrations/0005-0006).

import django.utils.timezone
from django.db import migrations, models



class Migration(migrations.Migration):
    initial = True

    dependencies = [("monitor", "0006_pending_task_not_before")]

    operations = [
        # The table exists already (monitor made it): take it over, then give it this app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PendingTask',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('args', models.JSONField(default=list)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('not_before', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('last_error', models.CharField(blank=True, max_length=300)),
                    ],
                    options={
                        'db_table': 'monitor_pendingtask',
                        'ordering': ['pk'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='pendingtask', table=None),
    ]
