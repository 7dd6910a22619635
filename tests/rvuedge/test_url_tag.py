"""rvuedge.url_tag: {% url %} gives what Django's gives, each reversal made once a process."""

from unittest import mock

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix

from rvuedge import url_tag


def render(text, **context):
    return engines["django"].from_string(text).render(context)


@pytest.fixture(autouse=True)
def forget():
    url_tag._reversed.cache_clear()
    yield
    url_tag._reversed.cache_clear()
    set_script_prefix("/")


def test_every_form_of_the_tag_gives_what_reverse_gives():
    assert render("{% url 'tracking:dashboard' %}") == reverse("tracking:dashboard")
    assert render("{% url 'tracking:entry' 42 %}") == reverse("tracking:entry", args=[42])
    assert render("{% url 'tracking:entry' pk %}", pk="7") == reverse("tracking:entry", args=["7"])
    assert render("{% url 'tracking:entry' pk=5 %}") == reverse("tracking:entry", kwargs={"pk": 5})
    assert render("{% url 'codes:detail' code %}", code="99213") == "/cpt-codes/99213/"
    history = reverse("tracking:history")
    assert render("{% url 'tracking:history' as u %}[{{ u }}]") == f"[{history}]"


def test_a_name_that_does_not_reverse_raises_or_leaves_the_variable_empty():
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'tracking:entry' 'not-a-number' %}")
    assert render("{% url 'no-such-view' as u %}[{{ u }}]") == "[]"


def test_a_reversal_is_made_once_and_kept_apart_by_its_arguments_and_prefix():
    with mock.patch.object(url_tag, "reverse", wraps=reverse) as counted:
        for _ in range(3):
            assert render("{% url 'tracking:entry' 1 %}") == "/track/entries/1/"
        assert render("{% url 'tracking:entry' 2 %}") == "/track/entries/2/"
        assert counted.call_count == 2
        set_script_prefix("/mounted/")
        assert render("{% url 'tracking:entry' 1 %}") == "/mounted/track/entries/1/"
        assert counted.call_count == 3


def test_an_argument_that_is_not_a_string_or_number_is_reversed_each_time():
    class Pk:
        def __str__(self):
            return "9"

    with mock.patch.object(url_tag, "reverse", wraps=reverse) as counted:
        assert render("{% url 'tracking:entry' pk %}", pk=Pk()) == "/track/entries/9/"
    assert counted.call_count == 0  # Django's own tag, not the remembered one
    # True equals 1 (the same key) but is not the same argument: never remembered.
    assert render("{% url 'tracking:entry' pk as u %}[{{ u }}]", pk=True) == "[]"
    assert url_tag._reversed.cache_info().currsize == 0


@pytest.mark.django_db  # a request's context runs the context processors
def test_the_request_s_namespace_is_part_of_the_key():
    request = RequestFactory().get("/")
    request.current_app = "tracking"
    template = engines["django"].from_string("{% url 'tracking:history' %}")
    assert template.render({}, request) == reverse("tracking:history")
    assert url_tag._reversed.cache_info().currsize == 1
    request.current_app = None
    template.render({}, request)
    assert url_tag._reversed.cache_info().currsize == 2
