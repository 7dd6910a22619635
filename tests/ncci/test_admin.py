"""Importing NCCI files from the admin: staff upload CMS's files (here the PTP fixture's four
parts, tests/ncci/fixtures/ptp) or give an address; the worker's task imports them and the job
page shows the progress and the outcome. The task runs in the test's process (its `delay`
applies it at once), after the request's transaction commits as it would in production."""

import shutil
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ncci import jobs, tasks
from ncci.models import EditSet, PtpEdit
from tests.factories import UserFactory, sign_in

from .test_files import PTP_FIXTURE

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:ncci_editset_import")


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, settings, monkeypatch):
    settings.NCCI_UPLOAD_DIR = tmp_path / "uploads"
    monkeypatch.setattr(
        tasks.import_edit_files, "delay", lambda *args: tasks.import_edit_files.apply(args=args)
    )
    return settings.NCCI_UPLOAD_DIR


def parts(folder=PTP_FIXTURE):
    return [
        SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")
        for path in sorted(folder.glob("ccipra-*.zip"))
    ]


def post(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, data)
    return response


def test_the_list_of_sets_offers_the_import(admin_client):
    html = admin_client.get(reverse("admin:ncci_editset_changelist")).content.decode()
    assert f'href="{IMPORT_URL}"' in html


def test_uploaded_parts_are_imported_by_the_worker_and_the_job_says_so(
    admin_client, upload_dir, django_capture_on_commit_callbacks
):
    response = post(admin_client, {"files": parts()}, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    ptp = EditSet.objects.get(kind="ptp")
    assert (ptp.version, ptp.rows, PtpEdit.objects.count()) == ("v32.2r0", 7, 7)
    html = admin_client.get(response.url).content.decode()
    assert (
        "Imported Procedure-to-procedure edits v32.2r0 (7 edits, in force from 2026-07-01)" in html
    )
    assert "ccipra-v322r0-f1.zip, ccipra-v322r0-f2.zip" in html
    assert 'http-equiv="refresh"' not in html  # finished: the page stops reloading
    assert not any(upload_dir.iterdir())  # the uploaded files are removed


def test_a_bad_file_fails_the_job_with_the_line_and_imports_nothing(
    admin_client, tmp_path, django_capture_on_commit_callbacks
):
    folder = tmp_path / "bad"
    folder.mkdir()
    for part in (1, 2, 3):
        shutil.copy(PTP_FIXTURE / f"ccipra-v322r0-f{part}.zip", folder)
    with zipfile.ZipFile(folder / "ccipra-v322r0-f4.zip", "w") as zf:
        zf.writestr("ccipra-v322r0-f4.txt", "99214\t99213\t\t20210101\t*\t7\tx\r\n")

    response = post(admin_client, {"files": parts(folder)}, django_capture_on_commit_callbacks)

    html = admin_client.get(response.url).content.decode()
    assert "ccipra-v322r0-f4.zip/ccipra-v322r0-f4.txt, line 1, column 6" in html
    assert "Nothing was imported." in html
    assert not EditSet.objects.exists()


def test_a_job_on_its_way_reloads_its_page_with_the_progress(admin_client):
    token, _ = jobs.job_create(url="https://www.cms.gov/files/zip/aoc-v2026q3-mcr.zip")
    jobs._update(token, status=jobs.RUNNING, done=5000, total=9000)

    html = admin_client.get(reverse("admin:ncci_editset_import_job", args=[token])).content
    html = html.decode()
    assert 'http-equiv="refresh"' in html
    assert "5,000 of 9,000 edits written" in html
    assert "aoc-v2026q3-mcr.zip" in html


def test_an_unknown_job_points_to_the_sets(admin_client):
    html = admin_client.get(reverse("admin:ncci_editset_import_job", args=["nope"])).content
    assert "not known any more" in html.decode()


def test_a_finished_job_run_again_changes_nothing(upload_dir):
    folder = upload_dir / "x"
    shutil.copytree(PTP_FIXTURE, folder)
    token, _ = jobs.job_create()
    first = jobs.job_run(token, str(folder))

    again = jobs.job_run(token, str(folder))

    assert first["status"] == again["status"] == jobs.DONE
    assert EditSet.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Upload the files or give a CMS address"),
        ({"url": "https://www.cms.gov/a.zip", "files": "parts"}, "one of them"),
        ({"files": "notes"}, "Not an NCCI edit file: notes.docx"),
        ({"url": "not an address"}, "Enter a valid URL"),
    ],
)
def test_the_form_says_what_is_wrong_and_queues_nothing(
    admin_client, data, error, django_capture_on_commit_callbacks
):
    if data.get("files") == "parts":
        data["files"] = parts()
    elif data.get("files") == "notes":
        data["files"] = [SimpleUploadedFile("notes.docx", b"x")]

    response = post(admin_client, data, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not EditSet.objects.exists()


def test_staff_without_the_permission_may_not_import(client):
    staff = UserFactory(is_staff=True)
    sign_in(client, staff)
    assert client.get(IMPORT_URL).status_code == 403
    html = client.get(reverse("admin:ncci_editset_changelist"))
    assert html.status_code in (200, 403)
    if html.status_code == 200:
        assert f'href="{IMPORT_URL}"' not in html.content.decode()


def test_the_import_needs_staff(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
