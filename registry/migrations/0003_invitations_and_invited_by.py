"""Memberships become invitations the invited person accepts (Hardening, round two, item 3).

Existing memberships stay as they are: every Membership row is an active membership (pending
invitations live in Invitation). ``invited_by`` is filled for rows an admin added before this
change, from the audit trail's ``registry.add_member`` events, so that procurement's conflict
rule treats them as what they were: added by someone else.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill_invited_by(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    Membership = apps.get_model("registry", "Membership")
    events = AuditEvent.objects.filter(action="registry.add_member").order_by("id")
    for event in events.iterator():
        user_id = (event.data or {}).get("user")
        if not user_id or event.actor_id in (None, user_id) or event.organization_id is None:
            continue
        Membership.objects.filter(
            user_id=user_id, organization_id=event.organization_id, invited_by__isnull=True
        ).update(invited_by_id=event.actor_id)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0002_documents_assessments_people'),
        ('core', '0002_load_regions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='invited_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by'),
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('admin', 'Organization admin'), ('member', 'Member'), ('official', 'Official'), ('expert', 'Expert')], default='member', max_length=12, verbose_name='role')),
                ('status', models.CharField(choices=[('invited', 'Invited'), ('accepted', 'Joined'), ('declined', 'Declined'), ('cancelled', 'Cancelled by the organization')], db_index=True, default='invited', max_length=12, verbose_name='status')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='invited at')),
                ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='registry.organization')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'invitation',
                'verbose_name_plural': 'invitations',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'invited')), fields=('user', 'organization'), name='unique_open_invitation')],
            },
        ),
        migrations.RunPython(backfill_invited_by, migrations.RunPython.noop),
]
