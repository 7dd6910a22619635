"""Content-Security-Policy and Permissions-Policy on every response, and templates that need
no inline script to work (the browser tests check every page under the policy)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# <script> elements that hold data, which browsers do not run (and the policy allows).
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/health/", "/no-such-page/"])
def test_every_response_carries_a_strict_script_policy(client, path):
    policy = directives(client.get(path)["Content-Security-Policy"])

    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["style-src"] == ["'self'"]  # no <style> elements; attributes only
    assert "'unsafe-eval'" not in str(policy)


def test_every_response_turns_off_unused_browser_features(client):
    header = client.get("/")["Permissions-Policy"]

    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header


def template_files():
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_template_has_an_inline_event_handler():
    handlers = {
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in template_files()
        for match in re.finditer(r"<[^>]*\son[a-z]+\s*=[^>]*>", path.read_text())
    }

    assert handlers == set()


def test_no_template_has_an_inline_script():
    inline = set()
    for path in template_files():
        for attributes in re.findall(r"<script\b([^>]*)>", path.read_text()):
            kind = re.search(r'type="([^"]+)"', attributes)
            if "src=" not in attributes and (kind is None or kind[1] not in DATA_SCRIPT_TYPES):
                inline.add(f"{path.relative_to(TEMPLATES)}: <script{attributes}>")

    assert inline == set()
