"""Load the bundled resource guides (resources/content/guides) into the database; safe to run
again. The glossary needs no loading: the page reads resources/content/glossary.json."""

from blog.management.content_command import LoadContentCommand
from resources import services


class Command(LoadContentCommand):
    help = (
        "Create or update the resource guides (resources/content/guides/*.md), signed by the "
        "RVU Edge Editorial Team staff user, which is created with an unusable password if "
        "needed. Guides that already match are left alone, so running it again changes nothing."
    )
    what = "resource guides"
    folder = "guides"
    default_directory = services.CONTENT_DIR

    def load(self, *, directory, dry_run):
        return services.guides_load(directory=directory, dry_run=dry_run)
