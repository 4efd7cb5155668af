from django.core.management.base import BaseCommand

from forecasts.corpus import export_corpus
from config.jobs.progress import reporting_to, terminal

class Command(BaseCommand):
    help = "Back up every source, expert, question, claim, resolution and hedge scale to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write ('-' for standard output).")

    def handle(self, *args, path, **options):
        if path == "-":
            with reporting_to(terminal(self.stderr)):
                counts = export_corpus(self.stdout)
        else:
            with open(path, "w", encoding="utf-8") as stream, reporting_to(terminal(self.stderr)):
                counts = export_corpus(stream)
            self.stdout.write(f"Wrote {', '.join(f'{n} {label}' for label, n in counts.items())} to {path}.")
