from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from forecasts.services import ensure_analysts_group

USERNAME = PASSWORD = "analyst"


class Command(BaseCommand):
    help = "Create the demo analyst (username and password 'analyst'). For local demos only."

    def handle(self, *args, **options):
        user, created = get_user_model().objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
        if created:
            user.set_password(PASSWORD)
            user.save()
        user.groups.add(ensure_analysts_group())
        if created:
            self.stdout.write(
                f"Created the demo analyst: username {USERNAME!r}, password {PASSWORD!r} (demo only; "
                "log in at http://127.0.0.1:8000/admin/)."
            )
        else:
            self.stdout.write(f"The demo analyst {USERNAME!r} exists already; left its password as it was.")
