"""Import NCCI edit files (MUE, add-on code edits, PTP edits) from a path or URL."""

from django.core.management.base import BaseCommand, CommandError

from ncci import services


class Command(BaseCommand):
    help = (
        "Import CMS NCCI edit files: the practitioner MUE csv, the add-on code edits (xlsx or "
        "csv) and the practitioner PTP edits (the quarter's four parts: a folder or zip holding "
        "ccipra-v...-f1 to f4). A file, zip, folder or http(s) URL; files imported before are "
        "skipped. All or nothing per set."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="File, zip, folder or URL.")

    def handle(self, *args, source, verbosity, **options):
        def progress(done, total):
            if verbosity >= 2:
                self.stdout.write(f"  {done:,} of {total:,} edits")

        try:
            outcomes = services.edits_import(source=source, progress=progress)
        except services.EditImportError as exc:
            raise CommandError(str(exc)) from None
        for outcome in outcomes:
            if verbosity >= 1:
                self.stdout.write(outcome.message)
