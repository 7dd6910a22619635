"""Celery tasks for support emails. Thin: the work and the run-once guarantee are in services.

They take ids, acknowledge late (a message whose worker dies is delivered again) and retry a
mail server that is down; each email is claimed in the database, so a run repeated by a retry
or a redelivery never sends it twice.
"""

from smtplib import SMTPException

from celery import shared_task

from . import services

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "max_retries": 8,
}


@shared_task(**RETRY)
def ticket_created_notify(ticket_id: int) -> list[str]:
    """Confirmation to the sender and notification to staff (settings.SUPPORT_EMAIL)."""
    return services.ticket_created_notify(ticket_id=ticket_id)


@shared_task(**RETRY)
def ticket_message_notify(message_id: int) -> bool:
    """A staff reply emailed to the sender, or a sender's reply emailed to staff."""
    return services.ticket_message_notify(message_id=message_id)
