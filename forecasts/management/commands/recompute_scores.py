import time

from django.core.management.base import BaseCommand

from forecasts.score_table import recompute_all_scores
from config.jobs.progress import progress_bar, reporting_to, terminal


class Command(BaseCommand):
    help = "Rebuild every expert's scores from all claims and resolutions."

    def handle(self, *args, **options):
        started = time.perf_counter()
        with reporting_to(terminal(self.stderr)), progress_bar(
            total=1, description="Recomputing scores", unit="step"
        ) as bar:
            experts, question_scores = recompute_all_scores()
            bar.update()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Recomputed scores of {experts} experts ({question_scores} question scores) in {elapsed:.2f} s.")
