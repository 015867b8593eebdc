from django.db import migrations


def roles_sync(apps, schema_editor):
    # Administrators who are no superusers were refused the pages of email addresses,
    # authenticators and sessions, and could not read the roles (portal.users.roles).
    from portal.users.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0003_roles_resync"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("usersessions", "0001_initial"),
        ("alerts", "0002_roles"),
        ("payments", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
