"""Writes for the help centre and tickets: votes, tickets, replies and their emails."""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Article, Ticket, TicketMessage

# No 0/O, 1/I/L: a reference read aloud or copied by hand survives.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6


def new_reference() -> str:
    return "RVU-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def article_vote(*, article: Article, helpful: bool) -> None:
    """Count one "was this helpful" answer (the caller allows one per session)."""
    field = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})


@transaction.atomic
def ticket_create(*, user, email: str, topic: str, body: str) -> Ticket:
    """Open a ticket with its first message; the confirmation to the sender and the
    notification to staff go out from a task once the transaction commits."""
    from .tasks import ticket_created_notify

    if user is not None and user.is_authenticated:
        email = user.email
    else:
        user = None
    ticket = Ticket(user=user, email=email, topic=topic, reference=new_reference())
    ticket.full_clean(exclude=["reference"])
    for _attempt in range(5):
        try:
            with transaction.atomic():
                ticket.save()
            break
        except IntegrityError:
            if not Ticket.objects.filter(reference=ticket.reference).exists():
                raise
            ticket.reference = new_reference()  # 31^6 references; a clash is rare but possible
    else:  # pragma: no cover
        raise IntegrityError("Could not find a free ticket reference.")
    message = TicketMessage(ticket=ticket, author=user, body=body)
    message.full_clean()
    message.save()
    ticket_created_notify.delay_on_commit(ticket.pk)
    return ticket


@transaction.atomic
def ticket_reply(*, ticket: Ticket, user, body: str) -> TicketMessage:
    """The ticket's owner answers. A ticket waiting for them, or closed, opens again; staff
    hear of it by email (after commit)."""
    from .tasks import ticket_message_notify

    message = TicketMessage(ticket=ticket, author=user, body=body, from_staff=False)
    message.full_clean()
    message.save()
    ticket.status = Ticket.Status.OPEN
    ticket.save(update_fields=["status", "updated_at"])
    ticket_message_notify.delay_on_commit(message.pk)
    return message


@transaction.atomic
def ticket_staff_reply(*, ticket: Ticket, author, body: str, close: bool = False) -> TicketMessage:
    """Staff answer: the user is emailed the reply (after commit) and the ticket waits for them,
    or is closed when staff say the answer ends it."""
    from .tasks import ticket_message_notify

    message = TicketMessage(ticket=ticket, author=author, body=body, from_staff=True)
    message.full_clean()
    message.save()
    ticket.status = Ticket.Status.CLOSED if close else Ticket.Status.WAITING
    ticket.save(update_fields=["status", "updated_at"])
    ticket_message_notify.delay_on_commit(message.pk)
    return message


# Emails ---------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(template: str, *, to: str, context: dict, reply_to: str | None = None) -> None:
    subject = render_to_string(f"support/email/{template}_subject.txt", context)
    body = render_to_string(f"support/email/{template}.txt", context)
    EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=body,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    ).send()


def _context(ticket: Ticket, **extra) -> dict:
    return {
        "ticket": ticket,
        "ticket_url": _absolute(ticket.get_absolute_url()) if ticket.user_id else "",
        "admin_url": _absolute(reverse("admin:support_ticket_change", args=[ticket.pk])),
        "help_url": _absolute(reverse("support:index")),
        **extra,
    }


def _address_is_verified(ticket: Ticket) -> bool:
    """Whether the ticket's address is one its account has confirmed it owns."""
    return (
        ticket.user_id is not None
        and EmailAddress.objects.filter(
            user_id=ticket.user_id, email__iexact=ticket.email, verified=True
        ).exists()
    )


def _send_confirmation(ticket: Ticket) -> None:
    # The form takes any address, so the sender's own words go back only to an address its
    # account has confirmed: otherwise the form would mail anyone any text under our name.
    message = ticket.first_message if _address_is_verified(ticket) else None
    context = _context(ticket, message=message)
    # Replies to our email reach the support inbox, not the no-reply sender.
    _send("ticket_received", to=ticket.email, context=context, reply_to=settings.SUPPORT_EMAIL)


def _send_staff_notification(ticket: Ticket) -> None:
    context = _context(ticket, message=ticket.first_message)
    _send("staff_new_ticket", to=settings.SUPPORT_EMAIL, context=context, reply_to=ticket.email)


def ticket_created_notify(*, ticket_id: int) -> list[str]:
    """Send the new ticket's two emails, each at most once however often this runs.

    Each email is sent while its ticket row is locked and its sent-at is still empty, and the
    timestamp is written in the same transaction: a second run waits for the first and then
    finds it done, and a worker that dies before committing leaves the email to the retry.
    Returns which emails this run sent.
    """
    sent = []
    for field, send in (
        ("confirmation_sent_at", _send_confirmation),
        ("staff_notified_at", _send_staff_notification),
    ):
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("user")
                .filter(pk=ticket_id)
                .first()
            )
            if ticket is None:
                return sent  # deleted (with its account) before the task ran
            if getattr(ticket, field) is not None:
                continue
            send(ticket)
            Ticket.objects.filter(pk=ticket.pk).update(**{field: timezone.now()})
            sent.append(field)
    return sent


def ticket_message_notify(*, message_id: int) -> bool:
    """Email a reply to the other side: a staff reply to the ticket's sender, a user's reply to
    staff. At most once per message (same locking as ticket_created_notify). Returns whether
    this run sent it."""
    with transaction.atomic():
        message = (
            TicketMessage.objects.select_for_update(of=("self",))
            .select_related("ticket", "ticket__user")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.notified_at is not None:
            return False
        ticket = message.ticket
        context = _context(ticket, message=message)
        if message.from_staff:
            to, reply_to, template = ticket.email, settings.SUPPORT_EMAIL, "staff_replied"
        else:
            to, reply_to, template = settings.SUPPORT_EMAIL, ticket.email, "user_replied"
        _send(template, to=to, context=context, reply_to=reply_to)
        TicketMessage.objects.filter(pk=message.pk).update(notified_at=timezone.now())
    return True


# Shipped help content -------------------------------------------------------------------------


def _upsert(model, lookup: dict, values: dict, counts: dict) -> object:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        counts["created"] += 1
    elif any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
    return obj


@transaction.atomic
def help_content_load(*, content, dry_run: bool = False) -> dict[str, dict[str, int]]:
    """Create or update the shipped topics, articles and FAQ entries (support.content).

    Matched by slug, so running it again changes nothing, and helpful counts and anything
    staff added in the admin are kept. With dry_run, nothing is saved. Returns counts of
    created / updated / unchanged per kind.
    """
    from .models import Question, Topic

    counts = {
        kind: {"created": 0, "updated": 0, "unchanged": 0}
        for kind in ("topics", "articles", "questions")
    }
    topics = {}
    for source in content.topics:
        topics[source.slug] = _upsert(
            Topic,
            {"slug": source.slug},
            {"title": source.title, "description": source.description, "position": source.position},
            counts["topics"],
        )
    articles = {}
    for source in content.articles:
        articles[source.slug] = _upsert(
            Article,
            {"slug": source.slug},
            {
                "topic": topics[source.topic],
                "title": source.title,
                "summary": source.summary,
                "body": source.body,
                "position": source.position,
            },
            counts["articles"],
        )
    for source in content.questions:
        _upsert(
            Question,
            {"slug": source.slug},
            {
                "question": source.question,
                "answer": source.answer,
                "article": articles.get(source.article) if source.article else None,
                "position": source.position,
            },
            counts["questions"],
        )
    if dry_run:
        transaction.set_rollback(True)
    return counts
