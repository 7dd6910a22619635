"""A physician's day typed at once: one encounter per patient, each credited on its own, and one
figure for the same lines on every surface (preview, confirmation, history, dashboard, reports,
API).

Real RVU26C rows (PPRRVU2026_Jul_nonQPP.csv, through the real importer); work RVUs quoted are the
file's: 20610 0.77 (MULT PROC 2), 27447 19.11 (BILAT SURG 1), 19303 14.63, 47562 10.21,
99213 1.30, 70450-26 0.83 and 72148-26 1.44 (MULT PROC 4, imaging: 95% for the second).
"""

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from codes.services import release_import
from tests import cms_files
from tracking.models import Encounter, Location, ProcedureLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def rvu26c(release, tmp_path):
    """RVU26C, current, with the rows of tests.cms_files.SLICE_CODES (RVU25D imported before)."""
    path = tmp_path / cms_files.PPRRVU_FILES["RVU26C"][1]
    source = cms_files.write_release_slice(path, "RVU26C")
    return release_import(source=source, make_current=True).release


@pytest.fixture
def api():
    return APIClient()


def save(client, text, **extra):
    data = {"text": text, "date": timezone.localdate(), "setting": "facility"} | extra
    return client.post(reverse("tracking:tracker"), data, follow=True)


def medicare_by_encounter(user):
    logs = ProcedureLog.objects.for_user(user).order_by("pk")
    found: dict[int, list[str]] = {}
    for log in logs:
        found.setdefault(log.encounter_id, []).append(str(log.medicare))
    return list(found.values())


# The day with two patients -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "per_patient"),
    [
        ("20610\n\n20610", False),
        ("20610 ; 20610", False),
        ("20610 / 20610", False),
        ("20610\n20610", True),
    ],
)
def test_two_patients_each_get_the_full_credit(client, attending, rvu26c, text, per_patient):
    client.force_login(attending)

    response = save(client, text, **({"per_patient": "on"} if per_patient else {}))

    # No multiple-procedure reduction across patients: 2 x 0.77, not 0.77 + 0.385.
    assert medicare_by_encounter(attending) == [["0.7700"], ["0.7700"]]
    assert Encounter.objects.filter(user=attending).count() == 2
    assert "Saved 2 entries in 2 encounters: 1.54 wRVU (Medicare-style, RVU26C)." in response.text


def test_one_patients_two_injections_are_ranked_together(client, attending, rvu26c):
    client.force_login(attending)

    response = save(client, "20610 20610")

    # One encounter: the second at 50% of 0.77 = 0.385, stored and shown exactly.
    assert medicare_by_encounter(attending) == [["0.7700", "0.3850"]]
    assert "Saved 2 entries in 1 encounter: 1.155 wRVU" in response.text


def test_the_preview_groups_lines_by_patient_with_subtotals(client, attending, rvu26c):
    client.force_login(attending)

    html = client.post(
        reverse("tracking:preview"), {"text": "20610 20610 ; 20610", "setting": "facility"}
    ).text

    assert "Patient 1" in html and "Patient 2" in html and "Patient 3" not in html
    assert subtotals(html) == [D("1.155"), D("0.77")]
    assert total(html) == D("1.925")
    assert "Total, 2 patients" in html
    assert "Ready: press Enter to save 2 encounters." in html


def test_the_per_patient_switch_reaches_the_preview(client, attending, rvu26c):
    client.force_login(attending)
    data = {"text": "20610\n20610", "setting": "facility"}

    together = client.post(reverse("tracking:preview"), data).text
    apart = client.post(reverse("tracking:preview"), data | {"per_patient": "on"}).text

    assert total(together) == D("1.155") and "Patient 2" not in together
    assert total(apart) == D("1.54") and subtotals(apart) == [D("0.77"), D("0.77")]


def test_the_tracker_explains_the_separators_and_offers_the_switch(client, attending, rvu26c):
    client.force_login(attending)

    html = client.get(reverse("tracking:tracker")).text

    assert "Start the next patient with a blank line, ; or /" in html
    assert 'name="per_patient"' in html and "Each line is a separate patient" in html


def test_a_bad_line_of_one_patient_saves_no_patient(client, attending, rvu26c):
    client.force_login(attending)

    response = save(client, "20610 ; 99999")

    assert response.status_code == 400
    assert "99999 is not a code in this fee schedule release." in response.text
    assert not ProcedureLog.objects.exists() and not Encounter.objects.exists()


# One figure everywhere --------------------------------------------------------------------------

# Four patients whose reductions fall between hundredths: each line's figure is stored and shown
# exactly, never rounded again (RVU26C, facility).
DAY = (
    "27447-50 20610\n\n"  # 19.11 x 150% = 28.665; 50% of 0.77 = 0.385
    "19303 47562 ; "  # 14.63; 50% of 10.21 = 5.105
    "99213-25 20610 x2 / "  # 1.30 (25: not in 20610's package); 0.77 + 0.385 = 1.155
    "70450-26 72148-26"  # 1.44; 95% of 0.83 = 0.7885
)
DAY_LINES = ["28.665", "0.385", "14.63", "5.105", "1.30", "1.155", "0.7885", "1.44"]
DAY_SUBTOTALS = ["29.05", "19.735", "2.455", "2.2285"]
DAY_TOTAL = D("53.4685")


def cells(html: str, row_class: str, label: str = "Medicare-style") -> list[D]:
    """The figures a person reads in the preview's rows of a class, in one column."""
    rows = re.findall(rf'<tr class="[^"]*\b{row_class}\b[^"]*".*?</tr>', html, re.S)
    pattern = rf'data-label="{label}"[^>]*>\s*([\d,.]+)\s*<'
    return [D(m.replace(",", "")) for row in rows for m in re.findall(pattern, row)]


def subtotals(html):
    return cells(html, "preview-subtotal")


def total(html):
    (found,) = cells(html, "preview-total")
    return found


def test_preview_confirmation_stored_and_every_total_agree(client, attending, rvu26c):
    client.force_login(attending)

    preview = client.post(reverse("tracking:preview"), {"text": DAY, "setting": "facility"}).text
    lines = cells(preview, "preview-line")
    assert lines == [D(v) for v in DAY_LINES]
    assert subtotals(preview) == [D(v) for v in DAY_SUBTOTALS]
    # The total a person reads is the sum of the lines they read.
    assert total(preview) == sum(lines) == DAY_TOTAL

    saved = save(client, DAY)
    assert f"Saved 8 entries in 4 encounters: {DAY_TOTAL} wRVU" in saved.text

    stored = [log.medicare for log in ProcedureLog.objects.for_user(attending).order_by("pk")]
    assert stored == lines  # the preview showed exactly the stored figures
    assert sum(stored) == DAY_TOTAL

    assert history_figures(client) == sorted(lines)
    assert dashboard_today(client) == DAY_TOTAL
    assert reports_total(client) == DAY_TOTAL
    assert api_totals(attending) == (DAY_TOTAL, DAY_TOTAL)


def history_figures(client) -> list[D]:
    html = client.get(reverse("tracking:history")).text
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>.*?</tr>", body, re.S)
    # Raw, Medicare-style, Policy: the second figure of each row.
    pattern = r'data-label="Medicare-style">([\d.,]+)</td>'
    return sorted(D(re.findall(pattern, row)[0]) for row in rows)


def dashboard_today(client) -> D:
    html = client.get(reverse("tracking:dashboard")).text
    card = html.split('data-testid="period-today"', 1)[1].split("</dl>", 1)[0]
    return D(re.search(r"<dt>Medicare</dt><dd>([\d.,]+)</dd>", card).group(1).replace(",", ""))


def reports_total(client) -> D:
    html = client.get(reverse("tracking:reports")).text
    return D(re.search(r"Medicare-style</dt><dd[^>]*>([\d.,]+)</dd>", html).group(1))


def api_totals(user) -> tuple[D, D]:
    api = APIClient()
    api.force_authenticate(user)
    today = timezone.localdate().isoformat()
    entries = api.get(reverse("api-logs-list"), {"page_size": 200}).json()["results"]
    stats = api.get(reverse("api-stats"), {"from": today, "to": today, "group_by": "day"}).json()
    return sum(D(e["medicare"]) for e in entries), D(stats["totals"]["medicare"])


# The API -------------------------------------------------------------------------------------


def test_the_api_logs_each_encounter_of_a_request_on_its_own(api, attending, rvu26c):
    api.force_authenticate(attending)
    today = timezone.localdate()
    yesterday = (today - timezone.timedelta(days=1)).isoformat()
    injection = {"code": "20610", "setting": "non_facility"}

    response = api.post(
        reverse("api-logs-list"),
        {
            "encounters": [
                [injection | {"date": today.isoformat()}, injection | {"date": today.isoformat()}],
                [injection | {"date": yesterday, "note": "second clinic"}],
            ]
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    first, second = response.json()["encounters"]
    assert [line["medicare"] for line in first] == ["0.7700", "0.3850"]
    assert [line["medicare"] for line in second] == ["0.7700"]
    assert first[0]["encounter"] == first[1]["encounter"] != second[0]["encounter"]
    assert second[0]["date"] == yesterday and second[0]["note"] == "second clinic"
    assert Encounter.objects.filter(user=attending).count() == 2


def test_a_list_and_one_object_keep_their_shape(api, attending, rvu26c):
    api.force_authenticate(attending)
    line = {"code": "20610", "setting": "facility"}

    as_list = api.post(reverse("api-logs-list"), [line, line], format="json")
    as_object = api.post(reverse("api-logs-list"), line, format="json")

    assert [entry["medicare"] for entry in as_list.json()] == ["0.7700", "0.3850"]
    assert as_object.json()["medicare"] == "0.7700"
    assert Encounter.objects.filter(user=attending).count() == 2


NOT_ENCOUNTERS = "Send a list of encounters, each a non-empty list of lines."


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"encounters": []}, {"encounters": [NOT_ENCOUNTERS]}),
        ({"encounters": [[]]}, {"encounters": [NOT_ENCOUNTERS]}),
        ({"encounters": "20610"}, {"encounters": [NOT_ENCOUNTERS]}),
        (
            {
                "encounters": [
                    [{"code": "20610", "setting": "facility"}],
                    [{"code": "99999", "setting": "facility"}],
                ]
            },
            {"encounters": {"1": {"0": {"code": ["99999 is not a code in RVU26C."]}}}},
        ),
        (
            {
                "encounters": [
                    [{"code": "20610", "setting": "facility"}],
                    [
                        {"code": "20610", "setting": "facility"},
                        {"code": "20610", "setting": "non_facility"},
                    ],
                ]
            },
            {"encounters": {"1": ["Lines of one encounter share their date, setting and"]}},
        ),
        # A list is one encounter; what is wrong with it as a whole is an object's message too.
        ([], {"non_field_errors": ["Send at least one line."]}),
        (
            [{"code": "20610", "setting": "facility"}, {"code": "20610", "setting": "office"}],
            {"1": {"setting": ['"office" is not a valid choice.']}},
        ),
        (
            [
                {"code": "20610", "setting": "facility"},
                {"code": "20610", "setting": "non_facility"},
            ],
            {"non_field_errors": ["Lines of one encounter share their date, setting and"]},
        ),
        (
            {"encounters": [[{"code": "27447", "modifiers": ["TC"], "setting": "facility"}]]},
            {"encounters": {"0": {"0": {"modifiers": ["Modifier TC cannot be used with 27447"]}}}},
        ),
    ],
)
def test_bad_encounters_are_named_and_nothing_is_saved(api, attending, rvu26c, body, errors):
    api.force_authenticate(attending)

    response = api.post(reverse("api-logs-list"), body, format="json")

    assert response.status_code == 400
    assert_contains(response.json(), errors)
    assert not ProcedureLog.objects.exists()


def assert_contains(found, expected):
    """Each expected message starts a message found at the same place."""
    if isinstance(expected, dict):
        assert isinstance(found, dict) and set(expected) <= set(found), found
        for key, value in expected.items():
            assert_contains(found[key], value)
    elif isinstance(expected, list):
        assert isinstance(found, list) and len(found) == len(expected), found
        for got, want in zip(found, expected, strict=True):
            assert_contains(got, want)
    else:
        assert str(found).startswith(expected), found


def test_the_api_refuses_another_users_location_in_an_encounter(api, attending, other_user, rvu26c):
    theirs = Location.objects.create(user=other_user, name="Their clinic")
    api.force_authenticate(attending)

    response = api.post(
        reverse("api-logs-list"),
        {"encounters": [[{"code": "20610", "setting": "facility", "location": theirs.pk}]]},
        format="json",
    )

    assert response.status_code == 400
    assert "location" in str(response.json())
    assert not ProcedureLog.objects.exists()


@pytest.mark.parametrize(
    ("text", "per_patient", "credits"),
    [
        ("20610 20610", False, [["0.7700", "0.3850"]]),
        ("20610 ; 20610", False, [["0.7700"], ["0.7700"]]),
        ("20610\n\n20610 / 99213", False, [["0.7700"], ["0.7700"], ["1.3000"]]),
        ("20610\n20610", True, [["0.7700"], ["0.7700"]]),
    ],
)
def test_quick_entry_by_api_reads_separators_and_the_switch(
    api, attending, rvu26c, text, per_patient, credits
):
    api.force_authenticate(attending)

    response = api.post(
        reverse("api-logs-quick"),
        {"text": text, "setting": "facility", "per_patient": per_patient},
        format="json",
    )

    assert response.status_code == 201, response.json()
    found: dict[int, list[str]] = {}
    for line in response.json():
        found.setdefault(line["encounter"], []).append(line["medicare"])
    assert list(found.values()) == credits
    assert medicare_by_encounter(attending) == credits
