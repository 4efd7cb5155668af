"""Benchmark of the admin imports: preview and import of N experts and N claims, as an analyst does it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hindsight_bench python bench/imports.py [--rows 50000]
    python bench/imports.py --tiny        # 300 rows, a few seconds: what CI runs

Steps (see bench/README.md):
  1. the database: --database-url, by default the database hindsight_bench_imports on the
     PostgreSQL server of DATABASE_URL, or a temporary SQLite file when DATABASE_URL is not
     PostgreSQL or with --tiny; created if missing, migrated, its app tables wiped;
  2. an experts CSV of N rows is uploaded to the admin (django.test.Client, in process, as a
     superuser): the preview (POST …/import/) and the import (POST …/process_import/) are timed;
  3. the same for a claims CSV of N rows on N/50 questions (a third of them resolved, so the score
     tables are rescored), experts named by slug or by name, half the probabilities from hedges;
  4. the claims file is imported again: every row matches a claim and is skipped;
  5. N new claims as a background job, as docker-compose runs it (TASKS_BACKEND=database): the
     upload that queues the job, then `manage.py db_worker --batch` running it, are timed;
  6. the anchor: Django's bulk_create of the same N claims, built in memory (rolled back);
  7. a table of seconds, rows per second and the ratio to the anchor, against the gunicorn
     worker timeout (30 s) each request must stay within.

The database is wiped: its name must contain "bench" unless --allow-wipe is given.
"""

import argparse
import csv
import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKER_TIMEOUT = 30.0  # seconds: gunicorn's default --timeout, which kills a request's worker
TINY_ROWS = 300
HEDGES = {
    "almost no chance": 0.03, "very unlikely": 0.125, "unlikely": 0.325, "roughly even chance": 0.5,
    "likely": 0.675, "very likely": 0.875, "almost certain": 0.97,
}


def log(message):
    print(message, flush=True)


def choose_database(args):
    """The DATABASE_URL the run uses, set before Django starts; a temporary SQLite file if no PostgreSQL."""
    if args.database_url:
        return args.database_url
    configured = os.environ.get("DATABASE_URL", "")
    if not args.tiny and configured.startswith(("postgres://", "postgresql://")):
        parts = dj_database_url.parse(configured)
        return (f"postgres://{parts['USER']}@{parts['HOST'] or '127.0.0.1'}:{parts['PORT'] or 5432}"
                "/hindsight_bench_imports")
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='hindsight-bench-')) / 'bench.sqlite3'}"


def parse_args():
    from common import parse_args_with_tiny  # bench/common.py

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="Rows in the experts file and in the claims file.")
    parser.add_argument("--database-url", default="", help="Default: see the module docstring.")
    parser.add_argument("--allow-wipe", action="store_true", help="Wipe a database whose name lacks 'bench'.")
    return parse_args_with_tiny(parser, {"rows": TINY_ROWS})


class Timer:
    """Wall-clock seconds, and the CPU seconds of this process (other processes do not count)."""

    def __enter__(self):
        self.start, self.cpu_start = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.cpu_start


def prepare_database(args):
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from common import create_database_if_missing

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        if "bench" not in db["NAME"] and not args.allow_wipe:
            sys.exit(f"Refusing to wipe database {db['NAME']!r}: its name does not contain 'bench'. "
                     "Use a dedicated benchmark database, or pass --allow-wipe.")
        create_database_if_missing(db, log)
    call_command("migrate", verbosity=0, interactive=False)
    tables = [model._meta.db_table for label in ("sources", "forecasts")
              for model in apps.get_app_config(label).get_models(include_auto_created=True)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " RESTART IDENTITY CASCADE")
        else:
            for table_name in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table_name)}")
    return db


def build_fixtures(rows):
    """The hedge scale, sources and questions the claims file refers to (a third of them resolved)."""
    import datetime

    from django.utils import timezone

    from forecasts.models import HedgePhrase, HedgeScale, Question, Resolution
    from sources.models import Source

    scale = HedgeScale.objects.create(slug="bench-icd-203", name="Bench scale", is_default=True)
    HedgePhrase.objects.bulk_create([HedgePhrase(scale=scale, phrase=p, probability=v) for p, v in HEDGES.items()])
    Source.objects.bulk_create([
        Source(slug=f"source-{n}", title=f"Source {n}", published_on=datetime.date(2019, 4, 1)) for n in range(100)
    ])
    question_count = max(1, rows // 50)
    questions = Question.objects.bulk_create([
        Question(slug=f"question-{n}", title=f"Question {n}", resolution_criteria="YES if it happens.",
                 deadline=datetime.date(2020, 1, 1)) for n in range(question_count)
    ])
    Resolution.objects.bulk_create([
        Resolution(question=question, outcome="yes" if n % 2 else "no", resolved_at=timezone.now())
        for n, question in enumerate(questions) if n % 3 == 0
    ])
    return question_count


def csv_bytes(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def experts_file(rows):
    return csv_bytes(["id", "slug", "name", "affiliation", "bio"], (
        (n + 1, f"expert-{n}", f"Expert {n}", f"Institute {n % 97}", "Writes on the peninsula.") for n in range(rows)
    ))


def claims_file(rows, question_count, quote="Quote"):
    hedges = list(HEDGES)
    return csv_bytes(["id", "expert", "question", "source", "quote", "hedge", "predicts", "probability"], (
        (
            n + 1,
            f"expert-{n % 1000}" if n % 4 else f"Expert {n % 1000}",  # a quarter by name
            f"question-{n % question_count}",
            f"source-{n % 100}",
            f"{quote} {n}: they will probably meet.",
            hedges[n % len(hedges)],
            "no" if n % 5 == 0 else "yes",
            "" if n % 2 else f"{(n % 97) / 100:.2f}",  # half derived from the hedge
        )
        for n in range(rows)
    ))


def admin_import(client, model, content, name):
    """Preview then import a file through the admin's pages; returns (preview s, import s, message)."""
    from django.urls import reverse

    upload = io.BytesIO(content)
    upload.name = name
    with Timer() as preview:
        response = client.post(reverse(f"admin:{model}_import"), {"resource": "0", "format": "0", "import_file": upload})
        html = response.content.decode()
    confirm = response.context.get("confirm_form") if response.context else None
    if response.status_code != 200 or confirm is None:
        sys.exit(f"The preview of {name} offered no import (status {response.status_code}):\n{html[-3000:]}")
    data = {key: value for key, value in confirm.initial.items() if value is not None}
    with Timer() as imported:
        response = client.post(reverse(f"admin:{model}_process_import"), data)
    if response.status_code != 302:
        sys.exit(f"The import of {name} failed (status {response.status_code}):\n{response.content.decode()[-3000:]}")
    # Untimed: the redirect to the list page is another request, with its own timeout.
    response = client.get(response["Location"])
    messages = [str(message) for message in response.context["messages"]] if response.context else []
    if not any(m.startswith("Import finished") for m in messages):
        sys.exit(f"The import of {name} reported no success: {messages}")
    return preview, imported, messages[-1]


def queued_import(client, content, rows):
    """Upload a file of more rows than the threshold with the database backend, then run the worker
    once; returns (upload Timer, worker Timer, the Job)."""
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django.urls import reverse

    from config.jobs.models import Job

    upload = io.BytesIO(content)
    upload.name = "queued-claims.csv"
    with override_settings(HINDSIGHT_IMPORT_TASK_ROWS=rows - 1,
                           TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        with Timer() as queue:
            response = client.post(reverse("admin:forecasts_claim_import"),
                                    {"resource": "0", "format": "0", "import_file": upload})
        if response.status_code != 302 or "/jobs/job/" not in response["Location"]:
            sys.exit(f"The upload of {rows} rows was not queued (status {response.status_code}).")
        with Timer() as worker:
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    return queue, worker, Job.objects.order_by("-pk").first()


def anchor_bulk_create(rows, question_count):
    """Seconds for Django's bulk_create of the same claims (built in memory), rolled back."""
    import datetime

    from django.db import transaction

    from forecasts.models import Claim, Question
    from sources.models import Expert, Source

    experts = list(Expert.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    questions = list(Question.objects.order_by("pk").values_list("pk", flat=True)[:question_count])
    sources = list(Source.objects.order_by("pk").values_list("pk", flat=True))
    with Timer() as timer:
        with transaction.atomic():
            Claim.objects.bulk_create([
                Claim(expert_id=experts[n % len(experts)], question_id=questions[n % len(questions)],
                      source_id=sources[n % len(sources)], quote=f"Anchor {n}.", hedge="likely", probability=0.675,
                      probability_origin="hedge", made_on=datetime.date(2019, 4, 1))
                for n in range(rows)
            ], batch_size=2000)
            transaction.set_rollback(True)
    return timer


def main():
    args = parse_args()
    os.environ["DATABASE_URL"] = choose_database(args)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["AXES_ENABLED"] = "0"  # the bench logs in with force_login; no lockout to test
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["DEBUG"] = "0"
    # Steps 2-4 time the admin's preview and import in the request; step 5 queues its file as a job.
    os.environ["HINDSIGHT_IMPORT_TASK_ROWS"] = str(10**12)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.conf import settings

    # The admin's pages name their static files; nothing is collected for a benchmark.
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from forecasts.models import Claim, ExpertScore
    from sources.models import Expert

    setup_test_environment()  # records each response's template context: the confirm form, the messages
    began = time.perf_counter()
    db = prepare_database(args)
    engine = f"PostgreSQL {connection.pg_version // 10000}" if connection.vendor == "postgresql" else "SQLite"
    log(f"Preparing {args.rows} rows on {engine} ({db['NAME']})…")
    question_count = build_fixtures(args.rows)
    get_user_model().objects.filter(username="bench-admin").delete()  # left by an earlier run
    admin = get_user_model().objects.create_superuser("bench-admin", password="unused-bench-password")
    client = Client()
    client.force_login(admin)
    load_before = os.getloadavg()[0]

    results = []
    n = args.rows
    log("experts: preview and import…")
    expert_preview, expert_import, expert_message = admin_import(client, "sources_expert", experts_file(n), "experts.csv")
    log(f"  {expert_message}")
    log("claims: preview and import…")
    content = claims_file(n, question_count)
    claim_preview, claim_import, claim_message = admin_import(client, "forecasts_claim", content, "claims.csv")
    log(f"  {claim_message}")
    log("claims again (every row unchanged)…")
    again_preview, again_import, again_message = admin_import(client, "forecasts_claim", content, "claims.csv")
    log(f"  {again_message}")
    log("claims as a background job: queue, then db_worker…")
    queue, worker, job = queued_import(client, claims_file(n, question_count, quote="Queued quote"), n)
    log(f"  {job.title}: {job.get_status_display()}, {job.result}")
    log("anchor: bulk_create of the same claims…")
    anchor = anchor_bulk_create(n, question_count)

    failures = []
    if Expert.objects.count() != n:
        failures.append(f"{Expert.objects.count()} experts after importing {n}")
    if Claim.objects.count() != 2 * n:
        failures.append(f"{Claim.objects.count()} claims after importing {n} twice and {n} new as a job")
    if job.status != "succeeded" or job.result.get("new") != n:
        failures.append(f"the queued import ended {job.status}: {job.result or job.errors}")
    scored = ExpertScore.objects.filter(scored__gt=0).count()
    if not scored:
        failures.append("no expert was scored after the claims import")

    def row(step, timer, in_request=True):
        verdict = "OK" if timer.seconds < WORKER_TIMEOUT else "MISS"
        target = f"< {WORKER_TIMEOUT:.0f} s {verdict}" if in_request else "— (worker)"
        return (step, f"{timer.seconds:.2f} s", f"{timer.cpu:.2f} s", f"{n / timer.seconds:,.0f}",
                f"{timer.seconds / anchor.seconds:.1f}×", target)

    results = [
        ("step", "time", "CPU (Python)", "rows/s", "× anchor", "target"),
        row(f"preview {n} experts (admin, dry run)", expert_preview),
        row(f"import {n} experts (admin, confirm)", expert_import),
        row(f"preview {n} claims (admin, dry run)", claim_preview),
        row(f"import {n} claims (admin, confirm; rescoring included)", claim_import),
        row(f"preview {n} claims again (all unchanged)", again_preview),
        row(f"import {n} claims again (all skipped)", again_import),
        row(f"queue {n} new claims as a job (admin upload, TASKS_BACKEND=database)", queue),
        row("run that job (db_worker --batch; rescoring included)", worker, in_request=False),
        (f"anchor: bulk_create of {n} claims (one model, no checks)", f"{anchor.seconds:.2f} s", f"{anchor.cpu:.2f} s",
         f"{n / anchor.seconds:,.0f}", "1.0×", "—"),
    ]
    print()
    print(f"Hindsight import benchmark — {engine}, {os.cpu_count()} CPUs, {platform.machine()}, "
          f"Python {platform.python_version()}, Django {django.get_version()}; through the admin with "
          "django.test.Client (in process, no HTTP server), DEBUG=False")
    print()
    from common import table  # bench/common.py

    print(table(results))
    print()
    print(f"after the run: {Expert.objects.count():,} experts, {Claim.objects.count():,} claims, "
          f"{scored:,} experts with scored questions; {question_count:,} questions (a third resolved)")
    print(f"load average (1 min) {load_before:.2f} at start, {os.getloadavg()[0]:.2f} at end "
          "(other processes compete for the CPUs when it is high)")
    print(f"end to end: {time.perf_counter() - began:.1f} s")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
