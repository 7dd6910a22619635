"""Sections of the tracker's menu that other apps add, without tracking importing them.

An app that depends on tracking (statements) registers its page in its AppConfig.ready():

    register_section(TrackerSection("Statements", "statements:list", for_trainees=False))

The tracker's menu (templates/tracking/_base.html, through the `tracker_sections` tag) lists
them after its own sections; a section is active on its page and every page under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


@dataclass(frozen=True)
class TrackerSection:
    label: str
    url_name: str
    # Pay pages are the attendings' (tracking.views.stages): False hides the section from
    # students and residents.
    for_trainees: bool = True

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_sections: dict[str, TrackerSection] = {}


def register_section(section: TrackerSection) -> None:
    existing = _sections.get(section.url_name)
    if existing is not None and existing != section:
        raise ImproperlyConfigured(f"Tracker section {section.url_name!r} is registered twice.")
    _sections[section.url_name] = section


def sections_for(user) -> list[TrackerSection]:
    """The registered sections the user's menu shows."""
    trainee = getattr(user, "is_trainee", False)
    return [s for s in _sections.values() if s.for_trainees or not trainee]
