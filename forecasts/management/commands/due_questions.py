from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone

from forecasts.models import Question


class Command(BaseCommand):
    help = "List the questions due for resolution (past their deadline, unresolved), oldest first."

    def handle(self, *args, **options):
        due = Question.objects.due(timezone.localdate()).annotate(claim_count=Count("claims"))
        rows = list(due.values_list("pk", "title", "deadline", "claim_count"))
        for pk, title, deadline, claims in rows:
            self.stdout.write(f"{pk}\t{deadline:%Y-%m-%d}\t{claims} claim{'s' if claims != 1 else ''}\t{title}")
        self.stdout.write(f"{len(rows)} question{'s' if len(rows) != 1 else ''} due for resolution.")
