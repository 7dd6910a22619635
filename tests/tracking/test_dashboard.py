"""The dashboard's figures against a hand-worked fixture, and who may see what."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from benchmarks.models import Benchmark
from codes.wrvu import LineSpec
from tracking import services
from tracking.models import CompensationTier, DayOff, Location, Preferences
from tracking.selectors import period_totals, standing

D = Decimal
pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 24)  # a Friday


def log(user, release, day, code, location=None):
    code, *modifiers = code.split("-")
    services.encounter_create(
        user=user,
        details=services.EntryDetails(date=day, setting="facility", location=location),
        lines=[LineSpec(code, tuple(modifiers))],
        release=release,
    )


@pytest.fixture
def year_of_work(attending, release):
    """RVU25D work RVUs: 99213 1.30, 27447 19.60, 47562 10.47, 99214 1.92. Today's visit is
    three days after the knee: 24 says it is unrelated (else the 090-day package holds it)."""
    with time_machine.travel(dt.datetime(2026, 4, 24, 15, 0), tick=False):
        log(attending, release, TODAY, "99213-24")
        log(attending, release, dt.date(2026, 4, 21), "27447")
        log(attending, release, dt.date(2026, 3, 10), "47562")
        log(attending, release, dt.date(2025, 12, 1), "99213")
        log(attending, release, dt.date(2025, 4, 22), "99214")
    Preferences.objects.create(
        user=attending,
        fiscal_year_start_month=7,
        annual_wrvu_target=D("5220"),
        dollars_per_wrvu=D("50"),
    )
    attending.specialty = "internal_medicine"
    attending.save()
    return attending


def test_period_totals_and_their_comparisons(year_of_work):
    found = {p.period.key: p for p in period_totals(year_of_work, TODAY, 7)}

    current = {key: p.current.medicare for key, p in found.items()}
    previous = {key: p.previous.medicare for key, p in found.items()}
    assert current == {
        "today": D("1.30"),
        "week": D("20.90"),
        "month": D("20.90"),
        "quarter": D("20.90"),
        "year": D("31.37"),
        "fiscal": D("32.67"),  # from July 1, 2025
    }
    assert previous == {
        "today": D("0"),
        "week": D("0"),
        "month": D("10.47"),  # March 1 to 24
        "quarter": D("0"),  # January 1 to 24
        "year": D("1.92"),  # 2025 to April 24
        "fiscal": D("1.92"),  # July 2024 to April 24, 2025
    }
    assert found["month"].change("medicare") == D("99.6")  # 20.90 / 10.47 - 1
    assert found["week"].change("medicare") is None
    assert found["fiscal"].current.entries == 4


def test_goal_pace_and_pay(year_of_work):
    result = standing(year_of_work, TODAY)

    # Fiscal year July 1, 2025 to June 30, 2026: 261 working days, 214 of them by April 24.
    assert result.year == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert (result.pace.working_days_year, result.pace.working_days_elapsed) == (261, 214)
    assert result.pace.expected == D("4280.00")  # 5220 x 214 / 261
    assert result.pace.summary == "4,247.33 wRVUs behind"
    assert result.pace.projection == D("39.85")  # 32.67 x 261 / 214
    assert result.pay_to_date.total == D("1633.50")  # 32.67 x $50
    assert result.pay_projected.total == D("1992.50")  # 39.85 x $50


def test_tiers_and_location_rates(year_of_work, release):
    CompensationTier.objects.create(user=year_of_work, starts_at=D("0"), rate=D("45"))
    CompensationTier.objects.create(user=year_of_work, starts_at=D("20"), rate=D("52"))
    center = Location.objects.create(user=year_of_work, name="Center", dollars_per_wrvu=D("60"))
    with time_machine.travel(dt.datetime(2026, 4, 24, 16, 0), tick=False):
        log(year_of_work, release, TODAY, "99213-24", location=center)

    lines = standing(year_of_work, TODAY).pay_to_date.lines

    assert [(line.label, line.wrvu, line.amount) for line in lines] == [
        ("Center at its own rate", D("1.30"), D("78.00")),
        ("0-20 wRVU", D("20"), D("900.00")),
        ("above 20 wRVU", D("12.67"), D("658.84")),
    ]


def test_days_off_move_the_pace(year_of_work):
    DayOff.objects.create(user=year_of_work, date=dt.date(2025, 11, 27), label="Thanksgiving")

    result = standing(year_of_work, TODAY)

    assert (result.pace.working_days_year, result.pace.working_days_elapsed) == (260, 213)
    assert result.pace.expected == D("4276.38")  # 5220 x 213 / 260 = 4276.3846


def test_benchmarks_show_a_percentile_or_the_cited_figures(year_of_work):
    for statistic, value in (("p25", "30"), ("median", "40"), ("p75", "50")):
        Benchmark.objects.create(
            table="Practice table", specialty="Internal Medicine",
            specialty_key="internal_medicine", statistic=statistic, annual_wrvu=D(value),
            survey_year=2025, source="Our group's 2025 productivity report",
        )  # fmt: skip
    Benchmark.objects.create(
        specialty="Internal Medicine", specialty_key="internal_medicine", statistic="median",
        annual_wrvu=D("4800"), survey_year=2019, source="A cited public figure",
    )  # fmt: skip

    groups = {g["source"]: g for g in standing(year_of_work, TODAY).benchmarks}

    # 39.85 sits between p25 (30) and the median (40): 25 + 9.85/10 x 25 = 49.6.
    assert groups["Our group's 2025 productivity report"]["percentile"] == (
        "about the 50th percentile"
    )
    assert groups["A cited public figure"]["percentile"] is None


@time_machine.travel(dt.datetime(2026, 4, 24, 15, 0), tick=False)
def test_the_page_shows_the_figures(client, year_of_work):
    client.force_login(year_of_work)

    html = client.get(reverse("tracking:dashboard")).content.decode()

    for text in ("32.67", "4,247.33 wRVUs behind", "$1,633.50", "$1,992.50", "Total knee"):
        assert text in html, text
    assert "▲ 99.6% vs before" in html


@time_machine.travel(dt.datetime(2026, 4, 24, 15, 0), tick=False)
@pytest.mark.parametrize(
    ("range_key", "group"), [("12m", "month"), ("month", "day"), ("5y", "week")]
)
def test_the_chart_period_can_change(client, year_of_work, range_key, group):
    client.force_login(year_of_work)

    response = client.get(reverse("tracking:dashboard"), {"range": range_key, "group_by": group})

    assert response.status_code == 200
    assert response.context["group"] == group


def test_a_new_user_sees_how_to_start(client, attending):
    client.force_login(attending)

    html = client.get(reverse("tracking:dashboard")).content.decode()

    assert "Log my first procedure" in html


@pytest.mark.parametrize(
    "name", ["tracking:dashboard", "tracking:goals", "tracking:case_log", "tracking:case_log_csv"]
)
def test_pages_need_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_another_user_sees_none_of_it(client, year_of_work, other_user):
    tier = CompensationTier.objects.create(user=year_of_work, starts_at=D("0"), rate=D("45"))
    day = DayOff.objects.create(user=year_of_work, date=TODAY)
    client.force_login(other_user)

    assert "Log my first procedure" in client.get(reverse("tracking:dashboard")).content.decode()
    assert client.post(reverse("tracking:tier_delete", args=[tier.pk])).status_code == 404
    assert client.post(reverse("tracking:day_off_delete", args=[day.pk])).status_code == 404
    assert b"27447" not in b"".join(client.get(reverse("tracking:case_log_csv")).streaming_content)


def test_goals_are_saved(client, attending):
    client.force_login(attending)

    client.post(
        reverse("tracking:goals"),
        {"save_goals": "1", "annual_wrvu_target": "6000", "dollars_per_wrvu": "51.5",
         "fiscal_year_start_month": "7", "goal_figure": "medicare"},
    )  # fmt: skip
    client.post(reverse("tracking:goals"), {"add_tier": "1", "starts_at": "5000", "rate": "52"})
    client.post(
        reverse("tracking:goals"), {"add_day": "1", "date": "2026-12-25", "label": "Holiday"}
    )

    prefs = Preferences.objects.get(user=attending)
    assert (prefs.annual_wrvu_target, prefs.dollars_per_wrvu) == (D("6000"), D("51.5"))
    assert (prefs.fiscal_year_start_month, prefs.goal_figure) == (7, "medicare")
    assert CompensationTier.objects.get(user=attending).rate == D("52")
    assert DayOff.objects.get(user=attending).label == "Holiday"


def test_case_log_by_academic_year_and_role(client, resident, release):
    for day, role, attending in (
        (dt.date(2025, 6, 30), "observed", "Dr. Lee"),
        (dt.date(2025, 7, 1), "assisted", "Dr. Rivera"),
        (dt.date(2025, 9, 2), "performed", "Dr. Rivera"),
    ):
        services.encounter_create(
            user=resident,
            details=services.EntryDetails(
                date=day, setting="facility", role=role, supervising_attending=attending
            ),
            lines=[LineSpec("47562")],
            release=release,
        )
    client.force_login(resident)

    csv_text = b"".join(client.get(reverse("tracking:case_log_csv")).streaming_content).decode()
    lines = csv_text.strip().splitlines()

    assert lines[0].startswith("academic_year,code,description")
    assert [line.split(",")[0] + "," + line.split(",")[4] for line in lines[1:]] == [
        "2024-25,observed",
        "2025-26,assisted",
        "2025-26,performed",
    ]
    assert (
        "Dr. Rivera"
        in client.get(reverse("tracking:case_log"), {"year": "2025-26"}).content.decode()
    )


def test_a_student_keeps_the_log_on_becoming_a_resident(client, release):
    from tests.factories import UserFactory

    student = UserFactory(career_stage="student", specialty="undecided")
    log(student, release, dt.date(2025, 3, 3), "99213")
    student.career_stage, student.pgy_year, student.program = "resident", 1, "Mercy IM"
    student.save()

    client.force_login(student)
    assert "99213" in client.get(reverse("tracking:case_log")).content.decode()


@time_machine.travel(dt.datetime(2026, 4, 24, 15, 0), tick=False)
def test_stats_api_answers_the_contract(year_of_work):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(year_of_work)

    body = api.get(
        reverse("api-stats"), {"from": "2026-03-01", "to": "2026-04-24", "group_by": "month"}
    ).json()

    assert body["totals"] == {
        "entries": 3,
        "raw": "31.3700",
        "medicare": "31.3700",
        "policy": "31.3700",
    }
    assert body["series"] == [
        {"period": "2026-03-01", "entries": 1, "raw": "10.4700", "medicare": "10.4700",
         "policy": "10.4700"},
        {"period": "2026-04-01", "entries": 2, "raw": "20.9000", "medicare": "20.9000",
         "policy": "20.9000"},
    ]  # fmt: skip
    weeks = api.get(
        reverse("api-stats"), {"from": "2026-04-13", "to": "2026-04-24", "group_by": "week"}
    )
    assert [row["period"] for row in weeks.json()["series"]] == ["2026-04-13", "2026-04-20"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "yesterday"}, "is not a date"),
        ({"group_by": "year"}, "Use day, week or month."),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "on or before"),
    ],
)
def test_stats_api_explains_bad_parameters(attending, params, message):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(attending)

    response = api.get(reverse("api-stats"), params)

    assert response.status_code == 400
    assert message in str(response.json())


def test_stats_api_needs_authentication_and_counts_only_the_users_entries(year_of_work, other_user):
    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get(reverse("api-stats")).status_code == 401
    api.force_authenticate(other_user)
    assert api.get(reverse("api-stats"), {"from": "2020-01-01"}).json()["totals"]["entries"] == 0


def test_case_log_csv_writes_a_formula_like_attending_as_text(client, resident, release):
    services.encounter_create(
        user=resident,
        details=services.EntryDetails(
            date=dt.date(2025, 9, 2),
            setting="facility",
            role="assisted",
            supervising_attending='=HYPERLINK("http://x.example","Dr")',
        ),
        lines=[LineSpec("47562")],
        release=release,
    )
    client.force_login(resident)

    body = b"".join(client.get(reverse("tracking:case_log_csv")).streaming_content).decode()
    row = next(csv.DictReader(io.StringIO(body)))

    assert row["supervising_attendings"] == '\'=HYPERLINK("http://x.example","Dr")'


# Where the year starts: an honest day one --------------------------------------------------------

MONDAY = dt.datetime(2026, 4, 20, 15, 0)  # fiscal year = calendar year: 78 working days so far


@time_machine.travel(MONDAY, tick=False)
def test_day_one_shows_when_tracking_began_not_thousands_behind(client, attending, release):
    Preferences.objects.create(user=attending, annual_wrvu_target=D("5220"))
    log(attending, release, dt.date(2026, 4, 20), "99213")
    client.force_login(attending)

    html = client.get(reverse("tracking:dashboard")).content.decode()

    assert "behind" not in html
    assert "Too early for a pace: 1 working day logged" in html
    assert "Tracking since <strong>Apr 20, 2026</strong>" in html
    assert "Your annualised wRVUs show after a week of logging." in html
    result = standing(attending, dt.date(2026, 4, 20))
    assert result.pace.expected == D("20.00")  # 5220 / 261, one day's share
    assert result.annualised is None  # one day says nothing about a year


@time_machine.travel(MONDAY, tick=False)
def test_tracking_since_and_wrvus_carried_in_count_toward_goal_and_pay(client, attending, release):
    log(attending, release, dt.date(2026, 3, 2), "99213")  # before the date given: not counted
    log(attending, release, dt.date(2026, 4, 14), "27447")  # 19.60
    client.force_login(attending)

    client.post(
        reverse("tracking:goals"),
        {"save_goals": "1", "annual_wrvu_target": "5220", "dollars_per_wrvu": "50",
         "fiscal_year_start_month": "1", "goal_figure": "medicare",
         "tracking_since": "2026-04-13", "carried_wrvu": "1400"},
    )  # fmt: skip
    result = standing(attending, dt.date(2026, 4, 20))

    assert (result.tracking.since, result.tracking.carried) == (dt.date(2026, 4, 13), D("1400"))
    assert result.done == D("1419.60")
    assert result.pace.expected == D("1560.00")  # 78 of 261 working days: the whole year so far
    assert result.pace.summary == "140.40 wRVUs behind"
    assert result.pay_to_date.total == D("70980.00")  # 1419.60 x $50
    html = client.get(reverse("tracking:dashboard")).content.decode()
    assert "with 1,400.00 wRVUs done before it" in html
    assert "(with 1,400.00 carried in)" in html


def test_a_tracking_date_in_the_future_is_refused(client, attending):
    client.force_login(attending)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(
        reverse("tracking:goals"),
        {"save_goals": "1", "fiscal_year_start_month": "1", "goal_figure": "policy",
         "tracking_since": tomorrow.isoformat()},
    )  # fmt: skip

    assert "Tracking cannot start in the future." in response.content.decode()
    assert not Preferences.objects.filter(user=attending).exists()
