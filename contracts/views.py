"""Contract pages: the list, the form, a contract on the user's volume, pay by period under the
contracts in force, offers side by side (and their PDF), and the planner. Signed-in users only;
another user's contract is a 404."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from contracts import engine, planning, selectors, services
from contracts.forms import CompareForm, ContractForms, PlannerForm
from contracts.models import Contract
from contracts.pdf import comparison_pdf
from rvuedge import rounding
from tracking.goals import working_days
from tracking.models import Location

MIX_CODES = 10  # procedures offered for the "different mix" scenario


def _owned(request, pk):
    return get_object_or_404(Contract.objects.with_terms(), pk=pk, user=request.user)


@login_required
def contract_list(request):
    items = list(selectors.contracts(request.user))
    today = timezone.localdate()
    context = {
        "count": len(items),
        "signed": [c for c in items if c.status == Contract.Status.SIGNED],
        "offers": [c for c in items if c.status == Contract.Status.OFFER],
        "in_force": next(
            (c for c in items if c.status == Contract.Status.SIGNED and c.as_terms().covers(today)),
            None,
        ),
    }
    return render(request, "contracts/list.html", context)


@login_required
def contract_create(request):
    return _edit(request, Contract(user=request.user))


@login_required
def contract_edit(request, pk):
    return _edit(request, _owned(request, pk))


def _edit(request, contract: Contract):
    bound = ContractForms(
        user=request.user,
        instance=contract,
        data=request.POST if request.method == "POST" else None,
    )
    if request.method == "POST" and bound.is_valid():
        try:
            saved = services.contract_save(
                user=request.user, contract=bound.form.save(commit=False), rows=bound.rows()
            )
        except ValidationError as exc:
            bound.add_errors(exc)
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect("contracts:detail", saved.pk)
    context = {
        "contract": contract,
        "form": bound.form,
        "formsets": bound.formsets,
        "has_locations": Location.objects.for_user(request.user).exists(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "contracts/form.html", context, status=status)


@login_required
def contract_delete(request, pk):
    contract = _owned(request, pk)
    if request.method == "POST":
        services.contract_delete(contract=contract)
        messages.success(request, f"Deleted “{contract.name}”.")
        return redirect("contracts:list")
    return render(request, "contracts/confirm_delete.html", {"contract": contract})


@login_required
def contract_detail(request, pk):
    contract = _owned(request, pk)
    volume = selectors.annualised(request.user)
    terms = contract.as_terms()
    context = {
        "contract": contract,
        "terms": terms,
        "volume": volume,
        "basis": volume.explain(terms.figure),
        "pay": engine.pay_for_volume(terms, volume.mix) if volume.first else None,
    }
    return render(request, "contracts/detail.html", context)


@login_required
def pay_page(request):
    """Pay to date and projected this fiscal year under the signed contracts in force."""
    standing = selectors.year_standing(request.user)
    return render(request, "contracts/pay.html", {"standing": standing})


def _comparison(request):
    """The compare form and, when it is valid, the comparison (None otherwise)."""
    user = request.user
    volume = selectors.annualised(user)
    figure = selectors.goal_figure(user)
    # The different mix shown first: four more cases a month of the user's top procedure.
    initial = {"mix_code": volume.codes[0].code if volume.codes else "", "mix_cases": 4}
    data = None
    if "contracts" in request.GET:
        data = request.GET.copy()
        for name, value in initial.items():
            data.setdefault(name, value)
    form = CompareForm(data, user=user, codes=volume.codes[:MIX_CODES], initial=initial)
    if not form.is_bound or not form.is_valid():
        return form, None
    data = form.cleaned_data
    mix, basis = volume.mix, volume.explain(figure)
    if data["annual_wrvu"] is not None:
        mix = volume.mix.at_total(data["annual_wrvu"], figure)
        basis = f"{data['annual_wrvu']:,} wRVU a year, as entered, at your mix"
    elif not volume.first:
        form.add_error("annual_wrvu", "Your log has no entries in the last year: enter a volume.")
        return form, None
    code = next((c for c in volume.codes if c.code == data["mix_code"]), None)
    terms = [c.as_terms() for c in data["contracts"]]
    comparison = planning.compare(
        terms, mix, figure=figure, basis=basis, code=code, cases=data["mix_cases"] or 0
    )
    return form, comparison


@login_required
def compare(request):
    form, comparison = _comparison(request)
    context = {
        "form": form,
        "comparison": comparison,
        "count": Contract.objects.for_user(request.user).count(),
        "pdf_query": request.GET.urlencode(),
    }
    return render(request, "contracts/compare.html", context, status=400 if form.errors else 200)


@login_required
def compare_pdf(request):
    _form, comparison = _comparison(request)
    if comparison is None:
        messages.error(request, "Choose the contracts to compare first.")
        return redirect("contracts:compare")
    body = comparison_pdf(comparison, user=request.user, generated_at=timezone.localtime())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="contract-comparison-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    return response


def _weeks(user) -> Decimal:
    """Working weeks in the user's fiscal year: working days less days off, over five."""
    year = selectors.fiscal_year(user, timezone.localdate())
    days = working_days(*year, selectors.days_off(user, year))
    return (Decimal(days) / 5).quantize(Decimal("0.1"))


@login_required
def planner(request):
    user = request.user
    volume = selectors.annualised(user)
    benchmarks = selectors.benchmark_targets(user)
    form = PlannerForm(
        request.GET if "contract" in request.GET else None,
        user=user,
        benchmarks=benchmarks,
        initial={"weeks": _weeks(user)},
    )
    plans = _plans(form, volume) if form.is_bound and form.is_valid() else []
    context = {
        "form": form,
        "plans": plans,
        "volume": volume,
        "has_contracts": Contract.objects.for_user(user).exists(),
    }
    return render(request, "contracts/planner.html", context, status=400 if form.errors else 200)


def _plans(form: PlannerForm, volume) -> list[planning.Plan]:
    data = form.cleaned_data
    terms = data["contract"].as_terms()
    shared = {"mix": volume.mix, "codes": volume.codes, "weeks": data["weeks"]}
    plans = []
    if data["target_income"]:
        target = f"an income of {rounding.money(data['target_income'])} a year"
        plans.append(planning.plan(terms, target=target, income=data["target_income"], **shared))
    if data["benchmark"]:
        chosen = form.benchmarks[data["benchmark"]]
        target = f"{chosen['label']} ({chosen['source']})"
        plans.append(planning.plan(terms, target=target, wrvu=chosen["wrvu"], **shared))
    return plans
