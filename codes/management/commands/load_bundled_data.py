"""Import the CMS files bundled in data/cms on first run; a quick no-op afterwards."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from codes import parsing, releases, services
from ncci import services as ncci_services


class Command(BaseCommand):
    help = (
        "Import the bundled CMS files (settings.CMS_DATA_DIR: one folder per release, or per "
        "year's locality files such as RVU26A, plus the HCPCS files) and make the newest bundled "
        "release current, and the bundled NCCI edits (settings.NCCI_DATA_DIR). Files already "
        "imported are skipped, so running it again is quick and "
        "changes nothing."
    )

    def handle(self, *args, verbosity, **options):
        root = Path(settings.CMS_DATA_DIR)
        if not root.is_dir():
            raise CommandError(f"{root} does not exist (settings.CMS_DATA_DIR)")
        folders = [p for p in root.iterdir() if p.is_dir()]
        release_folders = sorted(
            (info.year, info.quarter, info.revised, folder)
            for folder in folders
            if (info := parsing.release_from_name(folder.name))
        )
        others = sorted(f for f in folders if not parsing.release_from_name(f.name))
        newest_imported = None
        try:
            for *_, folder in release_folders:
                outcome = services.release_import(source=folder)
                self._say(outcome, verbosity)
                # A locality-only release (RVU26A's GPCI, LOCCO, ANES) prices nothing itself.
                if outcome.imported and outcome.release and outcome.release.rvu_count:
                    newest_imported = outcome.release
            for folder in others:
                self._say(services.release_import(source=folder), verbosity)
            if newest_imported:
                current = releases.current()
                if current is None or current.sort_key() < newest_imported.sort_key():
                    services.release_make_current(release=newest_imported)
                    if verbosity >= 1:
                        self.stdout.write(f"{newest_imported} is now the current release.")
        except services.FeeScheduleImportError as exc:
            raise CommandError(str(exc)) from None
        self._load_ncci(verbosity)
        # Code pages' editorial text (codes/content/); content edited in the admin is kept.
        call_command("load_editorial_content", verbosity=verbosity)

    def _load_ncci(self, verbosity):
        """The bundled NCCI edits (settings.NCCI_DATA_DIR: MUE and add-on code edits)."""
        root = Path(settings.NCCI_DATA_DIR)
        if not root.is_dir():
            raise CommandError(f"{root} does not exist (settings.NCCI_DATA_DIR)")
        try:
            outcomes = ncci_services.edits_import(source=root)
        except ncci_services.EditImportError as exc:
            raise CommandError(str(exc)) from None
        for outcome in outcomes:
            if verbosity >= 2 or (verbosity >= 1 and outcome.imported):
                self.stdout.write(outcome.message)

    def _say(self, outcome, verbosity):
        if verbosity >= 2 or (verbosity >= 1 and outcome.imported):
            self.stdout.write(outcome.message)
