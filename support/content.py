"""Reading the shipped help content (support/content/): pure file parsing, no ORM.

- topics.toml: [[topic]] tables with slug, title, description; their order is their position.
- articles/<slug>.md: a front matter block between "---" lines (topic, title, summary,
  position), then the Markdown body.
- faq.toml: [[question]] tables with slug, question, answer and optionally article (a slug).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
ARTICLE_FIELDS = {"topic", "title", "summary", "position"}


class ContentError(ValueError):
    pass


@dataclass(frozen=True)
class TopicSource:
    slug: str
    title: str
    description: str
    position: int


@dataclass(frozen=True)
class ArticleSource:
    slug: str
    topic: str
    title: str
    summary: str
    position: int
    body: str


@dataclass(frozen=True)
class QuestionSource:
    slug: str
    question: str
    answer: str
    article: str | None
    position: int


@dataclass(frozen=True)
class HelpContent:
    topics: list[TopicSource]
    articles: list[ArticleSource]
    questions: list[QuestionSource]


def _front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(f"{path.name}: must start with a '---' front matter block.")
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        raise ContentError(f"{path.name}: the front matter block is not closed by '---'.") from None
    meta = {}
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ContentError(f"{path.name}: front matter line {line!r} is not 'key: value'.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]  # quoted because the value holds a colon
        meta[key.strip()] = value
    missing = ARTICLE_FIELDS - meta.keys()
    if missing:
        raise ContentError(f"{path.name}: front matter lacks {', '.join(sorted(missing))}.")
    return meta, "\n".join(lines[end + 1 :]).strip() + "\n"


def read_help_content(directory: Path = CONTENT_DIR) -> HelpContent:
    """Parse and cross-check the content folder; raise ContentError naming the problem."""
    topics_data = tomllib.loads((directory / "topics.toml").read_text(encoding="utf-8"))
    topics = [
        TopicSource(t["slug"], t["title"], t.get("description", ""), position)
        for position, t in enumerate(topics_data.get("topic", []), 1)
    ]
    topic_slugs = {t.slug for t in topics}
    articles = []
    for path in sorted((directory / "articles").glob("*.md")):
        meta, body = _front_matter(path)
        if meta["topic"] not in topic_slugs:
            raise ContentError(f"{path.name}: unknown topic {meta['topic']!r}.")
        articles.append(
            ArticleSource(
                slug=path.stem,
                topic=meta["topic"],
                title=meta["title"],
                summary=meta["summary"],
                position=int(meta["position"]),
                body=body,
            )
        )
    article_slugs = {a.slug for a in articles}
    faq_data = tomllib.loads((directory / "faq.toml").read_text(encoding="utf-8"))
    questions = []
    for position, q in enumerate(faq_data.get("question", []), 1):
        if q.get("article") and q["article"] not in article_slugs:
            raise ContentError(f"FAQ {q['slug']!r}: unknown article {q['article']!r}.")
        questions.append(
            QuestionSource(
                slug=q["slug"],
                question=q["question"],
                answer=" ".join(q["answer"].split()),
                article=q.get("article"),
                position=position,
            )
        )
    for kind, slugs in (
        ("topic", [t.slug for t in topics]),
        ("question", [q.slug for q in questions]),
    ):
        if len(slugs) != len(set(slugs)):
            raise ContentError(f"A {kind} slug is used twice.")
    return HelpContent(topics=topics, articles=articles, questions=questions)
