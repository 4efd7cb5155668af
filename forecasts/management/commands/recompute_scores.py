import time

from django.core.management.base import BaseCommand

from forecasts.score_table import recompute_all_scores


class Command(BaseCommand):
    help = "Rebuild every expert's scores from all claims and resolutions."

    def handle(self, *args, **options):
        started = time.perf_counter()
        experts, question_scores = recompute_all_scores()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Recomputed scores of {experts} experts ({question_scores} question scores) in {elapsed:.2f} s.")
