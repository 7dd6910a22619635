"""tracking's sections of "download my data" (rvuedge.user_data)."""

from rvuedge.user_data import model_rows, register_user_data
from tracking.models import (
    CompensationTier,
    CreditPolicy,
    DailyCodeTotal,
    DailyTotal,
    DayOff,
    Encounter,
    Favorite,
    ImportJob,
    ImportMapping,
    Location,
    LogChange,
    LogTemplate,
    MonthlyCodeTotal,
    Preferences,
    ProcedureLog,
    RepriceBatch,
    RestoreJob,
    SubmissionKey,
)


def export_procedure_logs(user):
    logs = ProcedureLog.objects.for_user(user).with_related()
    return [
        {
            "id": log.pk,
            "encounter": log.encounter_id,
            "date": log.date,
            "code": log.code.code,
            "modifiers": log.modifiers,
            "units": log.units,
            "setting": log.setting,
            "location": log.location.name if log.location else "",
            "role": log.role,
            "supervising_attending": log.supervising_attending,
            "note": log.note,
            "release": log.release.name,
            "release_flag": log.release_flag,
            "release_note": log.release_note,
            "work_rvu": log.work_rvu,
            "raw": log.raw,
            "medicare": log.medicare,
            "policy": log.policy,
            "created_at": log.created_at,
        }
        for log in logs.order_by("date", "pk")
    ]


def export_locations(user):
    return [
        {
            "name": loc.name,
            "default_setting": loc.default_setting,
            "dollars_per_wrvu": loc.dollars_per_wrvu,
        }
        for loc in Location.objects.for_user(user)
    ]


def export_favorites(user):
    return [
        {"code": fav.code.code} for fav in Favorite.objects.for_user(user).select_related("code")
    ]


def export_templates(user):
    templates = LogTemplate.objects.for_user(user).prefetch_related("lines__code")
    return [
        {
            "name": template.name,
            "lines": " ".join(
                f"{line.code.code}{'-' + line.modifiers if line.modifiers else ''}"
                f"{' x' + str(line.units) if line.units > 1 else ''}"
                for line in template.lines.all()
            ),
        }
        for template in templates
    ]


def export_credit_policy(user):
    policy = CreditPolicy.objects.filter(user=user).first()
    if policy is None:
        return []
    return [{field: getattr(policy, field) for field in (
        "multiple_procedure", "endoscopy", "bilateral", "assistant", "co_surgery", "split_care",
        "second_procedure_percent", "modifier_22_percent", "modifier_52_percent",
        "modifier_53_percent",
    )}]  # fmt: skip


def export_changes(user):
    return [
        {
            "entry": change.log_pk,
            "action": change.action,
            "changed_at": change.changed_at,
            "before": change.before,
            "after": change.after,
        }
        for change in LogChange.objects.for_user(user)
    ]


def export_import_jobs(user):
    return [
        {
            "file": job.filename,
            "status": job.status,
            "rows_total": job.rows_total,
            "rows_imported": job.rows_imported,
            "created_at": job.created_at,
        }
        for job in ImportJob.objects.filter(user=user).order_by("created_at")
    ]


def export_restore_jobs(user):
    return [
        {
            "file": job.filename,
            "bytes": job.size,
            "replace": job.replace,
            "status": job.status,
            "message": job.message,
            "restored": job.counts,
            "created_at": job.created_at,
            "finished_at": job.finished_at,
        }
        for job in RestoreJob.objects.for_user(user).defer("data").order_by("created_at")
    ]


def export_import_mapping(user):
    mapping = ImportMapping.objects.filter(user=user).first()
    return (
        [{"field": k, "column": v} for k, v in sorted(mapping.columns.items())] if mapping else []
    )


def export_reprice_batches(user):
    return [
        {
            "release": batch.release.name,
            "date_from": batch.date_from,
            "date_to": batch.date_to,
            "entries": batch.entries,
            "applied_at": batch.applied_at,
            "undone_at": batch.undone_at,
        }
        for batch in RepriceBatch.objects.for_user(user).select_related("release")
    ]


def export_submission_keys(user):
    return [
        {"scope": key.scope, "key": key.key, "status": key.status, "created_at": key.created_at}
        for key in SubmissionKey.objects.for_user(user).order_by("created_at", "pk")
    ]


def delete_tracking(user):
    # Entries protect nothing of the user's, but delete them first so encounters go cleanly.
    ProcedureLog.objects.for_user(user).delete()
    # Their daily totals are derived from them: nothing of their own to export.
    for derived in (MonthlyCodeTotal, DailyCodeTotal, DailyTotal):
        derived.objects.for_user(user).delete()


def register():
    register_user_data(
        "procedure_logs",
        export=export_procedure_logs,
        delete=delete_tracking,
        models=(ProcedureLog, Encounter, DailyTotal, DailyCodeTotal, MonthlyCodeTotal),
    )
    register_user_data("locations", export=export_locations, models=(Location,))
    register_user_data("favorites", export=export_favorites, models=(Favorite,))
    register_user_data("log_templates", export=export_templates, models=(LogTemplate,))
    register_user_data("credit_policy", export=export_credit_policy, models=(CreditPolicy,))
    register_user_data("log_changes", export=export_changes, models=(LogChange,))
    register_user_data("import_jobs", export=export_import_jobs, models=(ImportJob,))
    register_user_data("restore_jobs", export=export_restore_jobs, models=(RestoreJob,))
    register_user_data("import_columns", export=export_import_mapping, models=(ImportMapping,))
    register_user_data("reprice_batches", export=export_reprice_batches, models=(RepriceBatch,))
    register_user_data("submissions", export=export_submission_keys, models=(SubmissionKey,))
    register_user_data(
        "preferences",
        export=lambda user: model_rows(Preferences.objects.filter(user=user)),
        models=(Preferences,),
    )
    register_user_data(
        "days_off",
        export=lambda user: model_rows(DayOff.objects.filter(user=user).order_by("date")),
        models=(DayOff,),
    )
    register_user_data(
        "pay_tiers",
        export=lambda user: model_rows(
            CompensationTier.objects.filter(user=user).order_by("starts_at")
        ),
        models=(CompensationTier,),
    )
