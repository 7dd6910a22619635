"""Load the help centre's shipped topics, articles and FAQ (support/content/) into the database.

Idempotent: matched by slug, so a second run reports everything unchanged. Helpful counts and
articles staff wrote in the admin are kept.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from support.content import CONTENT_DIR, ContentError, read_help_content
from support.services import help_content_load


class Command(BaseCommand):
    help = "Create or update the help centre's topics, articles and FAQ from support/content/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; save nothing."
        )
        parser.add_argument(
            "--directory", type=Path, default=CONTENT_DIR, help="Content folder to read."
        )

    def handle(self, *args, dry_run, directory, verbosity, **options):
        try:
            content = read_help_content(directory)
        except (ContentError, OSError, KeyError, ValueError) as exc:
            raise CommandError(f"Cannot read the help content in {directory}: {exc}") from exc
        counts = help_content_load(content=content, dry_run=dry_run)
        if verbosity >= 1:
            prefix = "Dry run, nothing saved. Would have: " if dry_run else ""
            summary = "; ".join(
                f"{kind} {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
                for kind, c in counts.items()
            )
            self.stdout.write(self.style.SUCCESS(f"{prefix}{summary}."))
