"""Contract pages: owner only, forms that keep what was typed, pay by period, offers side by
side with their PDF, the planner, and the dashboard paying under the contract in force."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from codes.wrvu import LineSpec
from contracts import selectors as contract_selectors
from contracts.models import Contract
from tests.contracts.factories import contract, offer
from tracking import services as tracking_services

pytestmark = pytest.mark.django_db
D = Decimal
# Friday May 15 2026 at noon in New York: day 135 of 365, the 97th working day of 261.
MAY_15 = dt.datetime(2026, 5, 15, 16, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def on_may_15():
    with time_machine.travel(MAY_15, tick=False):
        yield


@pytest.fixture
def knees(attending, release):
    """Ten total knees, one a day from Mar 2 2026: 10 x 19.60 = 196.00 wRVU (both figures)."""
    return [
        tracking_services.encounter_create(
            user=attending,
            details=tracking_services.EntryDetails(
                date=dt.date(2026, 3, 2) + dt.timedelta(days=day), setting="facility"
            ),
            lines=[LineSpec("27447")],
            release=release,
        )
        for day in range(10)
    ]


@pytest.fixture
def signed(attending):
    return contract(attending, base_salary=D(365000), threshold_wrvu=D(100))


def formset_data(prefix, rows, extra=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{key}": value for key, value in row.items()}
    return data


def contract_post(**changes):
    data = {
        "name": "Valley Ortho offer",
        "status": "offer",
        "start_date": "2026-07-01",
        "end_date": "",
        "base_salary": "320000",
        "threshold_wrvu": "5000",
        "figure": "policy",
        "reconciliation": "quarterly",
        "draw": "0",
        "shortfall": "clawback",
        **formset_data("tiers", [{"from_wrvu": "0", "rate": "50"},
                                 {"from_wrvu": "7000", "rate": "58"}]),
        **formset_data("bonuses", [{"name": "Quality", "kind": "percent", "value": "5",
                                    "achieved_percent": "80"}]),
        **formset_data("stipends", [{"kind": "call", "name": "", "annual_amount": "15000"}]),
        **formset_data("location_rates", []),
    }  # fmt: skip
    return data | changes


# --- Who sees what -------------------------------------------------------------------------------

OWNED = [
    ("contracts:detail", "get"),
    ("contracts:edit", "get"),
    ("contracts:delete", "get"),
    ("contracts:delete", "post"),
]
PAGES = [
    "contracts:list",
    "contracts:create",
    "contracts:pay",
    "contracts:compare",
    "contracts:planner",
]


@pytest.mark.parametrize(("name", "method"), OWNED)
def test_the_owner_reaches_their_contract(client, attending, signed, name, method):
    client.force_login(attending)

    response = getattr(client, method)(reverse(name, args=[signed.pk]))

    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("name", "method"), OWNED)
def test_another_user_gets_404(client, other_user, signed, name, method):
    client.force_login(other_user)

    response = getattr(client, method)(reverse(name, args=[signed.pk]))

    assert response.status_code == 404
    assert Contract.objects.filter(pk=signed.pk).exists()


@pytest.mark.parametrize(("name", "method"), OWNED)
def test_anonymous_is_sent_to_sign_in(client, signed, name, method):
    response = getattr(client, method)(reverse(name, args=[signed.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_sign_in_and_show_only_the_users_contracts(
    client, attending, other_user, signed, name
):
    assert client.get(reverse(name)).status_code == 302

    client.force_login(other_user)
    assert "St. Mary" not in client.get(reverse(name)).content.decode()

    client.force_login(attending)
    assert client.get(reverse(name)).status_code == 200


def test_residents_may_weigh_offers_too(client, resident):
    client.force_login(resident)

    assert client.get(reverse("contracts:list")).status_code == 200


# --- The form ------------------------------------------------------------------------------------


def test_a_contract_is_added_with_its_rows(client, attending):
    client.force_login(attending)

    response = client.post(reverse("contracts:create"), contract_post())

    saved = Contract.objects.with_terms().get(user=attending)
    assert response.status_code == 302
    assert response.url == reverse("contracts:detail", args=[saved.pk])
    terms = saved.as_terms()
    assert [(t.from_wrvu, t.rate) for t in terms.tiers] == [(D(0), D(50)), (D(7000), D(58))]
    assert (terms.bonuses[0].value, terms.stipends[0].annual_amount) == (D(5), D(15000))


def test_tiers_out_of_order_are_shown_and_what_was_typed_is_kept(client, attending):
    client.force_login(attending)
    data = contract_post(**{"tiers-1-from_wrvu": "0", "end_date": "2026-06-30"})

    response = client.post(reverse("contracts:create"), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Tiers must ascend: tier 2 starts at 0.00 wRVU, not above tier 1 (0.00)." in html
    assert "The end date must be on or after the start date." in html  # every error at once
    assert not Contract.objects.exists()
    assert 'value="Valley Ortho offer"' in html
    assert 'value="58"' in html and 'value="Quality"' in html and 'value="15000"' in html


def test_descending_tiers_are_refused_with_a_clear_message(client, attending):
    client.force_login(attending)
    data = contract_post(
        **{"tiers-0-from_wrvu": "7000", "tiers-1-from_wrvu": "5000", "tiers-1-rate": "45"}
    )

    response = client.post(reverse("contracts:create"), data)

    assert response.status_code == 400
    assert (
        "Tiers must ascend: tier 2 starts at 5,000.00 wRVU, not above tier 1 (7,000.00)."
        in response.content.decode()
    )


def test_dates_out_of_order_and_an_overlap_are_refused(client, attending, signed):
    client.force_login(attending)

    backwards = client.post(
        reverse("contracts:create"), contract_post(end_date="2026-06-01")
    ).content.decode()
    overlapping = client.post(
        reverse("contracts:create"), contract_post(status="signed", name="Second")
    ).content.decode()

    assert "The end date must be on or after the start date." in backwards
    assert "is in force on some of these dates" in overlapping
    assert Contract.objects.count() == 1


def test_editing_keeps_the_rows_left_alone(client, attending, signed):
    client.force_login(attending)
    page = client.get(reverse("contracts:edit", args=[signed.pk]))
    form = page.context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data |= {"start_date": "2026-01-01", "base_salary": "370000"}
    for name, formset in page.context["formsets"].items():
        data |= {
            f"{name}-TOTAL_FORMS": str(formset.initial_form_count()),
            f"{name}-INITIAL_FORMS": str(formset.initial_form_count()),
        }
        for index, row in enumerate(formset.initial_forms):
            data |= {f"{name}-{index}-{k}": v for k, v in row.initial.items() if v is not None}
            data[f"{name}-{index}-id"] = row.instance.pk

    response = client.post(reverse("contracts:edit", args=[signed.pk]), data)

    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.base_salary == D(370000)
    assert list(signed.tiers.values_list("from_wrvu", "rate")) == [(D(0), D(50))]


def test_a_contract_is_deleted_after_confirming(client, attending, signed):
    client.force_login(attending)

    assert (
        "Delete “St. Mary&#x27;s 2026”?"
        in client.get(reverse("contracts:delete", args=[signed.pk])).content.decode()
    )
    response = client.post(reverse("contracts:delete", args=[signed.pk]))

    assert response.status_code == 302
    assert not Contract.objects.exists()


# --- Pay ---------------------------------------------------------------------------------------


def test_pay_to_date_and_projected_under_the_contract_in_force(client, attending, signed, knees):
    client.force_login(attending)

    response = client.get(reverse("contracts:pay"))

    html = response.content.decode()
    # To date: base 365,000 x 135/365 = 135,000; (196 - 100) x 50 = 4,800: 139,800.
    assert response.context["standing"].to_date.total == D("139800.00")
    assert "Base salary: $365,000.00 a year × 135/365 days = $135,000.00" in html
    assert "Above 100.00 wRVU: 96.00 × $50.00 = $4,800.00" in html
    # Projected: 196 x 261 / 97 = 527.3814 wRVU; (527.3814 - 100) x 50 = 21,369.07;
    # 365,000 + 21,369.07 = 386,369.07.
    assert response.context["standing"].projected.total == D("386369.07")


def test_the_dashboard_pays_under_the_contract_in_force(client, attending, signed, knees):
    client.force_login(attending)

    html = client.get(reverse("tracking:dashboard")).content.decode()

    assert 'data-testid="pay-to-date">$139,800.00<' in html
    # The projection is the contracts' own (their engine is tested on its own), paced from the
    # first entry, as the dashboard's pace is: it depends on today, so it is read, not typed.
    standing = contract_selectors.year_standing(attending, since=dt.date(2026, 3, 2))
    projected = f"{standing.projected.total:,.2f}"
    assert f'data-testid="pay-projected">${projected}<' in html
    assert "“St. Mary&#x27;s 2026” for 135/365 days" in html


def test_without_a_contract_the_dashboard_keeps_the_goals_rate(client, attending, knees):
    tracking_services.preferences_update(user=attending, data={"dollars_per_wrvu": "50"})
    offer(attending)  # offers never pay the dashboard
    client.force_login(attending)

    html = client.get(reverse("tracking:dashboard")).content.decode()

    # 196 x 50 = 9,800.
    assert 'data-testid="pay-to-date">$9,800.00<' in html


def test_goals_and_pay_links_to_contracts(client, attending):
    client.force_login(attending)

    html = client.get(reverse("tracking:goals")).content.decode()

    assert f'href="{reverse("contracts:list")}">Contracts and offers</a>' in html


def test_pay_without_a_signed_contract_says_how_to_add_one(client, attending):
    client.force_login(attending)

    html = client.get(reverse("contracts:pay")).content.decode()

    assert "No signed contract is in force in this fiscal year." in html


# --- Offers side by side -----------------------------------------------------------------------


@pytest.fixture
def two(attending, signed):
    return signed, offer(attending, base_salary=D(0), threshold_wrvu=D(0), tiers=((0, 60),))


def test_two_offers_side_by_side_on_the_users_volume(client, attending, two, knees):
    client.force_login(attending)

    response = client.get(reverse("contracts:compare"), {"contracts": [c.pk for c in two]})

    comparison = response.context["comparison"]
    assert response.status_code == 200
    # 196 wRVU in the 75 days from Mar 2 to May 15: 196 x 365 / 75 = 953.87 a year.
    assert comparison.basis.endswith("× 365 / 75 = 953.87 a year")
    labels = [s.label for s in comparison.scenarios]
    assert labels == [
        "Your volume",
        "20% less volume",
        "20% more volume",
        "A different mix: 4 more 27447 a month",
    ]
    # Your volume: 365,000 + (953.87 - 100) x 50 = 407,693.33 against 953.87 x 60 = 57,232.00.
    assert [p.total for p in comparison.scenarios[0].pays] == [D("407693.33"), D("57232.00")]
    html = response.content.decode()
    assert "pays most" in html
    assert "pay the same" in html or "pays more at every volume" in html


def test_a_volume_entered_replaces_the_log(client, attending, two):
    client.force_login(attending)

    response = client.get(
        reverse("contracts:compare"),
        {"contracts": [c.pk for c in two], "annual_wrvu": "8000", "mix_code": ""},
    )

    first, second = response.context["comparison"].scenarios[0].pays
    # 365,000 + 7,900 x 50 = 760,000; 8,000 x 60 = 480,000.
    assert (first.total, second.total) == (D("760000.00"), D("480000.00"))


def test_comparing_needs_two_of_the_users_own_contracts(client, attending, other_user, two):
    theirs = offer(other_user, name="Theirs")
    client.force_login(attending)

    one = client.get(reverse("contracts:compare"), {"contracts": [two[0].pk]})
    stolen = client.get(reverse("contracts:compare"), {"contracts": [two[0].pk, theirs.pk]})

    assert one.status_code == 400
    assert "Choose two to 4 contracts or offers." in one.content.decode()
    assert stolen.status_code == 400
    assert "Theirs" not in stolen.content.decode()


def test_without_entries_a_volume_must_be_entered(client, attending, two):
    client.force_login(attending)

    response = client.get(reverse("contracts:compare"), {"contracts": [c.pk for c in two]})

    assert response.status_code == 400
    assert "Your log has no entries in the last year: enter a volume." in response.content.decode()


def test_the_negotiation_pdf(client, attending, two, knees):
    client.force_login(attending)

    response = client.get(reverse("contracts:compare_pdf"), {"contracts": [c.pk for c in two]})

    assert response["Content-Type"] == "application/pdf"
    assert "contract-comparison-2026-05-15.pdf" in response["Content-Disposition"]
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        ).split()
    )
    assert "Contracts and offers compared" in text
    assert "Offer: Valley Ortho" in text and "St. Mary's 2026" in text
    assert "$407,693.33" in text
    assert "Break-even volumes" in text
    assert "Base salary: $365,000.00 a year = $365,000.00" in text


def test_the_pdf_without_a_choice_goes_back_to_the_form(client, attending, two):
    client.force_login(attending)

    response = client.get(reverse("contracts:compare_pdf"))

    assert response.status_code == 302
    assert response.url == reverse("contracts:compare")


# --- Planner -----------------------------------------------------------------------------------


def test_the_planner_in_wrvu_a_week_and_in_the_users_own_procedures(
    client, attending, signed, knees
):
    client.force_login(attending)

    response = client.get(
        reverse("contracts:planner"),
        {"contract": signed.pk, "target_income": "400000", "weeks": "48"},
    )

    (plan,) = response.context["plans"]
    # 365,000 + (w - 100) x 50 = 400,000 -> w = 800.00; a week 800 / 48 = 16.67.
    assert (plan.needed, plan.per_week) == (D("800.00"), D("16.67"))
    # Already 953.87 a year: no gap.
    assert plan.procedures == ()
    response = client.get(
        reverse("contracts:planner"),
        {"contract": signed.pk, "target_income": "450000", "weeks": "48"},
    )
    (plan,) = response.context["plans"]
    # (450,000 - 365,000) / 50 + 100 = 1,800; the gap 1,800 - 953.87 = 846.13 a year, 70.51 a
    # month: 70.51 / 19.60 = 3.6 -> 4 more knees a month.
    assert plan.needed == D("1800.00")
    assert [(p.code, p.cases_a_month) for p in plan.procedures] == [("27447", 4)]
    assert "4 more 27447 a month" in response.content.decode()


def test_the_planner_needs_a_target(client, attending, signed):
    client.force_login(attending)

    response = client.get(reverse("contracts:planner"), {"contract": signed.pk, "weeks": "48"})

    assert response.status_code == 400
    assert "Enter a target income or choose a benchmark volume." in response.content.decode()


def test_the_planner_offers_the_weeks_worked_from_the_fiscal_year(client, attending, signed):
    client.force_login(attending)

    response = client.get(reverse("contracts:planner"))

    # 261 working days in 2026 / 5 = 52.2 weeks.
    assert response.context["form"]["weeks"].value() == D("52.2")
