"""support's part of "download my data" and "delete my account"."""

import json

import pytest
from django.urls import reverse

from accounts.services import user_delete
from accounts.user_data import user_data_json
from support import services
from support.models import Ticket, TicketMessage
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(user, other_user, staff):
    mine = services.ticket_create(user=user, email="", topic="data", body="Please export it.")
    services.ticket_staff_reply(ticket=mine, author=staff, body="Account settings, Download.")
    services.ticket_reply(ticket=mine, user=user, body="Found it, thanks.")
    theirs = services.ticket_create(user=other_user, email="", topic="other", body="Not yours.")
    anonymous = services.ticket_create(user=None, email=user.email, topic="other", body="Hi.")
    return mine, theirs, anonymous


def test_the_data_download_holds_the_users_tickets_and_messages(user, staff, tickets):
    mine, _, _ = tickets

    sections = json.loads(user_data_json(user=user))["sections"]

    (ticket,) = sections["support_tickets"]
    assert ticket["reference"] == mine.reference
    assert (ticket["topic"], ticket["status"], ticket["email"]) == (
        "Exporting or deleting my data",
        "open",
        user.email,
    )
    assert [(m["ticket"], m["from"], m["body"]) for m in sections["support_messages"]] == [
        (mine.reference, "you", "Please export it."),
        (mine.reference, "RVU Edge support", "Account settings, Download."),
        (mine.reference, "you", "Found it, thanks."),
    ]
    assert staff.email not in json.dumps(sections["support_messages"])


def test_the_csv_download_has_a_tickets_file(user_client, tickets):
    import io
    import zipfile

    response = user_client.get(reverse("account_download_csv"))

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert tickets[0].reference in archive.read("support_tickets.csv").decode()
    assert "Found it, thanks." in archive.read("support_messages.csv").decode()


def test_deleting_the_account_removes_its_tickets_and_keeps_everyone_elses(user, tickets):
    mine, theirs, anonymous = tickets

    user_delete(user=user)

    assert not Ticket.objects.filter(pk=mine.pk).exists()
    assert not TicketMessage.objects.filter(ticket_id=mine.pk).exists()
    assert set(Ticket.objects.values_list("pk", flat=True)) == {theirs.pk, anonymous.pk}


def test_deleting_the_account_through_the_settings_page_removes_its_tickets(client, user, tickets):
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(reverse("account_delete"), {"confirmation": "DELETE"})

    assert response.status_code == 302
    assert not Ticket.objects.filter(user_id=user.pk).exists()
    assert not Ticket.objects.filter(reference=tickets[0].reference).exists()


def test_a_staff_member_leaving_keeps_the_users_thread(user, staff, tickets):
    mine = tickets[0]

    user_delete(user=staff)

    assert [m.body for m in mine.messages.all()] == [
        "Please export it.",
        "Account settings, Download.",
        "Found it, thanks.",
    ]
