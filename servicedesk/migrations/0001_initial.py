# The service desk's records, which were monitor's (monitor/migrations/0004, 0007).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("monitor", "0007_deadline_reminder_per_deadline"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table exists already (monitor made it): take it over, then give it this app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Announcement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(max_length=150, verbose_name='subject')),
                        ('body', models.TextField(max_length=5000, verbose_name='message')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('delivered_to', models.JSONField(blank=True, default=list)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by')),
                    ],
                    options={
                        'db_table': 'monitor_announcement',
                        'verbose_name': 'announcement',
                        'verbose_name_plural': 'announcements',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='DeadlineReminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('days_before', models.PositiveSmallIntegerField(verbose_name='days before the deadline')),
                        ('deadline', models.DateField(verbose_name='deadline')),
                        ('sent_to', models.EmailField(max_length=254, verbose_name='sent to')),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent at')),
                        ('edition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='monitor.edition')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.organisation')),
                    ],
                    options={
                        'db_table': 'monitor_deadlinereminder',
                        'verbose_name': 'deadline reminder',
                        'verbose_name_plural': 'deadline reminders',
                        'ordering': ['-sent_at'],
                        'constraints': [models.UniqueConstraint(fields=('organisation', 'edition', 'deadline', 'days_before'), name='one_reminder_per_day_per_deadline')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='announcement', table=None),
        migrations.AlterModelTable(name='deadlinereminder', table=None),
    ]
