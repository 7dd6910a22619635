"""Career-stage pages: what RVU Edge does for students, residents and attendings, with live
examples from the current release and a sign-up preset to the stage."""

from django.shortcuts import render

from accounts.models import CareerStage
from blog.views.posts import absolute_url
from rvuedge import edge_cache

from .. import career

PAGES = {
    CareerStage.MEDICAL_STUDENT: ("resources/medical_students.html", career.student_examples),
    CareerStage.RESIDENT: ("resources/residents.html", career.resident_examples),
    CareerStage.ATTENDING: ("resources/attendings.html", career.attending_examples),
}


def stage_page(request, stage):
    template, examples = PAGES[stage]
    context = {
        "stage": stage,
        "examples": examples(),
        "canonical_url": absolute_url(request.path),
    }
    return render(request, template, context)


@edge_cache.shared
def students(request):
    return stage_page(request, CareerStage.MEDICAL_STUDENT)


@edge_cache.shared
def residents(request):
    return stage_page(request, CareerStage.RESIDENT)


@edge_cache.shared
def attendings(request):
    return stage_page(request, CareerStage.ATTENDING)
