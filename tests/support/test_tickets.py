"""Following tickets: the owner's pages, replies, other users and staff replies in the admin."""

import pytest
from django.core import mail
from django.urls import reverse

from support import services
from support.models import Ticket, TicketMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

FIRST = "Where do I set my $ per wRVU for the clinic?"


@pytest.fixture
def ticket(user):
    return services.ticket_create(user=user, email="", topic="logging", body=FIRST)


def formset_data(formset):
    """What the browser posts for an inline formset: management form and each form's fields."""
    management = formset.management_form
    data = {management.add_prefix(k): v for k, v in management.initial.items()}
    for form in formset.forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def admin_change_data(response, **changes):
    """The admin change form's data as loaded, with `changes` applied (keys as posted)."""
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        data.update(formset_data(inline.formset))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def staff_reply(staff_client, ticket, body, **changes):
    url = reverse("admin:support_ticket_change", args=[ticket.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    reply_prefix = page.context["inline_admin_formsets"][1].formset.prefix
    data = admin_change_data(page, **{f"{reply_prefix}-0-body": body, **changes})
    return staff_client.post(url, data)


@pytest.mark.parametrize("name", ["support:tickets", "support:ticket"])
def test_anonymous_visitors_are_sent_to_sign_in(client, ticket, name):
    url = reverse(name, args=[ticket.reference] if name == "support:ticket" else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_the_owner_sees_their_tickets(user_client, ticket):
    page = user_client.get(reverse("support:tickets")).content.decode()

    assert ticket.reference in page
    assert "Logging procedures and wRVU credit" in page
    assert FIRST in page


def test_an_empty_ticket_list_says_how_to_start(user_client):
    page = user_client.get(reverse("support:tickets")).content.decode()

    assert "No requests yet" in page
    assert reverse("support:contact") in page


def test_another_user_gets_a_404_for_the_ticket_and_does_not_see_it_listed(
    client, ticket, other_user
):
    client.force_login(other_user)

    assert client.get(ticket.get_absolute_url()).status_code == 404
    assert client.post(ticket.get_absolute_url(), {"body": "mine now"}).status_code == 404
    assert ticket.reference not in client.get(reverse("support:tickets")).content.decode()
    assert ticket.messages.count() == 1


def test_a_reply_reopens_a_waiting_ticket(user_client, ticket, django_capture_on_commit_callbacks):
    ticket.status = Ticket.Status.WAITING
    ticket.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(ticket.get_absolute_url(), {"body": "Thanks, and for 99214?"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert [m.body for m in ticket.messages.all()] == [FIRST, "Thanks, and for 99214?"]
    (email,) = mail.outbox
    assert email.subject == f"[RVU Edge] {ticket.reference}: new reply from {ticket.email}"
    assert "Thanks, and for 99214?" in email.body


def test_an_empty_reply_is_refused(user_client, ticket):
    response = user_client.post(ticket.get_absolute_url(), {"body": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["body"] == ["This field is required."]
    assert ticket.messages.count() == 1


def test_staff_reply_in_the_admin_emails_the_user_and_waits_for_them(
    staff_client, user_client, ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_reply(staff_client, ticket, "Track → Locations, then edit the clinic.")

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    reply = ticket.messages.get(from_staff=True)
    assert reply.body == "Track → Locations, then edit the clinic."
    assert reply.notified_at is not None
    (email,) = mail.outbox
    assert email.to == [ticket.email]
    assert ticket.reference in email.subject
    assert "Track → Locations, then edit the clinic." in email.body
    assert f"http://localhost:8000{ticket.get_absolute_url()}" in email.body
    page = user_client.get(ticket.get_absolute_url()).content.decode()
    assert "Track → Locations, then edit the clinic." in page
    assert "RVU Edge support" in page
    assert "Waiting for you" in page


def test_staff_can_close_while_replying(staff_client, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_reply(staff_client, ticket, "Done, closing this.", status="closed")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert len(mail.outbox) == 1


def test_saving_the_ticket_without_a_reply_sends_nothing(staff_client, ticket):
    response = staff_reply(staff_client, ticket, "", status="closed")

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.messages.count() == 1
    assert mail.outbox == []


def test_earlier_messages_cannot_be_edited_in_the_admin(staff_client, ticket):
    url = reverse("admin:support_ticket_change", args=[ticket.pk])
    page = staff_client.get(url)
    thread = page.context["inline_admin_formsets"][0].formset
    data = admin_change_data(page, **{thread.forms[0].add_prefix("body"): "rewritten"})

    staff_client.post(url, data)

    assert TicketMessage.objects.get().body == FIRST


def test_the_admin_lists_and_finds_tickets(staff_client, ticket):
    response = staff_client.get(reverse("admin:support_ticket_changelist"), {"q": "wRVU"})

    assert ticket.reference in response.content.decode()
    assert staff_client.get(reverse("admin:support_ticket_add")).status_code == 403
