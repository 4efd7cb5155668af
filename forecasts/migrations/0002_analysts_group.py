"""Create the Analysts group with exactly the permissions an analyst needs."""

from django.db import migrations

from forecasts.constants import ANALYST_PERMISSIONS


def create_analysts_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Analysts")
    # Permissions of models added by later migrations are granted by those migrations.
    permissions = [
        permission
        for app_label, codenames in ANALYST_PERMISSIONS.items()
        for permission in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    ]
    group.permissions.set(permissions)


def remove_analysts_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Analysts").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("forecasts", "0001_initial"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_analysts_group, remove_analysts_group)]
