"""The mixed workload of issue 17, for locust (run by bench/load.py, which sets the BENCH_*
variables; loopback only).

Share of requests (the users' pacing keeps it while the site keeps up; bench/load.py prints the
share it measured):
- 70% anonymous code pages and browse (codes from the stack's sitemap, the popular ones more
  often, as on the real site), 15% search and suggestions (typos too: 30% of searches have a
  random slip of the finger, so most of those were never asked before): class Visitor;
- 10% signed-in quick entry (preview, save, the page after it) and 5% dashboard and history:
  class Member, signed in as one of the accounts the bench created (with its session).

Each save is a real quick-entry save: the form's fields as the page gives them, with its
one-time token. A save that fails (an error status, a dropped connection) is sent again with
the same token, as a browser's retry would be, until the server acknowledges it (a redirect):
the token makes the retry safe, so the bench expects exactly one stored entry per
acknowledged save. Every request is logged (time, name, ms, failed) to BENCH_REQUEST_LOG for
the per-window figures; the saves to BENCH_RESULT at the end.
"""

import csv
import itertools
import json
import os
import random
import re
import time
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html.parser import HTMLParser
from http.cookiejar import Cookie
from urllib.parse import urlencode, urlsplit
from urllib.request import urlopen

import gevent
from locust import FastHttpUser, constant_throughput, events, task

# Task iterations per user per second: visitors, and signed-in members (fewer each, so that a
# member's quick entry of three requests fits in its turn).
VISITOR_RATE = float(os.environ.get("BENCH_VISITOR_RATE", "5"))
MEMBER_RATE = float(os.environ.get("BENCH_MEMBER_RATE", "1"))
MEMBERS = json.loads(os.environ.get("BENCH_MEMBERS", "[]"))  # [[email, session key], ...]
SAVE_ATTEMPTS = 40
SAVE_CODES = ["99212", "99213", "99214", "99215", "99203", "99204"]
SEARCHES = [
    "knee replacement", "knee replacment", "office visit", "ofice visit", "colonoscopy",
    "colonscopy biopsy", "cholecystectomy", "cholecystecomy", "joint injection", "arthroscopy",
    "echocardiogram", "echocardiagram", "cataract", "hip arthroplasty", "critical care",
    "lumbar puncture", "lumbar punture", "99213", "27447", "skin biopsy",
]  # fmt: skip
TYPO_SHARE = 0.3  # searches with a letter dropped, doubled or swapped at random
SUGGESTS = ["kne", "knee rep", "9921", "colon", "chol", "echo", "arthro", "inj", "2744", "cata"]

codes: list[str] = []
code_weights: list[float] = []
sections: list[str] = []
accounts = list(MEMBERS)
saves = {"acknowledged": 0, "unacknowledged": 0, "rejected": 0, "retried": 0}
request_log = None
request_writer = None


# Set-up: the codes and sections the stack serves, the request log --------------------------------


def sitemap_paths(host: str, section: str) -> list[str]:
    with urlopen(f"{host}/sitemap-{section}.xml", timeout=60) as response:
        tree = ET.parse(response)
    locs = [el.text or "" for el in tree.iter() if el.tag.endswith("loc")]
    return [urlsplit(loc).path for loc in locs]


@events.test_start.add_listener
def on_test_start(environment, **_kwargs):
    global request_log, request_writer
    host = environment.host.rstrip("/")
    codes.extend(sitemap_paths(host, "codes"))
    sections.extend(sitemap_paths(host, "code-sections"))
    random.Random(17).shuffle(codes)
    # Popularity: rank r is asked for in proportion to 1/r (Zipf), as a few codes dominate. The
    # running sums once: random.choices would add up twenty thousand weights for every pick, half
    # a millisecond of the cores the stack is measured on.
    code_weights.extend(itertools.accumulate(1 / (rank + 1) for rank in range(len(codes))))
    if os.environ.get("BENCH_REQUEST_LOG"):
        request_log = open(os.environ["BENCH_REQUEST_LOG"], "w", newline="")  # noqa: SIM115
        request_writer = csv.writer(request_log)


@events.request.add_listener
def on_request(name, response_time, exception, start_time=None, **_kwargs):
    if request_writer is not None:
        start = start_time or (time.time() - response_time / 1000)
        request_writer.writerow(
            [f"{start:.3f}", name, f"{response_time:.1f}", 1 if exception else 0]
        )


@events.test_stop.add_listener
def on_test_stop(environment, **_kwargs):
    if request_log is not None:
        request_log.flush()
    if os.environ.get("BENCH_RESULT"):
        with open(os.environ["BENCH_RESULT"], "w") as out:
            json.dump(saves, out)


def typo(text: str) -> str:
    """The text with one slip of the finger: a letter dropped, doubled or two swapped."""
    at = random.randrange(len(text) - 1)
    slip = random.choice(("drop", "double", "swap"))
    if slip == "drop":
        return text[:at] + text[at + 1 :]
    if slip == "double":
        return text[:at] + text[at] + text[at:]
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


# Anonymous visitors ---------------------------------------------------------------------------


class Visitor(FastHttpUser):
    weight = 51
    wait_time = constant_throughput(VISITOR_RATE)

    @task(60)
    def code_page(self):
        path = random.choices(codes, cum_weights=code_weights)[0]
        self.client.get(path, name="anon: code page")

    @task(10)
    def browse(self):
        if random.random() < 0.3:
            self.client.get("/cpt-codes/", name="anon: browse")
        else:
            self.client.get(random.choice(sections), name="anon: browse")

    @task(10)
    def search(self):
        typed = random.choice(SEARCHES)
        if random.random() < TYPO_SHARE:
            typed = typo(typed)  # most likely never asked before: a search the caches lack
        self.client.get("/cpt-codes/search/?" + urlencode({"q": typed}), name="search")

    @task(5)
    def suggest(self):
        self.client.get(
            "/cpt-codes/suggest/?" + urlencode({"q": random.choice(SUGGESTS)}), name="suggest"
        )


# Signed-in members ----------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields a browser would send with the form whose id is `form_id`."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None
        self.select_first = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append([a["name"], a.get("value") or ""])
        elif tag == "select" and a.get("name") and "multiple" not in a:
            self.select, self.select_first = a["name"], None
        elif tag == "option" and self.select:
            if self.select_first is None:
                self.select_first = a.get("value") or ""
            if "selected" in a:
                self.fields.append([self.select, a.get("value") or ""])
                self.select = None
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]
            self.fields.append(self.textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            self.fields.append([self.select, self.select_first or ""])
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def form_fields(html: str, form_id: str) -> dict[str, str]:
    # Only the form is parsed (forms do not nest): the whole page took milliseconds of the cores
    # the stack is measured on.
    start = html.find(f'id="{form_id}"')
    start = html.rfind("<form", 0, start) if start >= 0 else -1
    end = html.find("</form>", start)
    parser = FormFields(form_id)
    parser.feed(html[start : end + len("</form>")] if start >= 0 and end >= 0 else html)
    return dict(parser.fields)


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def session_cookie(host: str, key: str) -> Cookie:
    """The session cookie of a member bench/load.py signed in."""
    return Cookie(
        0, "sessionid", key, None, False, host, False, False, "/", True, False, None, True,
        None, None, {},
    )  # fmt: skip


class Member(FastHttpUser):
    weight = 5
    fixed_count = int(os.environ.get("BENCH_MEMBER_USERS", "0"))
    wait_time = constant_throughput(MEMBER_RATE)

    def on_start(self):
        email, session_key = accounts.pop()
        self.client.cookiejar.set_cookie(session_cookie(urlsplit(self.host).hostname, session_key))
        self.form: dict[str, str] | None = None
        with self.client.get(
            "/track/", name="quick entry: page", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{email} is not signed in ({response.status_code})")

    def tracker_page(self) -> None:
        response = self.client.get("/track/", name="quick entry: page")
        self.form = None
        if response.status_code == 200:
            self.form = form_fields(response.text or "", "quick-entry") or None

    @task(2)
    def quick_entry(self):
        if self.form is None:
            self.tracker_page()
            if self.form is None:
                return
        # Days back from the server's today (the form's date; its time zone may be a day behind
        # this machine's): a day past it is refused as a date in the future.
        today = date.fromisoformat(self.form.get("date") or date.today().isoformat())
        day = today - timedelta(days=random.randrange(30))
        fields = self.form | {
            "text": random.choice(SAVE_CODES),
            "date": day.isoformat(),
            "confirm_duplicate": "on",  # the same code on a day again: another patient
        }
        body = urlencode(fields)
        self.client.post(
            "/track/preview/", data=body, headers=FORM_HEADERS, name="quick entry: preview"
        )
        self.save(body)
        self.tracker_page()  # where the save redirects; it holds the next token

    def save(self, body: str) -> None:
        """Send the form until the server acknowledges it (a redirect), with the same token."""
        for attempt in range(SAVE_ATTEMPTS):
            if attempt:
                saves["retried"] += 1
                gevent.sleep(min(0.25 * attempt, 2))
            with self.client.post(
                "/track/", data=body, headers=FORM_HEADERS, name="quick entry: save",
                allow_redirects=False, catch_response=True,
            ) as response:  # fmt: skip
                if response.status_code == 302:
                    saves["acknowledged"] += 1
                    return
                if response.status_code in (200, 400):
                    response.failure(f"save refused: {form_errors(response.text or '')}")
                    saves["rejected"] += 1
                    return
                response.failure(f"save failed ({response.status_code}), sending it again")
        saves["unacknowledged"] += 1

    @task(3)
    def dashboard_or_history(self):
        if random.random() < 0.5:
            self.client.get("/track/dashboard/", name="dashboard")
        else:
            self.client.get("/track/history/", name="history")


def form_errors(html: str) -> str:
    found = re.findall(r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>([^<]+)', html)
    return " | ".join(text.strip() for text in found)[:300] or "no message"
