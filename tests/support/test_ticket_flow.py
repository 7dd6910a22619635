"""The whole ticket flow through a real Celery worker (Redis broker, worker thread in this
process) and the locmem email backend: submit, both emails, staff reply in the admin, the user
reads it."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from support.models import Ticket
from tests.factories import sign_in
from tests.support.conftest import wait_for_mail
from tests.support.test_tickets import staff_reply

pytestmark = pytest.mark.celery_worker

CONTACT = reverse("support:contact")


def test_a_signed_in_users_ticket_from_form_to_staff_reply(celery_worker, user, other_user, staff):
    client = Client()
    client.force_login(user)
    message = "My October report credits 27447-50 at 100%; you show 150%. Which is right?"

    response = client.post(CONTACT, {"topic": "logging", "message": message})

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    confirmation, notification = sorted(wait_for_mail(2), key=lambda m: m.to != [user.email])
    assert len(mail.outbox) == 2
    assert confirmation.to == [user.email]
    assert confirmation.subject == f"[RVU Edge] We received your request {ticket.reference}"
    assert ticket.reference in confirmation.body and message in confirmation.body
    assert f"{settings.SITE_URL}/support/tickets/{ticket.reference}/" in confirmation.body
    assert confirmation.reply_to == [settings.SUPPORT_EMAIL]
    assert notification.to == [settings.SUPPORT_EMAIL]
    assert ticket.reference in notification.subject
    assert message in notification.body and user.email in notification.body
    assert f"/admin/support/ticket/{ticket.pk}/change/" in notification.body
    ticket.refresh_from_db()
    assert ticket.confirmation_sent_at and ticket.staff_notified_at

    staff_client = sign_in(Client(), staff)
    answer = "Bilateral indicator 1 means 150% under Medicare; your employer may credit 100%."
    assert staff_reply(staff_client, ticket, answer).status_code == 302

    (reply_email,) = wait_for_mail(3)[2:]
    assert reply_email.to == [user.email]
    assert reply_email.subject == f"[RVU Edge] Reply to your request {ticket.reference}"
    assert answer in reply_email.body
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert answer in page
    assert "Waiting for you" in page

    client.post(ticket.get_absolute_url(), {"body": "Thanks, I will ask them."})

    (staff_email,) = wait_for_mail(4)[3:]
    assert staff_email.to == [settings.SUPPORT_EMAIL]
    assert "Thanks, I will ask them." in staff_email.body
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert len(mail.outbox) == 4

    other = Client()
    other.force_login(other_user)
    assert other.get(ticket.get_absolute_url()).status_code == 404
    assert Client().get(ticket.get_absolute_url()).status_code == 302  # to sign in


def test_an_anonymous_visitors_ticket_is_answered_by_email(celery_worker, staff):
    client = Client()

    response = client.post(
        CONTACT, {"email": "visitor@example.org", "topic": "codes", "message": "Is J3490 payable?"}
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    sent = wait_for_mail(2)
    assert sorted(m.to[0] for m in sent) == sorted(["visitor@example.org", settings.SUPPORT_EMAIL])
    confirmation = next(m for m in sent if m.to == ["visitor@example.org"])
    assert re.search(rf"reference {ticket.reference}\b", confirmation.body)
    assert "/support/tickets/" not in confirmation.body  # no account: no ticket page

    staff_client = sign_in(Client(), staff)
    staff_reply(staff_client, ticket, "J3490 has status E: drugs are paid from ASP files.")

    (reply_email,) = wait_for_mail(3)[2:]
    assert reply_email.to == ["visitor@example.org"]
    assert "J3490 has status E" in reply_email.body
    assert f"keep the reference {ticket.reference}" in reply_email.body
    assert reply_email.reply_to == [settings.SUPPORT_EMAIL]
