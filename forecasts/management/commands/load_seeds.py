from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from forecasts.seed_loader import SeedError, load_seed_directory
from config.jobs.progress import reporting_to, terminal


class Command(BaseCommand):
    help = (
        "Load the seed corpus (seeds/*.yaml): validates every file first, then applies only what changed "
        "since the last load; keeps records changed in the database since then unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(settings.BASE_DIR / "seeds"), help="Seed folder (default: seeds/).")
        parser.add_argument("--check", action="store_true", help="Validate the files without writing anything.")
        parser.add_argument(
            "--force", action="store_true",
            help="Also overwrite records changed in the database since the last load (each is listed).",
        )

    def handle(self, *args, path, check, force, **options):
        try:
            with reporting_to(terminal(self.stderr)):
                report = load_seed_directory(path, check_only=check, force=force)
        except SeedError as error:
            raise CommandError(
                f"{len(error.problems)} problem(s) in the seed files; nothing was written:\n" + "\n".join(error.problems)
            ) from None
        if check:
            totals = ", ".join(f"{count} {kind}" for kind, count in report.totals.items())
            self.stdout.write(f"Seed files are valid: {totals}. Nothing was written.")
        else:
            self.stdout.write(report.summary())
