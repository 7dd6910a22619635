"""Render the code pages the current data version lacks, as the beat's warm_code_pages does."""

from django.core.management.base import BaseCommand

from codes import pages


class Command(BaseCommand):
    help = (
        "Render and cache the national page of every code the current data version lacks "
        "(codes.pages.warm; the beat runs it every few minutes). --shard/--shards split the codes "
        "between processes run side by side."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shard", type=int, default=0)
        parser.add_argument("--shards", type=int, default=1)

    def handle(self, *args, shard, shards, verbosity, **options):
        if not 0 <= shard < shards:
            self.stderr.write("--shard must be at least 0 and less than --shards.")
            raise SystemExit(2)
        warmed = pages.warm(shard=shard, shards=shards)
        if verbosity:
            state = (
                "all looked at"
                if warmed.finished
                else "stopped: the data version changed or the cache is down"
            )
            self.stdout.write(
                f"{warmed.rendered} page(s) rendered of {warmed.codes} code(s) in "
                f"{warmed.seconds:.1f} s ({state})."
            )
