"""A read whose PostgreSQL connection is cut under it (a restart) runs again on a new
connection; a POST, or a read whose connection still works, is not run again."""

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch

from rvuedge.middleware import RetryLostConnectionMiddleware, reads_only

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_connection():
    yield
    connection.close()  # a test may leave it cut


class View:
    """Cuts its own connection the first time (as `pg_ctl restart -m fast` does), then answers."""

    def __init__(self, cut: bool = True):
        self.calls = 0
        self.cut = cut

    def __call__(self, request):
        self.calls += 1
        with connection.cursor() as cursor:
            if self.calls == 1:
                if self.cut:
                    cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
                else:
                    cursor.execute("SELECT 1 / 0")  # an error of the query's own
            cursor.execute("SELECT 1")
        return HttpResponse("ok")


def run(method: str, view):
    """The request through the middleware's exception hook, as Django's handler calls it."""
    request = getattr(RequestFactory(), method.lower())("/page/")
    request.resolver_match = ResolverMatch(view, (), {})
    middleware = RetryLostConnectionMiddleware(lambda r: HttpResponse())
    try:
        return view(request)
    except Exception as exc:
        response = middleware.process_exception(request, exc)
        if response is None:
            raise
        return response


def test_a_read_whose_connection_was_cut_is_answered_from_a_new_connection():
    view = View()

    response = run("GET", view)

    assert response.content == b"ok"
    assert view.calls == 2
    assert connection.is_usable()


def test_a_post_is_never_run_again():
    view = View()

    with pytest.raises(OperationalError):
        run("POST", view)
    assert view.calls == 1


def test_a_post_that_saves_nothing_is_run_again():
    view = View()

    response = run("POST", reads_only(view))

    assert response.content == b"ok"
    assert view.calls == 2


def test_a_read_that_failed_on_a_working_connection_is_not_run_again():
    view = View(cut=False)

    with pytest.raises(Exception, match="division by zero"):
        run("GET", view)
    assert view.calls == 1


def test_it_runs_a_read_again_once_at_most():
    calls = []

    def always_cut(request):
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return HttpResponse("ok")

    with pytest.raises(OperationalError):
        run("GET", always_cut)
    assert len(calls) == 2
