"""Load the bundled blog posts (blog/content/posts) into the database; safe to run again."""

from blog import services
from blog.management.content_command import LoadContentCommand


class Command(LoadContentCommand):
    help = (
        "Create or update the blog posts (blog/content/posts/*.md), signed by the RVU Edge "
        "Editorial Team staff user, which is created with an unusable password if needed. "
        "Documents that already match are left alone, so running it again changes nothing. "
        "Resource guides load with load_resources_content."
    )
    what = "blog content"
    folder = "posts"
    default_directory = services.CONTENT_DIR

    def load(self, *, directory, dry_run):
        return services.content_load(directory=directory, dry_run=dry_run)
