from django.db import migrations


def roles_sync(apps, schema_editor):
    # Gives the staff roles their alerts permissions (each reads and marks his own alerts).
    from portal.users.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("users", "0003_roles_resync"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
