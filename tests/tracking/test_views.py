import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from codes.wrvu import LineSpec
from tracking import services
from tracking.models import Favorite, Location, LogTemplate, ProcedureLog, RepriceBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(attending, release):
    (log,) = services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("99213")],
        release=release,
    )
    return log


@pytest.fixture
def owned(attending, entry, release, newer_release):
    """One of each thing an attending owns, keyed by what the URLs need."""
    location = Location.objects.create(user=attending, name="Main OR")
    template = services.log_template_create(
        user=attending, name="Knee", lines=[LineSpec("27447", ("RT",))]
    )
    today = timezone.localdate()
    batch = services.reprice_apply(
        user=attending, release=newer_release, date_from=today, date_to=today
    )
    return {"entry": entry, "location": location, "template": template, "batch": batch}


# (url name, kwargs from `owned`, method, data)
OWNED_URLS = [
    ("tracking:entry", "entry", "get", None),
    ("tracking:entry_edit", "entry", "get", None),
    ("tracking:entry_delete", "entry", "get", None),
    ("tracking:location_edit", "location", "get", None),
    ("tracking:template_log", "template", "post", {}),
    ("tracking:template_delete", "template", "post", {}),
    ("tracking:reprice_undo", "batch", "post", {}),
]
PAGES = [
    "tracking:tracker",
    "tracking:history",
    "tracking:changes",
    "tracking:templates",
    "tracking:locations",
    "tracking:policy",
    "tracking:reprice",
]


@pytest.mark.parametrize(("name", "key", "method", "data"), OWNED_URLS)
def test_owner_reaches_their_objects(client, attending, owned, name, key, method, data):
    client.force_login(attending)
    response = getattr(client, method)(reverse(name, args=[owned[key].pk]), data)

    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("name", "key", "method", "data"), OWNED_URLS)
def test_another_user_gets_404(client, other_user, owned, name, key, method, data):
    client.force_login(other_user)
    response = getattr(client, method)(reverse(name, args=[owned[key].pk]), data)

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "key", "method", "data"), OWNED_URLS)
def test_anonymous_is_sent_to_sign_in(client, owned, name, key, method, data):
    response = getattr(client, method)(reverse(name, args=[owned[key].pk]), data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_sign_in_and_show_only_the_users_data(
    client, attending, other_user, owned, name
):
    assert client.get(reverse(name)).status_code == 302

    client.force_login(other_user)
    html = client.get(reverse(name)).content.decode()
    assert "Main OR" not in html
    assert "Knee" not in html
    assert f"/track/entries/{owned['entry'].pk}/" not in html

    client.force_login(attending)
    assert client.get(reverse(name)).status_code == 200


def test_quick_entry_saves_one_encounter(client, attending, release):
    client.force_login(attending)

    response = client.post(
        reverse("tracking:tracker"),
        {"text": "99213 27447-50, 20610 x2", "date": timezone.localdate(), "setting": "facility"},
    )

    assert response.status_code == 302
    logs = ProcedureLog.objects.for_user(attending).order_by("pk")
    assert [str(log).split(" on ")[0] for log in logs] == ["99213", "27447-50", "20610"]
    assert logs[2].units == 2
    assert len({log.encounter_id for log in logs}) == 1


def test_quick_entry_lists_the_recent_entries_in_the_same_queries_however_many(
    client, attending, release
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def log(code, modifiers=(), days_ago=0):
        services.encounter_create(
            user=attending,
            details=services.EntryDetails(
                date=today - dt.timedelta(days=days_ago), setting="facility"
            ),
            lines=[LineSpec(code, modifiers)],
            release=release,
        )

    client.force_login(attending)
    today = timezone.localdate()
    url = reverse("tracking:tracker")
    log("27447", ("50",))
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    assert f"{today:%b} {today.day} · 27447-50" in html
    for days_ago in range(1, 13):
        log("20610", days_ago=days_ago)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()

    recent = html.split("Recent entries")[1]
    assert recent.count("· 20610</a>") == 9  # the ten newest, each with its credit
    assert len(many) == len(one)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("99213 99999", "99999 is not a code in this fee schedule release."),
        ("27447-ZZ", "ZZ is not a modifier."),
        ("20610 x100", "Units must be between 1 and 99."),
    ],
)
def test_quick_entry_saves_nothing_until_lines_are_fixed(client, attending, release, text, message):
    client.force_login(attending)

    response = client.post(
        reverse("tracking:tracker"),
        {"text": text, "date": timezone.localdate(), "setting": "facility"},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProcedureLog.objects.exists()


def test_quick_entry_refuses_a_future_date(client, attending, release):
    client.force_login(attending)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(
        reverse("tracking:tracker"), {"text": "99213", "date": tomorrow, "setting": "facility"}
    )

    assert "cannot be in the future" in response.content.decode()
    assert not ProcedureLog.objects.exists()


def test_preview_shows_credit_and_explanation(client, attending, release):
    client.force_login(attending)

    html = client.post(
        reverse("tracking:preview"), {"text": "19303 47562", "setting": "facility"}
    ).content.decode()

    assert "ranked 2nd by fee: 50% of 10.47" in html
    assert "20.235" in html  # 15.00 + 5.235, shown exactly as it will be stored


def test_preview_says_when_a_run_of_digits_does_not_read(client, attending, release):
    client.force_login(attending)

    html = client.post(
        reverse("tracking:preview"), {"text": "992135243699", "setting": "facility"}
    ).content.decode()

    # 99213-52 then 43699, which is not among the fixture's codes: the run does not read.
    assert "does not read as codes of this release" in html


def test_preview_asks_whether_a_capital_x2_is_units_or_the_modifier(client, attending, release):
    client.force_login(attending)

    html = client.post(
        reverse("tracking:preview"), {"text": "20610 X2", "setting": "facility"}
    ).content.decode()

    assert "can be read more than one way" in html
    assert 'data-text="20610 x2"' in html and 'data-text="20610-X2"' in html


def test_spaced_units_are_saved_as_units(client, attending, release):
    client.force_login(attending)

    response = client.post(
        reverse("tracking:tracker"),
        {"text": "99213 x 2", "date": timezone.localdate(), "setting": "facility"},
    )

    assert response.status_code == 302
    assert ProcedureLog.objects.get(user=attending).units == 2


RUN = "992135243644"  # 99213-52 + 43644, a gastric bypass (29.40 work RVU in RVU25D)


def test_a_run_read_as_a_high_value_procedure_is_confirmed_before_saving(
    client, attending, release
):
    client.force_login(attending)
    data = {"text": RUN, "date": timezone.localdate(), "setting": "facility"}

    asked = client.post(reverse("tracking:tracker"), data)

    assert asked.status_code == 400
    html = asked.content.decode()
    assert "“992135243644” was read as 99213-52 + 43644 (43644 is 29.40 work RVU)" in html
    assert f'name="confirm" value="{RUN}"' in html
    assert not ProcedureLog.objects.exists()

    saved = client.post(reverse("tracking:tracker"), data | {"confirm": RUN})

    assert saved.status_code == 302
    logs = ProcedureLog.objects.for_user(attending).order_by("pk")
    assert [str(log).split(" on ")[0] for log in logs] == ["99213-52", "43644"]


def test_a_confirmation_holds_only_for_the_text_it_was_given_for(client, attending, release):
    client.force_login(attending)
    data = {"text": RUN + " 99214", "date": timezone.localdate(), "setting": "facility"}

    response = client.post(reverse("tracking:tracker"), data | {"confirm": RUN})

    assert response.status_code == 400
    assert not ProcedureLog.objects.exists()


def test_runs_of_visit_codes_and_spaced_codes_need_no_confirmation(client, attending, release):
    client.force_login(attending)

    for text in ("9921399214", "99213-52 43644"):
        response = client.post(
            reverse("tracking:tracker"),
            {"text": text, "date": timezone.localdate(), "setting": "facility"},
        )
        assert response.status_code == 302, text
    assert ProcedureLog.objects.for_user(attending).count() == 4


def test_the_preview_shows_the_reading_to_confirm(client, attending, release):
    client.force_login(attending)

    html = client.post(
        reverse("tracking:preview"), {"text": RUN, "setting": "facility"}
    ).content.decode()

    assert 'data-testid="confirm-reading"' in html
    assert "saving asks you to confirm it" in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("27447-TC", "Modifier TC cannot be used with 27447"),
        ("99213 27447-26", "Modifier 26 cannot be used with 27447"),
        ("20610-50 x2", "Modifier 50 means both sides on one line with 1 unit"),
    ],
)
def test_quick_entry_refuses_lines_the_fee_schedule_forbids(
    client, attending, release, text, message
):
    client.force_login(attending)

    response = client.post(
        reverse("tracking:tracker"),
        {"text": text, "date": timezone.localdate(), "setting": "facility"},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProcedureLog.objects.exists()


def test_preview_warns_about_identifiers_in_the_note(client, attending, release):
    client.force_login(attending)

    html = client.post(
        reverse("tracking:preview"),
        {"text": "99213", "setting": "facility", "note": "MRN 00482913"},
    ).content.decode()

    assert "medical record number" in html


def test_resident_logs_role_and_attending(client, resident, release):
    client.force_login(resident)

    client.post(
        reverse("tracking:tracker"),
        {
            "text": "47562",
            "date": timezone.localdate(),
            "setting": "facility",
            "role": "assisted",
            "supervising_attending": "Dr. Rivera",
        },
    )

    log = ProcedureLog.objects.get(user=resident)
    assert (log.role, log.supervising_attending) == ("assisted", "Dr. Rivera")


def test_history_filters(client, attending, release):
    for text in ("99213", "27447"):
        services.encounter_create(
            user=attending,
            details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
            lines=[LineSpec(text)],
            release=release,
        )
    client.force_login(attending)

    html = client.get(reverse("tracking:history"), {"code": "27447"}).content.decode()

    assert "Total knee arthroplasty" in html
    assert "Office o/p est low" not in html
    # Each row's checkbox names its entry once: code and date.
    assert f'aria-label="Select 27447 on {timezone.localdate().isoformat()}"' in html


def test_history_rows_show_each_entry_escaped(client, attending, release, newer_release):
    today = timezone.localdate()
    place = Location.objects.create(user=attending, name='Main <OR> & "East"')
    knee, injection = services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=today, setting="facility", location=place),
        lines=[LineSpec("27447", ("50",)), LineSpec("20610", (), 2)],
        release=release,  # RVU25D for a date of RVU26C's: flagged
    )
    client.force_login(attending)

    html = client.get(reverse("tracking:history")).content.decode()
    row = html[html.index(f'name="ids" value="{knee.pk}"') :].split("</tr>")[0]

    assert f'<a href="/track/entries/{knee.pk}/">27447-50</a>' in row
    assert f'<a href="/track/entries/{injection.pk}/">20610</a> ×2' in html
    assert "Main &lt;OR&gt; &amp; &quot;East&quot;" in row and "<OR>" not in html
    assert ">Facility<" in row and 'data-label="Role">Performed' in row
    assert f'data-label="Medicare-style">{knee.medicare.normalize():f}'.rstrip("0") in row
    assert knee.release_flag and release.name in row and 'class="badge text-bg-warning"' in row
    assert f": {knee.release_note}" in row.replace("&#x27;", "'")


def test_history_shows_warnings_stored_as_a_message_alone(client, attending, entry):
    # Warnings from before rule ids were kept (or restored from an old backup) are plain text.
    ProcedureLog.objects.filter(pk=entry.pk).update(
        warnings=["Checked <by hand>", {"rule": "mue", "message": "Over the MUE"}]
    )
    client.force_login(attending)

    html = client.get(reverse("tracking:history")).content.decode()

    assert 'data-rule="credit">⚠ Checked &lt;by hand&gt;</div>' in html
    assert 'data-rule="mue">⚠ Over the MUE</div>' in html


def test_bulk_delete_asks_for_confirmation(client, attending, entry):
    client.force_login(attending)

    response = client.post(reverse("tracking:bulk_delete"), {"ids": [entry.pk]})
    assert "Delete 1 entry?" in response.content.decode()
    assert ProcedureLog.objects.filter(pk=entry.pk).exists()

    client.post(reverse("tracking:bulk_delete"), {"ids": [entry.pk], "confirm": "yes"})
    assert not ProcedureLog.objects.filter(pk=entry.pk).exists()


def test_bulk_delete_ignores_other_users_entries(client, other_user, entry):
    client.force_login(other_user)

    client.post(reverse("tracking:bulk_delete"), {"ids": [entry.pk], "confirm": "yes"})

    assert ProcedureLog.objects.filter(pk=entry.pk).exists()


def test_favorite_toggles(client, attending, release):
    client.force_login(attending)
    url = reverse("tracking:favorite_toggle", args=["99213"])

    client.post(url)
    assert Favorite.objects.filter(user=attending, code__code="99213").exists()
    client.post(url)
    assert not Favorite.objects.filter(user=attending).exists()


def test_template_is_created_from_quick_entry_text(client, attending, release):
    client.force_login(attending)

    client.post(reverse("tracking:templates"), {"name": "Lap chole", "lines": "47562 19303-RT"})

    template = LogTemplate.objects.get(user=attending)
    lines = [(line.code.code, line.modifiers) for line in template.lines.all()]
    assert lines == [("47562", ""), ("19303", "RT")]


def test_reprice_page_previews_then_applies(client, attending, entry, newer_release):
    client.force_login(attending)
    today = timezone.localdate().isoformat()
    data = {"release": newer_release.pk, "start": today, "end": today}

    html = client.post(reverse("tracking:reprice"), data).content.decode()
    assert "1 of 1 entry would change" in html
    assert "RVU25D → RVU26C" in html
    assert not RepriceBatch.objects.exists()

    client.post(reverse("tracking:reprice"), data | {"apply": "yes"})
    entry.refresh_from_db()
    assert entry.release == newer_release
    assert entry.medicare == Decimal("1.3000")


def test_the_line_form_adds_a_line_without_javascript(client, attending, release):
    client.force_login(attending)

    response = client.post(
        reverse("tracking:tracker"),
        {
            "text": "99213",
            "line_code": "27447",
            "line_modifiers": ["50", "RT"],
            "line_units": "1",
            "date": timezone.localdate(),
            "setting": "facility",
        },
    )

    assert response.status_code == 302
    logs = ProcedureLog.objects.for_user(attending).order_by("pk")
    assert [(log.code.code, log.modifiers) for log in logs] == [("99213", ""), ("27447", "50-RT")]


def test_the_line_form_refuses_words_that_are_not_a_code(client, attending, release):
    client.force_login(attending)

    response = client.post(
        reverse("tracking:tracker"),
        {"line_code": "knee", "date": timezone.localdate(), "setting": "facility"},
    )

    assert response.status_code == 400
    assert "is not a code: pick one from the suggestions" in response.content.decode()
    assert not ProcedureLog.objects.exists()
