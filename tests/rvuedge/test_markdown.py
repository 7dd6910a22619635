"""Markdown rendering is bounded in size and time, and says why it gave up."""

import time

import pytest
from django.urls import reverse

from rvuedge.markdown import MAX_CHARS, MarkdownTooComplex, render_markdown
from tests.factories import UserFactory

NESTED_BRACKETS = "[" * 50_000 + "]" * 50_000  # 100 kB; about 30 s unbounded


@pytest.mark.parametrize(
    "text",
    [NESTED_BRACKETS, "[" * 100_000, "![" * 50_000, "[a](" * 25_000],
    ids=["nested", "unclosed", "images", "links"],
)
def test_a_pathological_text_stops_at_the_deadline_with_a_clear_error(text):
    started = time.thread_time()  # processor time: a busy machine does not change it

    with pytest.raises(MarkdownTooComplex, match=r"took longer than 0\.5 seconds to render"):
        render_markdown(text, seconds=0.5)

    assert time.thread_time() - started < 1.5


def test_a_text_over_the_size_limit_is_refused_before_rendering():
    with pytest.raises(MarkdownTooComplex, match=f"the limit is {MAX_CHARS:,}"):
        render_markdown("a" * (MAX_CHARS + 1))


def test_nesting_deeper_than_python_can_follow_is_a_clear_error():
    with pytest.raises(MarkdownTooComplex, match="nested too deeply"):
        render_markdown("   - " * 5_000)


def test_ordinary_long_text_still_renders():
    part = "## Part {}\n\nSee [CMS](https://cms.gov) and **27447**."
    text = "\n\n".join(part.format(n) for n in range(1000))  # 56 kB, about 0.5 s

    html = render_markdown(text)

    assert html.count("<h2") == 1000 and 'href="https://cms.gov"' in html


@pytest.mark.django_db
def test_the_admin_preview_answers_a_bracket_bomb_with_400_and_the_reason(client, monkeypatch):
    monkeypatch.setattr("rvuedge.markdown.TIME_LIMIT_SECONDS", 0.5)
    client.force_login(UserFactory(is_staff=True))
    started = time.thread_time()

    response = client.post(reverse("blog:preview"), {"body": NESTED_BRACKETS})

    assert response.status_code == 400
    assert "took longer than 0.5 seconds to render" in response.content.decode()
    assert time.thread_time() - started < 2.5
