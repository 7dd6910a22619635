"""Help centre: topics and articles, sanitized Markdown, search, helpful votes, FAQ JSON-LD and
the content loader."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from rvuedge.markdown import render_markdown
from support.content import read_help_content
from support.models import Article, Question, Topic
from support.selectors import article_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    topic = Topic.objects.create(title="Logging", slug="logging")
    return Article.objects.create(
        topic=topic,
        title="Quick entry",
        slug="quick-entry",
        summary="Type codes.",
        body="## Modifiers\n\nType `27447-50`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )


def test_the_shipped_content_covers_what_people_ask(help_content):
    content = read_help_content()
    slugs = {a.slug for a in content.articles}

    assert len(content.articles) >= 12
    assert {
        "getting-started-medical-students",
        "getting-started-residents",
        "getting-started-attendings",
        "quick-entry",
        "codes-typed-without-separators",
        "how-credit-is-computed",
        "releases-and-repricing",
        "locations-and-dollars-per-wrvu",
        "exporting-your-data",
        "deleting-your-account",
        "two-factor-authentication",
        "no-patient-information",
        "reports-pdf-csv-and-excel",
        "signing-in-and-passwords",
    } <= slugs
    assert Article.objects.published().count() == len(content.articles)
    quick = Article.objects.get(slug="quick-entry").body
    assert "99213 27447-50 20610 x2" in quick
    separators = Article.objects.get(slug="codes-typed-without-separators").body
    assert "992135243644" in separators and "`99213-52` and `43644`" in separators


def test_every_internal_link_in_the_help_content_resolves(help_content, client, user):
    client.force_login(user)
    links = set()
    for body in Article.objects.values_list("body", flat=True):
        links |= set(re.findall(r"\]\((/[^)#\s]*)", body))
    assert links
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_loading_the_help_content_twice_changes_nothing_and_keeps_votes(capsys):
    call_command("load_help_content")
    Article.objects.filter(slug="quick-entry").update(helpful_yes=3)

    call_command("load_help_content")

    out = capsys.readouterr().out
    assert "articles 0 created, 0 updated, 22 unchanged" in out
    assert Article.objects.get(slug="quick-entry").helpful_yes == 3
    assert Topic.objects.count() == 5


def test_a_dry_run_saves_nothing(capsys):
    call_command("load_help_content", "--dry-run")

    assert "Dry run, nothing saved" in capsys.readouterr().out
    assert not Article.objects.exists() and not Question.objects.exists()


def test_loading_puts_back_an_edited_article(help_content, capsys):
    Article.objects.filter(slug="quick-entry").update(title="Changed in the admin")

    call_command("load_help_content")

    assert "articles 0 created, 1 updated" in capsys.readouterr().out
    title = Article.objects.get(slug="quick-entry").title
    assert title == "Quick entry: typing codes, modifiers and units"  # quotes of the file gone


def test_the_index_groups_published_articles_by_topic(client, help_content):
    Article.objects.filter(slug="two-factor-authentication").update(is_published=False)

    page = client.get(reverse("support:index")).content.decode()

    assert page.count('class="card h-100 topic-card"') == 5
    assert "Getting started as a resident" in page
    assert "Two-factor authentication" not in page
    assert client.get("/support/articles/two-factor-authentication/").status_code == 404


def test_an_empty_help_centre_says_so_and_points_to_the_contact_form(client):
    page = client.get(reverse("support:index")).content.decode()

    assert "No help articles yet" in page
    assert reverse("support:contact") in page


def test_an_article_renders_its_markdown(client, article):
    response = client.get(article.get_absolute_url())

    body = str(response.context["body_html"])
    assert '<h2 id="modifiers">Modifiers<a class="heading-anchor" href="#modifiers"' in body
    assert "<code>27447-50</code>" in body
    assert "<table>" in body
    assert "<h1>Quick entry" not in response.content.decode()


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<svg><script>alert(1)</script></svg>",
        '<iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    ],
)
def test_article_html_is_sanitized(hostile):
    html = str(render_markdown(f"Before\n\n{hostile}\n\nAfter"))

    assert "Before" in html and "After" in html
    for dangerous in ("<script", "onerror", "onclick", "javascript:", "data:", "<iframe", "<svg"):
        assert dangerous not in html.lower()
    assert "<style" not in html and "style=" not in html


def test_search_finds_articles_by_stemmed_words(help_content):
    titles = [a.title for a in article_search("exporting data")]

    assert titles[0] == "Downloading (exporting) your data"


def test_search_falls_back_to_fragments(help_content):
    titles = [a.title for a in article_search("authenticat")]

    assert "Two-factor authentication" in titles
    assert "Quick entry: typing codes, modifiers and units" not in titles


def test_search_without_postgres_matches_any_word(help_content, settings):
    settings.USING_POSTGRES = False

    titles = [a.title for a in article_search("scan QR")]

    assert titles == ["Two-factor authentication"]
    assert [a.title for a in article_search("scan xyzzy")] == ["Two-factor authentication"]
    assert list(article_search("xyzzy")) == []
    assert list(article_search("   ")) == []


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "substrings"])
def help_engine(request, settings):
    """Full-text search (PostgreSQL), or the substring search SQLite uses."""
    if request.param == "substrings":
        settings.USING_POSTGRES = False
    return request.param


@pytest.mark.parametrize(
    ("typed", "article"),
    [
        ("export pdf", "reports-pdf-csv-and-excel"),
        ("password reset", "signing-in-and-passwords"),
        ("wrong wRVU", "how-credit-is-computed"),
        ("forgot password", "signing-in-and-passwords"),
        ("excel", "reports-pdf-csv-and-excel"),
        ("2fa", "two-factor-authentication"),
        ("how do I delete my account", "deleting-your-account"),
    ],
)
def test_search_finds_the_article_for_any_word_and_synonyms(
    help_content, help_engine, typed, article
):
    assert article_search(typed)[0].slug == article


def test_search_ranks_articles_holding_more_of_the_words_first(help_content, help_engine):
    found = [a.slug for a in article_search("export pdf")]
    # "export" alone (or its synonym "download") finds the data download article too.
    assert found.index("reports-pdf-csv-and-excel") < found.index("exporting-your-data")
    assert "quick-entry" not in found


def test_search_leaves_out_unpublished_articles(help_content):
    Article.objects.filter(slug="two-factor-authentication").update(is_published=False)

    assert "Two-factor authentication" not in [a.title for a in article_search("authenticator")]


def test_the_search_page_lists_results_or_says_nothing_matched(client, help_content):
    found = client.get(reverse("support:search"), {"q": "bilateral"}).content.decode()
    nothing = client.get(reverse("support:search"), {"q": "xyzzy"}).content.decode()

    assert "Modifiers that change credit" in found
    assert "Nothing matched" in nothing
    assert "Write to us" in nothing


def vote(client, article, answer, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse("support:article_helpful", args=[article.slug])
    return client.post(url, {"helpful": answer}, headers=headers)


def test_helpful_votes_are_counted_once_per_session(article):
    first, second = Client(), Client()

    response = vote(first, article, "yes", htmx=True)
    vote(first, article, "yes", htmx=True)
    vote(first, article, "no", htmx=True)
    vote(second, article, "no")

    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 1)
    assert response.status_code == 200
    partial = response.content.decode()
    assert "Thank you for your feedback." in partial
    assert "<html" not in partial


def test_a_vote_without_javascript_returns_to_the_article(article):
    client = Client()

    response = vote(client, article, "no")

    assert response.status_code == 302
    assert response.url == article.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "Thank you for your feedback." in page
    assert "Tell us what was missing" in page
    assert "Was this article helpful?" not in page


def test_a_vote_must_be_yes_or_no_and_a_post(client, article):
    vote(client, article, "maybe")
    assert client.get(reverse("support:article_helpful", args=[article.slug])).status_code == 405

    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (0, 0)


def test_the_faq_publishes_faqpage_json_ld(client, help_content):
    Question.objects.filter(slug="cost").update(answer="Yes. </script><script>alert(1)</script>")

    page = client.get(reverse("support:faq")).content.decode()

    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "FAQPage"
    assert len(data["mainEntity"]) == Question.objects.count() >= 10
    first = data["mainEntity"][0]
    assert first["@type"] == "Question"
    assert first["name"] == "What is a work RVU (wRVU)?"
    assert first["acceptedAnswer"]["@type"] == "Answer"
    assert first["acceptedAnswer"]["text"].startswith("A work relative value unit")
    cost = next(q for q in data["mainEntity"] if q["name"] == "Is RVU Edge free?")
    assert cost["acceptedAnswer"]["text"] == "Yes. </script><script>alert(1)</script>"
    assert "<script>alert(1)" not in page
