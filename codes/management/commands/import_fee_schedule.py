"""Import a CMS fee schedule release: a zip as CMS publishes it, a folder, one file, or a URL."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from codes import services


class Command(BaseCommand):
    help = (
        "Import a CMS physician fee schedule release (zip, folder, PPRRVU/GPCI/LOCCO/ANES/"
        "OPPSCAP csv/xlsx, HCPCS xlsx, or an http(s) URL to any of them). Importing the same "
        "file twice does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL")
        parser.add_argument(
            "--name", help="Release name (RVU26C) when the file names do not say it."
        )
        parser.add_argument(
            "--make-current",
            action="store_true",
            help="Make the release the one pages price from once it is loaded.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check every file, write nothing.",
        )

    def handle(self, *args, source, name, make_current, dry_run, verbosity, **options):
        try:
            if dry_run:
                for line in services.release_check(source=source, name=name):
                    self.stdout.write(line)
                return
            with self._progress_bar(verbosity) as progress:
                outcome = services.release_import(
                    source=source, name=name, make_current=make_current, progress=progress
                )
        except services.FeeScheduleImportError as exc:
            raise CommandError(str(exc)) from None
        if verbosity >= 1:
            style = self.style.SUCCESS if outcome.imported else self.style.WARNING
            self.stdout.write(style(outcome.message))

    def _progress_bar(self, verbosity):
        return _TqdmProgress(enabled=verbosity >= 1)


class _TqdmProgress:
    """A tqdm bar fed by the importer's progress(done, total) callback."""

    def __init__(self, *, enabled):
        self.enabled = enabled
        self.bar = None

    def __enter__(self):
        return self if self.enabled else None

    def __call__(self, done, total):
        if self.bar is None:
            self.bar = tqdm(total=total, unit=" rows", desc="Importing", leave=False)
        self.bar.total = total
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
