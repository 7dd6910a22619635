"""The contact form: who can write, what it stores, spam defence and the emails it queues."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from support import services, tasks
from support.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db

CONTACT = reverse("support:contact")
MESSAGE = "Modifier 50 on 27447 shows 150% but my employer credits 100%. Which is right?"


def anonymous_post(client, **extra):
    data = {"email": "visitor@example.org", "topic": "logging", "message": MESSAGE, **extra}
    return client.post(CONTACT, data)


def test_anyone_can_send_a_message_and_gets_a_reference(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = anonymous_post(client)

    assert response.status_code == 302
    assert response.url == reverse("support:contact_sent")
    ticket = Ticket.objects.get()
    assert re.fullmatch(r"RVU-[2-9A-HJKMNP-Z]{6}", ticket.reference)
    assert (ticket.user, ticket.email, ticket.topic, ticket.status) == (
        None,
        "visitor@example.org",
        "logging",
        "open",
    )
    assert [m.body for m in ticket.messages.all()] == [MESSAGE]
    assert len(callbacks) == 1  # the email task, queued only once the ticket is committed
    page = client.get(response.url).content.decode()
    assert ticket.reference in page
    assert "visitor@example.org" in page


def test_a_signed_in_user_is_not_asked_for_an_email_and_replies_go_to_the_account(
    user_client, user
):
    page = user_client.get(CONTACT).content.decode()
    assert 'name="email"' not in page
    assert user.email in page

    response = user_client.post(
        CONTACT, {"topic": "account", "message": MESSAGE, "email": "someone-else@example.org"}
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.user, ticket.email) == (user, user.email)
    assert ticket.messages.get().author == user


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"topic": ""}, "topic", "This field is required."),
        ({"topic": "refund"}, "topic", "Select a valid choice."),
        ({"message": "help"}, "message", "Please tell us a little more"),
    ],
)
def test_an_incomplete_message_is_sent_back_with_the_reason(client, data, field, error):
    response = anonymous_post(client, **data)

    assert response.status_code == 200
    assert any(error in e for e in response.context["form"].errors[field])
    # The field names its error (after its help text, when it has one).
    assert re.search(f'aria-describedby="[^"]*id_{field}_error"', response.content.decode())
    assert not Ticket.objects.exists()


def test_the_honeypot_looks_like_success_but_stores_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = anonymous_post(client, website="http://cheap-pills.example")

    assert response.status_code == 302
    assert response.url == reverse("support:contact_sent")
    assert not Ticket.objects.exists()
    assert not callbacks
    assert mail.outbox == []
    page = client.get(response.url).content.decode()
    assert "RVU-" not in page


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client):
    page = client.get(CONTACT).content.decode()

    assert re.search(r'<div class="hp-field" aria-hidden="true">\s*<label for="id_website"', page)
    assert re.search(r'<input type="text" name="website"[^>]*tabindex="-1"', page)


def test_the_sixth_message_in_an_hour_is_refused_with_a_message_and_creates_nothing(client):
    for _ in range(5):
        assert anonymous_post(client).status_code == 302
    assert Ticket.objects.count() == 5

    response = anonymous_post(client)

    assert response.status_code == 429
    assert response.context["limited"]
    page = response.content.decode()
    assert "You have sent several messages in a short time" in page
    assert "Nothing was sent this time." in page
    assert Ticket.objects.count() == 5
    assert TicketMessage.objects.count() == 5


def test_the_limit_is_per_address(client):
    for _ in range(5):
        anonymous_post(client)

    other_address = Client(REMOTE_ADDR="203.0.113.9")

    assert anonymous_post(other_address).status_code == 302
    assert Ticket.objects.count() == 6


def test_behind_a_trusted_proxy_the_limit_is_per_forwarded_address(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = Client(HTTP_X_FORWARDED_FOR="203.0.113.2")
    for _ in range(5):
        anonymous_post(first)

    assert anonymous_post(first).status_code == 429
    assert anonymous_post(second).status_code == 302  # same proxy, another visitor


def test_the_limit_follows_a_signed_in_user_to_another_address(user):
    for number in range(5):
        client = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        client.force_login(user)
        assert client.post(CONTACT, {"topic": "other", "message": MESSAGE}).status_code == 302

    client = Client(REMOTE_ADDR="198.51.100.77")
    client.force_login(user)
    response = client.post(CONTACT, {"topic": "other", "message": MESSAGE})

    assert response.status_code == 429
    assert "your requests" in response.content.decode()
    assert Ticket.objects.filter(user=user).count() == 5


def test_honeypot_hits_count_toward_the_limit(client):
    for _ in range(5):
        anonymous_post(client, website="spam")

    assert anonymous_post(client).status_code == 429
    assert not Ticket.objects.exists()


def test_references_are_unique_even_when_one_is_drawn_twice(monkeypatch):
    drawn = iter(["RVU-AAAAAA", "RVU-AAAAAA", "RVU-BBBBBB"])
    monkeypatch.setattr(services, "new_reference", lambda: next(drawn))

    first = services.ticket_create(user=None, email="a@example.org", topic="other", body=MESSAGE)
    second = services.ticket_create(user=None, email="b@example.org", topic="other", body=MESSAGE)

    assert (first.reference, second.reference) == ("RVU-AAAAAA", "RVU-BBBBBB")


def test_the_email_task_run_twice_sends_each_email_once(settings):
    ticket = services.ticket_create(
        user=None, email="visitor@example.org", topic="codes", body=MESSAGE
    )

    first = tasks.ticket_created_notify.apply(args=[ticket.pk]).get()
    second = tasks.ticket_created_notify.apply(args=[ticket.pk]).get()

    assert first == ["confirmation_sent_at", "staff_notified_at"]
    assert second == []
    assert [m.to for m in mail.outbox] == [["visitor@example.org"], [settings.SUPPORT_EMAIL]]
    ticket.refresh_from_db()
    assert ticket.confirmation_sent_at and ticket.staff_notified_at


def test_a_failed_send_is_retried_and_the_email_not_marked_sent(monkeypatch):
    ticket = services.ticket_create(user=None, email="v@example.org", topic="codes", body=MESSAGE)
    calls = []

    def refuse(self, *args, **kwargs):
        calls.append(self.to)
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)

    with pytest.raises(ConnectionRefusedError):
        services.ticket_created_notify(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.confirmation_sent_at is None
    assert calls == [["v@example.org"]]
    assert issubclass(ConnectionRefusedError, tasks.RETRY["autoretry_for"])  # Celery retries


def test_a_task_for_a_ticket_deleted_meanwhile_does_nothing():
    assert services.ticket_created_notify(ticket_id=987654) == []
    assert services.ticket_message_notify(message_id=987654) is False
    assert mail.outbox == []


def test_the_confirmation_to_an_unconfirmed_address_does_not_repeat_the_message():
    spam = "Cheap pills at http://pills.example, reply now to claim your prize!"
    ticket = services.ticket_create(user=None, email="victim@example.org", topic="other", body=spam)

    services.ticket_created_notify(ticket_id=ticket.pk)

    confirmation, staff_copy = mail.outbox
    assert confirmation.to == ["victim@example.org"]
    assert ticket.reference in confirmation.body
    assert "pills" not in confirmation.body and "pills" not in confirmation.subject
    assert "not been confirmed as yours" in confirmation.body
    assert spam in staff_copy.body  # staff still read it


def test_a_signed_in_user_with_a_confirmed_address_gets_their_message_back(user):
    ticket = services.ticket_create(user=user, email="", topic="account", body=MESSAGE)

    services.ticket_created_notify(ticket_id=ticket.pk)

    assert mail.outbox[0].to == [user.email]
    assert MESSAGE in mail.outbox[0].body


def test_a_signed_in_user_whose_address_is_unconfirmed_does_not(db):
    from tests.factories import UserFactory

    unconfirmed = UserFactory(verified=False)
    ticket = services.ticket_create(user=unconfirmed, email="", topic="account", body=MESSAGE)

    services.ticket_created_notify(ticket_id=ticket.pk)

    assert mail.outbox[0].to == [unconfirmed.email]
    assert MESSAGE not in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_twelve_simultaneous_messages_store_exactly_the_limit(settings, eager_tasks):
    """Real threads, each with its own PostgreSQL connection, against the Redis cache."""
    import threading

    from django.db import connection

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    start = threading.Barrier(12)
    statuses = []

    def post():
        try:
            client = Client(REMOTE_ADDR="203.0.113.77")
            start.wait()
            statuses.append(anonymous_post(client).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [302] * 5 + [429] * 7
    assert Ticket.objects.count() == 5
