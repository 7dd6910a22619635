"""An entry's warnings become {"rule", "message"} objects (they were the messages alone). The
rule of a warning stored before is not known: it is kept as "credit"."""

from django.db import migrations


def forwards(apps, schema_editor):
    ProcedureLog = apps.get_model("tracking", "ProcedureLog")
    changed = []
    for log in ProcedureLog.objects.exclude(warnings=[]).only("pk", "warnings").iterator():
        if any(isinstance(item, str) for item in log.warnings):
            log.warnings = [
                {"rule": "credit", "message": item} if isinstance(item, str) else item
                for item in log.warnings
            ]
            changed.append(log)
    ProcedureLog.objects.bulk_update(changed, ["warnings"], batch_size=1000)


def backwards(apps, schema_editor):
    ProcedureLog = apps.get_model("tracking", "ProcedureLog")
    changed = []
    for log in ProcedureLog.objects.exclude(warnings=[]).only("pk", "warnings").iterator():
        log.warnings = [item["message"] if isinstance(item, dict) else item for item in log.warnings]
        changed.append(log)
    ProcedureLog.objects.bulk_update(changed, ["warnings"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("tracking", "0013_once_submission_keys")]

    operations = [migrations.RunPython(forwards, backwards)]
