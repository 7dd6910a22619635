"""statements' sections of "download my data" (rvuedge.user_data): each statement with its
totals, each reconciled line, and the remembered columns. Statements cascade from the user,
their lines from the statement."""

from rvuedge.user_data import register_user_data
from statements.models import Statement, StatementLine, StatementMapping


def export_statements(user) -> list[dict]:
    return [
        {
            "id": s.pk,
            "file": s.filename,
            "file_type": s.file_type,
            "uploaded_at": s.created_at,
            "status": s.status,
            "period_from": s.period_from,
            "period_to": s.period_to,
            "matched": s.counts.get("matched", 0),
            "differs": s.counts.get("differs", 0),
            "missing_from_statement": s.counts.get("missing_from_statement", 0),
            "not_in_log": s.counts.get("not_in_log", 0),
            "statement_wrvu": s.statement_wrvu,
            "log_wrvu": s.log_wrvu,
            "log_medicare_wrvu": s.log_medicare_wrvu,
            "owed_wrvu": s.owed_wrvu,
            "owed_medicare_wrvu": s.owed_medicare_wrvu,
        }
        for s in Statement.objects.for_user(user).defer("data").order_by("created_at", "pk")
    ]


def export_lines(user) -> list[dict]:
    lines = StatementLine.objects.filter(statement__user=user).order_by("statement", "position")
    return [
        {
            "statement": line.statement_id,
            "status": line.status,
            "date": line.date,
            "log_date": line.log_date,
            "code": line.code,
            "modifiers": line.modifiers,
            "units": line.units,
            "statement_wrvu": line.statement_wrvu,
            "log_wrvu": line.log_wrvu,
            "log_medicare_wrvu": line.log_medicare_wrvu,
            "owed_wrvu": line.owed_wrvu,
            "rule": line.rule,
            "reason": line.reason,
            "release": line.release,
            "provider": line.provider,
            "location": line.location,
        }
        for line in lines
    ]


def export_mapping(user) -> list[dict]:
    mapping = StatementMapping.objects.filter(user=user).first()
    return (
        [{"field": k, "column": v} for k, v in sorted(mapping.columns.items())] if mapping else []
    )


def register():
    register_user_data(
        "statements",
        export=export_statements,
        delete=lambda user: Statement.objects.for_user(user).delete(),
        models=(Statement,),
    )
    register_user_data("statement_lines", export=export_lines, models=(StatementLine,))
    register_user_data("statement_columns", export=export_mapping, models=(StatementMapping,))
