"""Load the bundled articles and guides (blog/content) into the database; safe to run again."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog import services


class Command(BaseCommand):
    help = (
        "Create or update the blog posts (blog/content/posts/*.md) and resource guides "
        "(blog/content/guides/*.md), signed by the RVU Edge Editorial Team staff user, which is "
        "created with an unusable password if needed. Documents that already match are left "
        "alone, so running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=services.CONTENT_DIR,
            help="Folder holding posts/ and guides/ (default: the bundled content).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; save nothing."
        )

    def handle(self, *args, directory, dry_run, verbosity, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        try:
            report = services.content_load(directory=directory, dry_run=dry_run)
        except services.ContentError as exc:
            raise CommandError(str(exc)) from None
        prefix = "Would load" if dry_run else "Loaded"
        if verbosity >= 1:
            self.stdout.write(
                f"{prefix} blog content: {len(report.created)} created, "
                f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
            )
        if verbosity >= 2:
            for label, names in (("created", report.created), ("updated", report.updated)):
                for name in names:
                    self.stdout.write(f"  {label}: {name}")
