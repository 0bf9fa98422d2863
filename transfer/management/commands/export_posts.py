"""Export every post as a Jekyll site into a new or empty folder (see transfer.exporter)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from transfer.exporter import export


class Command(BaseCommand):
    help = (
        "Write every post to DIR as a Jekyll site: _posts/, _drafts/, a folder per section, "
        "_data/authors.yml and _config.yml. DIR must be new or empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, metavar="DIR")

    def handle(self, *args, folder, **options):
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise CommandError(f"{folder} is not an empty folder: export into a new one")
        count = export(folder)
        self.stdout.write(f"{count} posts exported to {folder}")
