from django.db import migrations


def load_regions(apps, schema_editor):
    from core.region_data import load

    load(apps.get_model("core", "Region"))


def unload_regions(apps, schema_editor):
    apps.get_model("core", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load_regions, unload_regions)]
