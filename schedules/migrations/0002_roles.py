from django.db import migrations


def roles_sync(apps, schema_editor):
    # Gives the roles their permissions on this app's models.
    from portal.users.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0001_initial"),
        ("payments", "0006_payment_kind_call"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
