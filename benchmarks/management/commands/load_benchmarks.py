"""Load a benchmark CSV as a named table, replacing that table's rows (idempotent)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks.parsing import parse_benchmarks
from benchmarks.services import benchmarks_replace

BUNDLED = Path(settings.BASE_DIR) / "data" / "benchmarks" / "public_wrvu_figures.csv"


class Command(BaseCommand):
    help = "Load wRVU benchmark figures from CSV (default: the bundled public figures)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(BUNDLED))
        parser.add_argument("--table", default="Public figures", help="Name of the table.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file only.")

    def handle(self, path, table, dry_run, verbosity, **options):
        source = Path(path)
        if not source.exists():
            raise CommandError(f"{source} does not exist.")
        parsed = parse_benchmarks(source.read_bytes(), file_name=source.name)
        if parsed.errors:
            raise CommandError("\n".join(parsed.errors))
        if dry_run:
            self.stdout.write(f"{source.name}: {len(parsed.rows)} rows check out.")
            return
        count = benchmarks_replace(table=table, rows=parsed.rows)
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Loaded {count} rows into “{table}”."))
