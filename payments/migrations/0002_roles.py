from django.db import migrations


def roles_sync(apps, schema_editor):
    # Gives the roles their permissions on this app's models.
    from portal.users.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("sales", "0003_sale_newest_first"),
        ("alerts", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
