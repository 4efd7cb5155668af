from django.core.management.base import BaseCommand, CommandError

from forecasts.corpus import CorpusError, import_corpus
from config.jobs.progress import reporting_to, terminal


class Command(BaseCommand):
    help = "Restore a corpus file written by export_corpus into an empty database; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The corpus file.")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8") as stream, reporting_to(terminal(self.stderr)):
                counts, detached = import_corpus(stream)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        except CorpusError as error:
            raise CommandError(f"{error} Nothing was written.") from None
        self.stdout.write(f"Restored {', '.join(f'{n} {label}' for label, n in counts.items())}; scores rebuilt.")
        if detached:
            self.stdout.write(f"{detached} resolution(s) name a user this database does not have; kept without the link.")
