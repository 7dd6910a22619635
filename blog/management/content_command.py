"""The shape of a command that loads bundled Markdown articles: load_blog_content (posts) and
resources' load_resources_content (guides) differ only in what they load and from where."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.services import ContentError, LoadReport


class LoadContentCommand(BaseCommand):
    what = "articles"  # for the summary line, e.g. "blog content"
    folder = ""  # the sub-folder of --directory holding the Markdown files
    default_directory: Path

    def load(self, *, directory: Path, dry_run: bool) -> LoadReport:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=self.default_directory,
            help=f"Folder holding {self.folder}/ (default: the bundled content).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; save nothing."
        )

    def handle(self, *args, directory, dry_run, verbosity, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        try:
            report = self.load(directory=directory, dry_run=dry_run)
        except ContentError as exc:
            raise CommandError(str(exc)) from None
        prefix = "Would load" if dry_run else "Loaded"
        if verbosity >= 1:
            self.stdout.write(
                f"{prefix} {self.what}: {len(report.created)} created, "
                f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
            )
        if verbosity >= 2:
            for label, names in (("created", report.created), ("updated", report.updated)):
                for name in names:
                    self.stdout.write(f"  {label}: {name}")
