"""Load the editorial content bundled in codes/content/ (per-code text and category defaults).

Content already in the database is kept as it is, since people edit it in the admin; pass
--overwrite to replace it with the files. Running the command again changes nothing.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from codes import categories
from codes.models import CategoryContent, Code, CodeContent, CodeFaq

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
CODE_FIELDS = ("summary", "plain_language", "clinical_context", "billing_notes")
CATEGORY_FIELDS = ("plain_language_template", "clinical_context", "billing_notes")


def category_name(key: str) -> str:
    """Our category for a key of category_defaults.json.

    Keys are our category names ("E/M", "J Codes (Drugs)"), "HCPCS Level II" (the default for
    every Level II letter without its own), or "<letter> Codes (...)" for one Level II letter.
    """
    if key in categories.LEVEL_II_CATEGORIES.values() or key == "HCPCS Level II":
        return key
    letter = key.split(" ", 1)[0]
    if (
        len(letter) == 1
        and key[1:].startswith(" Codes")
        and letter in categories.LEVEL_II_CATEGORIES
    ):
        return categories.LEVEL_II_CATEGORIES[letter]
    return key


class Command(BaseCommand):
    help = (
        "Load codes/content/editorial.json (synonyms, summary, plain language, clinical context, "
        "billing notes, related codes and FAQs per code) and category_defaults.json. Existing "
        "content is kept unless --overwrite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(CONTENT_DIR), help="Folder holding the files.")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace content edited in the admin."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, write nothing.")

    def handle(self, *args, dir, overwrite, dry_run, verbosity, **options):
        folder = Path(dir)
        try:
            entries = json.loads((folder / "editorial.json").read_text(encoding="utf-8"))
            defaults = json.loads((folder / "category_defaults.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the editorial content in {folder}: {exc}") from None
        with transaction.atomic():
            report = self._load(entries, defaults, overwrite=overwrite)
            if dry_run:
                transaction.set_rollback(True)
        if verbosity >= 1 and (report["created"] or report["updated"] or verbosity >= 2):
            self.stdout.write(
                f"{'Would load' if dry_run else 'Loaded'} editorial content: "
                f"{report['created']} created, {report['updated']} replaced, "
                f"{report['kept']} kept; {report['categories']} category defaults written."
            )
        if report["unknown"] and verbosity >= 1:
            self.stdout.write(
                f"Skipped codes not in the database: {', '.join(sorted(report['unknown']))}"
            )

    def _load(self, entries, defaults, *, overwrite):
        report = {"created": 0, "updated": 0, "kept": 0, "categories": 0, "unknown": []}
        codes = {c.code: c for c in Code.objects.filter(code__in=[e["code"] for e in entries])}
        existing = {c.code_id: c for c in CodeContent.objects.filter(code__in=codes.values())}
        for entry in entries:
            code = codes.get(entry["code"].strip().upper())
            if code is None:
                report["unknown"].append(entry["code"])
                continue
            content = existing.get(code.pk)
            related = "\n".join(c.strip().upper() for c in entry.get("related") or [])
            if content is not None and not overwrite:
                # Related codes came after the first content: fill them in where none is set.
                if related and not content.related:
                    content.related = related
                    content.full_clean()
                    content.save(update_fields=["related", "updated_at"])
                report["kept"] += 1
                continue
            values = {name: (entry.get(name) or "").strip() for name in CODE_FIELDS}
            values["synonyms"] = "\n".join(s.strip() for s in entry.get("synonyms") or [])
            values["related"] = related
            content, created = CodeContent.objects.update_or_create(code=code, defaults=values)
            content.full_clean()
            content.faqs.all().delete()
            CodeFaq.objects.bulk_create(
                CodeFaq(content=content, question=f["question"], answer=f["answer"], position=i)
                for i, f in enumerate(entry.get("faqs") or [])
            )
            report["created" if created else "updated"] += 1
        for key, values in defaults.items():
            name = category_name(key)
            obj = CategoryContent.objects.filter(category=name).first()
            if obj is not None and not overwrite:
                continue
            CategoryContent.objects.update_or_create(
                category=name,
                defaults={field: (values.get(field) or "").strip() for field in CATEGORY_FIELDS},
            )
            report["categories"] += 1
        return report
