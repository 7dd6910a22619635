"""Exactly once: every submission that saves (quick entry and its line form, a template, an
edit, an import's start, POST /api/v1/logs/) is claimed under a key, so a repeat gets the first
answer back and saves nothing.

- Forms carry a one-time token issued with the page (`{% submission_token %}`); API clients send
  an `Idempotency-Key` header. The key is claimed per user (a unique constraint) in the
  transaction that saves the rows, together with the answer. A submission that saves nothing (a
  form with errors, a 400) leaves no claim, so it can be sent again once fixed.
- A repeat is the same key with the same content (a fingerprint of what was sent): a form sent
  twice (Enter pressed twice, a retry after a lost connection) is redirected where the first
  went, with its message; the API answers the first status and body. The API refuses the same
  key with other content (422). A form's token with other content is a new submission (a page
  brought back and edited), as is a form posted without a token: the likely-duplicate check
  (tracking.duplicates) stands behind both.
- One user's submissions take a lock (rvuedge.locks.hold) until their transaction has committed,
  so the second of two simultaneous ones waits, then finds the first's claim or, without a key,
  the first's entries.
- Keys are kept at least KEEP (a day), then deleted by the daily `purge_submission_keys` task.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from rvuedge import locks
from tracking.models import SubmissionKey

TOKEN_FIELD = "submission"
HEADER = "Idempotency-Key"
KEEP = dt.timedelta(hours=24)
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # printable ASCII, no spaces, as most clients send
NOT_SIGNED = ("csrfmiddlewaretoken", TOKEN_FIELD)  # what a form's fingerprint leaves out
REDIRECTS = (301, 302, 303)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def valid_key(key) -> bool:
    return isinstance(key, str) and re.fullmatch(KEY_PATTERN[1:-1], key) is not None


def fingerprint(value) -> str:
    """SHA-256 of a JSON-able value, the same whatever the order of its keys."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _form_content(post) -> list:
    return sorted((name, values) for name, values in post.lists() if name not in NOT_SIGNED)


def _plain(data):
    """A QueryDict (a form, a query string) as a plain value; JSON as it is."""
    return sorted(data.lists()) if hasattr(data, "lists") else data


# The claims ------------------------------------------------------------------------------------


def user_lock(user):
    """Held by each submission of the user until its transaction has committed."""
    return locks.hold(f"tracking.submissions:{user.pk}")


def submission_claim(*, user, key: str, scope: str, fingerprint: str):
    """Claim the key for this submission, in the caller's transaction (hold user_lock).
    Returns (claim, True), or (the earlier claim, False) when the key was claimed before."""
    try:
        with transaction.atomic():
            claim = SubmissionKey.objects.create(
                user=user, key=key, scope=scope, fingerprint=fingerprint
            )
    except IntegrityError:
        return SubmissionKey.objects.get(user=user, key=key), False
    return claim, True


def submission_answer(claim: SubmissionKey, *, status: int, location: str = "", body: str = ""):
    """Keep the answer the claimed submission got (body: JSON text), for its repeats."""
    claim.status, claim.location, claim.body = status, location[:500], body
    claim.save(update_fields=["status", "location", "body"])


def submissions_purge(*, now=None) -> int:
    """Delete the keys older than KEEP; returns how many."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _is_repeat(claim: SubmissionKey, scope: str, print_: str) -> bool:
    return claim.scope == scope and claim.fingerprint == print_


# Forms -----------------------------------------------------------------------------------------


def submitted_once(scope: str, *, atomic: bool = True):
    """For a view whose POST saves and then redirects: a repeat of its form's token is
    redirected where the first went (with its message), and the view does not run again.

    atomic: the view runs in the claim's transaction (the claim is its rows'). Without it the
    claim is committed first and the view's own write must be safe to run twice (an import's
    start claims its job): a claim left unanswered by a process that died is run again.
    GET answers are not stored by browsers, so Back brings a fresh token, not a spent one."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != "POST":
                response = view(request, *args, **kwargs)
                add_never_cache_headers(response)
                return response
            key = request.POST.get(TOKEN_FIELD, "")
            claim = {
                "user": request.user,
                "key": key if valid_key(key) else new_token(),
                "scope": scope,
                "fingerprint": fingerprint(_form_content(request.POST)),
            }
            with user_lock(request.user):
                if atomic:
                    with transaction.atomic():
                        return _run(view, request, args, kwargs, claim)
                return _run(view, request, args, kwargs, claim)

        return wrapped

    return decorator


def _run(view, request, args, kwargs, claim_args):
    # The claim's own transaction, or part of the view's (no savepoint: a failure here fails
    # the request; submission_claim keeps its savepoint for the key already taken).
    with transaction.atomic(savepoint=False):
        claim, new = submission_claim(**claim_args)
        if not new and not _is_repeat(claim, claim_args["scope"], claim_args["fingerprint"]):
            # Other content under a spent token: a submission of its own.
            claim, new = submission_claim(**claim_args | {"key": new_token()})
    if not new and claim.status is not None:
        return _replay(request, claim)
    before = _messages(request)
    response = view(request, *args, **kwargs)
    if response.status_code in REDIRECTS:
        added = _messages(request)[len(before) :]
        submission_answer(
            claim,
            status=response.status_code,
            location=response["Location"],
            body=json.dumps({"messages": added}),
        )
    else:
        claim.delete()  # nothing saved: the same token may be sent again
    return response


def _messages(request) -> list[list]:
    """The messages waiting for the next page, as [level, text], left waiting."""
    storage = messages.get_messages(request)
    found = [[message.level, str(message.message)] for message in storage]
    storage.used = False
    return found


def _replay(request, claim: SubmissionKey):
    waiting = _messages(request)
    for level, text in json.loads(claim.body or "{}").get("messages", []):
        if [level, text] not in waiting:
            messages.add_message(request, level, text)
    response = HttpResponseRedirect(claim.location)
    response.status_code = claim.status
    return response


# The API ---------------------------------------------------------------------------------------


class KeyReused(APIException):
    status_code = 422
    default_detail = (
        f"This {HEADER} was used for a different request. Send a new key with a new request; "
        "send the same request again to get its first answer."
    )
    default_code = "idempotency_key_reused"


IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "A key of your choosing (up to 255 printable characters, e.g. a UUID) that makes the "
        "request safe to retry: the same key with the same request, from the same account, "
        "within 24 hours, gets the first answer again (status and body) and saves nothing more. "
        "The same key with a different request is refused (422). Answers with errors are not "
        "kept, so a request fixed after a 400 may reuse its key."
    ),
    pattern=KEY_PATTERN,
)
KEY_REUSED_RESPONSE = OpenApiResponse(description=KeyReused.default_detail)


def idempotent(scope: str):
    """For a DRF create action: honours the Idempotency-Key header (see IDEMPOTENCY_KEY). With
    or without a key, the action runs in one transaction under the user's lock."""

    def decorator(method):
        @wraps(method)
        def wrapped(self, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is not None and not valid_key(key):
                raise ValidationError(
                    {HEADER: ["Use 1 to 255 printable characters without spaces, e.g. a UUID."]}
                )
            with user_lock(request.user), transaction.atomic():
                if key is None:
                    return method(self, request, *args, **kwargs)
                print_ = fingerprint(
                    [request.path, _plain(request.data), _plain(request.query_params)]
                )
                claim, new = submission_claim(
                    user=request.user, key=key, scope=scope, fingerprint=print_
                )
                if not new:
                    return _api_replay(claim, scope, print_)
                response = method(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    body = JSONRenderer().render(response.data).decode()
                    submission_answer(claim, status=response.status_code, body=body)
                else:
                    claim.delete()
                return response

        return wrapped

    return decorator


def _api_replay(claim: SubmissionKey, scope: str, print_: str) -> Response:
    if not _is_repeat(claim, scope, print_):
        raise KeyReused
    body = json.loads(claim.body) if claim.body else None
    return Response(body, status=claim.status, headers={"Idempotent-Replayed": "true"})
