from django.db import migrations


def roles_sync(apps, schema_editor):
    # Users, the audit trail and the outbox became administrators' pages only.
    from portal.users.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_roles"),
        ("audit", "0002_roles"),
        ("branding", "0003_legal_details_and_web_images"),
        ("texts", "0002_roles"),
        ("outbox", "0002_roles"),
        ("programmes", "0002_roles"),
        ("sales", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
