"""Serve every shared page afresh: a new edge-cache content version, and nginx's cache emptied."""

from django.conf import settings
from django.core.management.base import BaseCommand

from rvuedge import edge_cache


class Command(BaseCommand):
    help = (
        "Start a new edge-cache content version (pages stored by Django are not served again) "
        "and delete the files of nginx's cache in EDGE_CACHE_DIR. Content changes do this on "
        "their own; this is for a change made outside the site (a template deployed, a file "
        "edited by hand)."
    )

    def handle(self, *args, verbosity, **options):
        removed = edge_cache.bump()
        if verbosity:
            where = settings.EDGE_CACHE_DIR or "no EDGE_CACHE_DIR set"
            self.stdout.write(f"New content version; {removed} cached file(s) deleted ({where}).")
