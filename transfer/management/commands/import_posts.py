"""Import Markdown files with front matter, or whole Jekyll sites.

Every file is validated before anything is written, then all are written in one transaction.
Each file is read and parsed once; the post it became waits on disk between validating and
writing, so that memory stays flat however many posts a site has. What Jekyll builds imports:
where it would adjust something (a shared slug or URL, a date that does not exist), the import
adjusts it alike and says so under the file, and the totals count each kind.
"""

from contextlib import closing
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from transfer.documents import FrontMatterError
from transfer.importer import Batch
from transfer.validation import Plan


class Command(BaseCommand):
    help = (
        "Import Markdown files with front matter: files, folders of them, or whole Jekyll sites "
        "(_posts, _drafts, collections and their HTML posts, _data/authors.yml, _config.yml). "
        "All files are validated first; nothing is written unless all are valid, and what "
        "Jekyll would adjust to build a site is adjusted alike and reported. Importing the same "
        "files again updates the posts imported from them."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report without writing."
        )
        parser.add_argument(
            "--old-baseurl",
            metavar="PATH",
            help="Where the old site also lived, such as /blog when it was served under "
            "example.github.io/blog: its old URLs under that path lead to the posts too.",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Show a progress bar (the default when standard error is a terminal).",
        )

    def handle(self, *args, paths, dry_run, old_baseurl, progress, verbosity, **options):
        try:
            batch = Batch.find(paths, old_baseurl=old_baseurl)
        except (FileNotFoundError, FrontMatterError) as error:
            raise CommandError(_describe(error)) from None
        show = self.stderr.isatty() if progress is None else progress
        with (
            closing(batch),
            tqdm(
                total=2 * len(batch.sources),
                unit="file",
                disable=not show,
                file=self.stderr,
                desc="Validating",
            ) as bar,
        ):
            if not batch.sources:
                bar.close()
                raise CommandError("no Markdown posts found in " + ", ".join(map(str, paths)))
            errors = batch.validate(on_file=bar.update)
            if errors:
                bar.close()
                raise CommandError(
                    f"{len(errors)} error(s); nothing was written:\n" + "\n".join(errors)
                )
            bar.set_description("Importing")
            batch.dry_run = dry_run
            with transaction.atomic():
                batch.write(on_file=bar.update)
                if dry_run:
                    transaction.set_rollback(True)
        self.report(batch, dry_run, verbosity)

    def report(self, batch: Batch, dry_run: bool, verbosity: int):
        """Each file that needed converting, adjusting or lost something, what concerns the
        site as a whole, then the totals."""
        for line in batch.skipped:
            self.stdout.write(f"skipped {line}")
        for plan in batch.plans:
            if plan.notes or verbosity > 1:
                self.stdout.write(_headline(plan))
                for note in plan.notes:
                    self.stdout.write(f"  {note}")
        for line in batch.merged_spellings() + batch.site_notes():
            self.stdout.write(line)
        if verbosity > 1:
            for old, target, why, leads in batch.site_redirects:
                outcome = "->" if leads else "already leads elsewhere, not to"
                self.stdout.write(f"{old} {outcome} {target} ({why})")
        summary = batch.summary()
        if dry_run:
            summary = f"Dry run, nothing was written. It would be: {summary}"
        self.stdout.write(summary)


def _headline(plan: Plan) -> str:
    return f"{plan.source.path} -> /posts/{plan.slug}/ ({plan.outcome})"


def _describe(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return f"{error.args[0]}: no such file or folder"
    return str(error)
