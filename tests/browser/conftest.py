"""Fixtures the browser tests share: a release whose code pages show localities, with the
site's editorial content loaded, and an attending who has used the tracker for a month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.services import api_token_create
from codes.services import release_import
from codes.wrvu import LineSpec
from support.services import ticket_create
from tests import cms_files
from tests.factories import UserFactory
from tracking import services
from tracking.models import Location, Preferences

CODES = cms_files.SLICE_CODES | {"71046"}  # a chest X-ray: -26 and -TC rows
KNEE = [LineSpec("27447", ("50",)), LineSpec("20610")]


@pytest.fixture
def site(transactional_db, tmp_path):
    """A release with localities and the codes the pages show, and the editorial content."""
    folder = tmp_path / "RVU25D"
    folder.mkdir()
    cms_files.write_release_slice(folder / "PPRRVU2025_Oct.csv", codes=CODES)
    cms_files.copy_real(folder, "RVU25D", "GPCI2025.csv")
    cms_files.copy_real(folder, "RVU25D", "25LOCCO.csv")
    release = release_import(source=folder, make_current=True).release
    for command in ("load_blog_content", "load_resources_content", "load_help_content"):
        call_command(command, verbosity=0)
    return release


@pytest.fixture
def logged_attending(site):
    """An attending with a month of entries, a location, pay settings, a ticket and a token."""
    user = UserFactory(career_stage="attending")
    Preferences.objects.create(
        user=user, annual_wrvu_target=Decimal("5000"), dollars_per_wrvu=Decimal("52")
    )
    main = Location.objects.create(user=user, name="Main OR")
    today = timezone.localdate()
    for day in range(1, 30, 3):
        services.encounter_create(
            user=user,
            details=services.EntryDetails(
                date=today - dt.timedelta(days=day), setting="facility", location=main
            ),
            lines=KNEE if day % 2 else [LineSpec("99213")],
            release=site,
        )
    ticket_create(user=user, email=user.email, topic="other", body="The PDF misses a modifier.")
    api_token_create(user=user, name="Spreadsheet")
    return user
