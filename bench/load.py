#!/usr/bin/env python
"""Load test of Hindsight's HTTP API under gunicorn: concurrent readers plus one analyst resolving.

    python bench/load.py [--clients 20 --seconds 60 --claims 10000 --workers 3 --port 8765]
                         [--database-url postgres://postgres@127.0.0.1:5432/hindsight_load]

Steps (see bench/README.md, "load.py"):
  1. a dedicated PostgreSQL database (created if missing): migrate, wipe the app tables
     (sources_*, forecasts_*), `load_seeds`, add synthetic experts, sources, questions (about half
     left open) and claims with bulk inserts, `recompute_scores`; create one analyst user (group
     "Analysts") whose API token is then asked for at POST /api/auth/token/;
  2. start gunicorn (config.wsgi, sync workers) on 127.0.0.1:<port> with production settings
     (DEBUG=0) and anonymous throttling lifted; wait until it answers;
  3. for --seconds: --clients reader threads cycle through GET /api/leaderboard/,
     GET /api/experts/<slug>/scores/ and GET /api/claims/?expert=<slug> (random slugs) with no
     think time, while ONE analyst thread resolves open questions one after another with
     POST /api/questions/<id>/resolve/;
  4. stop gunicorn (always, also on Ctrl-C), check that the score tables kept current under load
     equal a rebuild from scratch, and print the table.

Fault runs (--fault postgres|redis, README "Faults"): the bench starts a server of its own
(bench/servers.py: a throwaway PostgreSQL cluster on a free port, holding the whole run's
database, or a redis-server on a free port as the shared cache), stops it --fault-at seconds into
the timed run, starts it again --down-seconds later, and reports the responses by phase (JSON 503s,
anything else, hangs = client timeouts) and how long full service took to return; the server is
dropped at the end. The shared servers are never touched.

Standard library only on the client side (threads + http.client). PostgreSQL only; the database
is wiped, so its name must contain "load" or "bench" unless --allow-wipe is given.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

from common import (  # bench/common.py
    create_database_if_missing, free_port, parse_args_with_tiny, percentile, skip,
)
from servers import OwnPostgres, OwnRedis, ServerUnavailable  # bench/servers.py

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hindsight_load"
ANALYST_USERNAME = "load-analyst"
READ_ENDPOINTS = [
    ("GET /api/leaderboard/", lambda slug: "/api/leaderboard/"),
    ("GET /api/experts/{slug}/scores/", lambda slug: f"/api/experts/{slug}/scores/"),
    ("GET /api/claims/?expert={slug}", lambda slug: f"/api/claims/?expert={slug}"),
]
RESOLVE_LABEL = "POST /api/questions/{id}/resolve/"
UNAVAILABLE = "503 JSON"  # a JSON 503 with Retry-After
FULL_SERVICE_SECONDS = 10  # a fault run's goal: every request succeeds again within this after the restart
FIRST = ["Ana", "Boris", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena",
         "Mikhail", "Nadia", "Omar", "Petra", "Rosa", "Sven", "Tomoko", "Uma", "Viktor", "Wen", "Yuki"]
LAST = ["Abe", "Baker", "Cho", "Diaz", "Evans", "Fischer", "Garcia", "Horvat", "Ito", "Jensen", "Kim", "Lopez",
        "Moreau", "Novak", "Okafor", "Park", "Quinn", "Rossi", "Sato", "Tanaka", "Volkov", "Wong", "Zhou"]
PUBLISHERS = ["38 North", "NK News", "Foreign Affairs", "The Diplomat", "War on the Rocks", "Reuters", "Yonhap"]


def log(message=""):
    print(message, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="Concurrent reader threads (default 20).")
    parser.add_argument("--seconds", type=float, default=60, help="Length of the timed run (default 60).")
    parser.add_argument("--claims", type=int, default=10_000, help="Synthetic claims (default 10000).")
    parser.add_argument("--experts", type=int, default=200, help="Synthetic experts (default 200).")
    parser.add_argument("--questions", type=int, default=None,
                        help="Synthetic questions (default claims/5, at least 10).")
    parser.add_argument("--open-fraction", type=float, default=0.5,
                        help="Share of the synthetic questions left open for the analyst (default 0.5).")
    parser.add_argument("--sources", type=int, default=None, help="Synthetic sources (default claims/100, 10 to 100).")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (default 3).")
    parser.add_argument("--port", type=int, default=8765, help="Port on 127.0.0.1 for gunicorn (default 8765).")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"Default {DEFAULT_DATABASE_URL}; with --tiny, the DATABASE_URL environment variable.")
    parser.add_argument("--allow-wipe", action="store_true",
                        help='Wipe a database whose name contains neither "load" nor "bench".')
    parser.add_argument("--timeout", type=float, default=30, help="Socket timeout of one request, s (default 30).")
    parser.add_argument("--max-requests", type=int, default=1_000_000,
                        help="Hard cap on the requests of one client (default 1000000).")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed GETs per endpoint and worker first (default 5).")
    parser.add_argument("--seed", type=int, default=20240101, help="Random seed of data and clients.")
    parser.add_argument("--fault", choices=["postgres", "redis"],
                        help="Stop and restart a server of the bench's own during the run (see the docstring).")
    parser.add_argument("--fault-at", type=float, default=None,
                        help="Seconds into the timed run when the server stops (default a third of --seconds).")
    parser.add_argument("--down-seconds", type=float, default=5, help="How long it stays down (default 5).")
    args = parse_args_with_tiny(parser, {
        "clients": 2, "seconds": 2, "claims": 200, "experts": 10, "workers": 1, "warmup": 1, "timeout": 10,
        "database_url": os.environ.get("DATABASE_URL", ""), "port": None,
    })
    if args.port is None:  # tiny runs may overlap other runs on the machine
        args.port = free_port()
    if args.fault and args.tiny:
        args.seconds, args.down_seconds = max(args.seconds, 12), min(args.down_seconds, 2)
    if args.fault_at is None:
        args.fault_at = args.seconds / 3 if not args.tiny else 2
    if args.fault and not (0 <= args.fault_at and args.fault_at + args.down_seconds + 8 <= args.seconds):
        parser.error("--fault-at + --down-seconds must leave 8 s of the timed run after the restart begins "
                     "(the server's start plus the time to measure service returning).")
    if args.questions is None:
        args.questions = max(10, args.claims // 5)
    if args.sources is None:
        args.sources = max(10, min(100, args.claims // 100))
    if min(args.clients, args.claims, args.experts, args.questions, args.workers, args.sources) < 1 or args.seconds <= 0:
        parser.error("--clients, --claims, --experts, --questions, --sources, --workers and --seconds must be positive.")
    if not 0 <= args.open_fraction <= 1:
        parser.error("--open-fraction must be between 0 and 1.")
    return args


def check_database_url(url, allow_wipe):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        skip(f"bench/load.py runs on PostgreSQL only; {url!r} is not a postgres:// URL.")
    name = parts.path.lstrip("/")
    if not name:
        sys.exit(f"{url!r} names no database.")
    if not allow_wipe and "load" not in name and "bench" not in name:
        sys.exit(f"Refusing to wipe database {name!r}: its name contains neither 'load' nor 'bench'. "
                 "Use a dedicated database, or pass --allow-wipe.")
    if parts.hostname not in (None, "", "127.0.0.1", "localhost", "::1"):
        log(f"note: the database is on {parts.hostname}, not on this machine.")


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(32))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    sys.path.insert(0, str(ROOT))
    import warnings

    import django

    # WhiteNoise warns when collectstatic has not run; the API serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        skip(f"bench/load.py runs on PostgreSQL only, not {settings.DATABASES['default']['ENGINE']}.")


# 1. The database


def wipe():
    from django.apps import apps
    from django.db import connection

    tables = [model._meta.db_table for label in ("sources", "forecasts")
              for model in apps.get_app_config(label).get_models(include_auto_created=True)]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " RESTART IDENTITY CASCADE")
    return tables


def build_synthetic(args, rng):
    """Bulk-insert experts, sources, questions, resolutions and claims; returns the open question ids."""
    from django.db import transaction

    from forecasts.constants import Outcome, ProbabilityOrigin, Side
    from forecasts.models import Claim, HedgePhrase, Question, Resolution
    from config.jobs.progress import track
    from sources.models import Expert, Source

    today = dt.date.today()
    hedges = list(HedgePhrase.objects.filter(scale__is_default=True).values_list("phrase", "probability"))
    if not hedges:
        sys.exit("load_seeds left no default hedge scale.")
    with transaction.atomic():
        experts = Expert.objects.bulk_create(
            [Expert(name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}", slug=f"load-expert-{i}",
                    affiliation=f"Load Institute {i % 20}") for i in range(1, args.experts + 1)],
            batch_size=1000,
        )
        first, last = dt.date(2012, 1, 1).toordinal(), (today - dt.timedelta(days=1)).toordinal()
        sources = Source.objects.bulk_create(
            [Source(slug=f"load-source-{i}", title=f"Synthetic source {i}", publisher=rng.choice(PUBLISHERS),
                    url=f"https://example.org/load/{i}", published_on=dt.date.fromordinal(rng.randint(first, last)))
             for i in range(1, args.sources + 1)],
            batch_size=1000,
        )
        # Every deadline has passed: the analyst's resolutions make the claims on them count.
        questions = Question.objects.bulk_create(
            [Question(slug=f"load-question-{i}", title=f"Will synthetic event {i} happen?",
                      resolution_criteria=f"YES if event {i} is reported by two outlets before the deadline.",
                      deadline=dt.date.fromordinal(rng.randint(first + 400, last)))
             for i in range(1, args.questions + 1)],
            batch_size=1000,
        )
        truth = {question.pk: rng.betavariate(0.6, 0.6) for question in questions}
        open_count = round(len(questions) * args.open_fraction)
        shuffled = questions[:]
        rng.shuffle(shuffled)
        open_questions, resolved_questions = shuffled[:open_count], shuffled[open_count:]
        resolutions = []
        for question in resolved_questions:
            roll = rng.random()
            if roll < 0.95:
                outcome = Outcome.YES if rng.random() < truth[question.pk] else Outcome.NO
            else:
                outcome = Outcome.AMBIGUOUS if roll < 0.98 else Outcome.ANNULLED
            resolved_at = dt.datetime.combine(question.deadline + dt.timedelta(days=rng.randint(0, 30)),
                                              dt.time(12), tzinfo=dt.timezone.utc)
            resolutions.append(Resolution(question=question, outcome=outcome, resolved_at=resolved_at))
        Resolution.objects.bulk_create(resolutions, batch_size=1000)
        skill = [rng.uniform(0.05, 0.4) for _ in experts]
        claims = []
        for i in track(range(1, args.claims + 1), description="Building claims"):
            question = rng.choice(questions)
            e = rng.randrange(len(experts))
            raw = min(max(truth[question.pk] + rng.gauss(0, skill[e]), 0.01), 0.99)
            if rng.random() < 0.6:
                phrase, value = min(hedges, key=lambda pair: abs(pair[1] - raw))
                hedge, probability, origin = phrase, value, ProbabilityOrigin.HEDGE
            else:
                hedge, probability, origin = "", round(raw, 2), rng.choice([ProbabilityOrigin.ANALYST, ProbabilityOrigin.STATED])
            late = rng.random() < 0.02
            made_on = question.deadline + dt.timedelta(days=rng.randint(1, 200) if late else -rng.randint(0, 1200))
            claims.append(Claim(
                question=question, expert=experts[e], source=rng.choice(sources), quote=f"Synthetic quote {i}.",
                hedge=hedge, predicts=Side.YES, probability=probability, probability_origin=origin,
                made_on=min(made_on, today), external_id=f"load-{i}",
            ))
        Claim.objects.bulk_create(claims, batch_size=2000)
    return [question.pk for question in open_questions]


def vacuum_analyze():
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        for label in ("sources", "forecasts"):
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def create_analyst():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from forecasts.constants import ANALYSTS_GROUP

    User = get_user_model()
    User.objects.filter(username=ANALYST_USERNAME).delete()  # and its token
    password = secrets.token_urlsafe(24)
    user = User.objects.create_user(username=ANALYST_USERNAME, password=password)
    user.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    return password


def prepare(args, rng):
    from django.core.management import call_command
    from django.db import connection

    from forecasts.score_table import recompute_all_scores
    from config.jobs.progress import reporting_to, terminal

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    wipe()
    call_command("load_seeds", verbosity=0, stdout=open(os.devnull, "w"))
    with reporting_to(terminal(sys.stderr)):
        open_ids = build_synthetic(args, rng)
    t = time.perf_counter()
    experts, question_scores = recompute_all_scores()
    recompute_seconds = time.perf_counter() - t
    vacuum_analyze()
    password = create_analyst()
    connection.close()
    log(f"  database ready in {time.perf_counter() - began:.1f} s (recompute_scores {recompute_seconds:.2f} s: "
        f"{experts} experts, {question_scores} question scores)")
    return open_ids, password


def row_counts():
    from forecasts.models import Claim, ExpertScore, Question, QuestionScore, Resolution
    from sources.models import Expert, Source

    return {"experts": Expert.objects.count(), "sources": Source.objects.count(),
            "questions": Question.objects.count(),
            "open questions": Question.objects.filter(resolution__isnull=True).count(),
            "claims": Claim.objects.count(), "resolutions": Resolution.objects.count(),
            "question scores": QuestionScore.objects.count(), "expert scores": ExpertScore.objects.count()}


def score_snapshot():
    from forecasts.models import ExpertScore, QuestionScore
    from forecasts.scoring import registry

    fields = ["scored", "open", "unscorable", "late", *registry.expert_columns(), "calibration"]
    experts = {row[0]: row[1:] for row in ExpertScore.objects.values_list("expert_id", *fields)}
    questions = {(row[0], row[1]): row[2:] for row in QuestionScore.objects.values_list(
        "question_id", "expert_id", "claim_id", *registry.question_columns())}
    return experts, questions


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def check_scores():
    """Compare the score tables kept current under load with a rebuild from scratch (then kept)."""
    from forecasts.score_table import recompute_all_scores

    before = score_snapshot()
    recompute_all_scores()
    after = score_snapshot()
    problems = []
    for name, old, new in (("expert scores", before[0], after[0]), ("question scores", before[1], after[1])):
        if old.keys() != new.keys():
            problems.append(f"{name}: {len(old.keys() - new.keys())} rows only before the rebuild, "
                            f"{len(new.keys() - old.keys())} only after")
        differing = [key for key in old.keys() & new.keys() if not _same(old[key], new[key])]
        if differing:
            problems.append(f"{name}: {len(differing)} rows differ (e.g. {differing[:3]})")
    return problems


# 2. gunicorn


def code_version():
    """The commit under test and how many tracked files differ from it (read-only git calls)."""
    def git(*command):
        result = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), *command],
                                capture_output=True, text=True, timeout=10)
        return result.stdout.strip() if result.returncode == 0 else None

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if commit is None:
        return "unknown (not a git checkout)"
    changed = len(changed.splitlines()) if changed else 0
    return f"commit {commit}" + (f" + uncommitted changes in {changed} tracked files" if changed else "")


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def start_gunicorn(args, database_url, logfile):
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "THROTTLE_ANON", "THROTTLE_USER")}
    env.update({
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-" + secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        # All clients share 127.0.0.1: the default 120/minute would answer 429 within a second.
        "THROTTLE_ANON": "1000000/minute",
        "PYTHONUNBUFFERED": "1",
    })
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(args.workers),
               "--bind", f"127.0.0.1:{args.port}", "--chdir", str(ROOT), "--timeout", "60",
               "--graceful-timeout", "10", "--log-level", "warning", "--error-logfile", "-"]
    # A session of its own: Ctrl-C in the terminal reaches this script, which stops gunicorn itself.
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=logfile, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop_gunicorn(process):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # graceful: workers finish their request
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_until_up(args, process, deadline_seconds=30):
    deadline = time.monotonic() + deadline_seconds
    last = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"gunicorn exited with code {process.returncode}"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            conn.request("GET", "/api/", headers={"Accept": "application/json"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return None
            last = f"GET /api/ answered {response.status}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.2)
    return f"gunicorn did not answer within {deadline_seconds} s ({last})"


def _proc_stat(pid):
    """(ppid, utime + stime in seconds) of a process from /proc, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu():
    """(busy, total) CPU seconds of all CPUs from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    busy = sum(values) - values[3] - values[4]  # less idle and iowait
    return busy / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


class CpuMonitor(threading.Thread):
    """Samples /proc twice a second: CPU seconds used by gunicorn (master and workers, restarts
    included), by the PostgreSQL backends of the benchmark database, by this script, and by the
    whole machine (the rest is PostgreSQL's own processes and anything else running)."""

    def __init__(self, gunicorn_pid, database):
        super().__init__(daemon=True)
        self.gunicorn_pid, self.database = gunicorn_pid, database
        self.first, self.last, self.group = {}, {}, {}
        self.workers = set()
        self.done = threading.Event()
        self.machine_start = machine_cpu()
        self.self_start = os.times()
        self.initial = True
        self.sample()
        self.initial = False

    def _classify(self, pid, ppid):
        if pid == self.gunicorn_pid or ppid == self.gunicorn_pid:
            return "gunicorn"
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return None
        if title.startswith("postgres:") and f" {self.database} " in title:
            return "postgres"
        return None

    def sample(self):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            stat = _proc_stat(pid)
            if stat is None:
                continue
            if pid not in self.group:
                self.group[pid] = self._classify(pid, stat[0])
                # A process seen for the first time after the start used all its CPU during the run.
                self.first[pid] = stat[1] if self.initial and self.group[pid] else 0.0
                if not self.initial and self.group[pid] == "gunicorn" and pid != self.gunicorn_pid:
                    self.workers.add(pid)
            if self.group[pid]:
                self.last[pid] = stat[1]

    def run(self):
        while not self.done.wait(0.5):
            self.sample()

    def stop(self):
        self.done.set()
        self.join(2)
        self.sample()
        machine = machine_cpu()
        me = os.times()
        used = defaultdict(float)
        for pid, value in self.last.items():
            if self.group.get(pid):
                used[self.group[pid]] += value - self.first.get(pid, 0.0)
        busy = machine[0] - self.machine_start[0]
        used["load generator"] = (me.user + me.system) - (self.self_start.user + self.self_start.system)
        used["other"] = max(0.0, busy - used["gunicorn"] - used["postgres"] - used["load generator"])
        used["machine busy"] = busy
        used["machine share"] = busy / max(1e-9, machine[1] - self.machine_start[1])
        used["new workers"] = len(self.workers)
        return used


# 3. Clients


class Client:
    """One keep-alive HTTP/1.1 connection (http.client reconnects when the server closes it)."""

    def __init__(self, port, timeout, headers=None):
        self.port, self.timeout = port, timeout
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.conn = None

    def request(self, method, path, body=None):
        """(status or error name, milliseconds, body bytes or None)."""
        headers = dict(self.headers)
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
            if status == 503 and (response.getheader("Content-Type") or "").startswith("application/json") \
                    and response.getheader("Retry-After"):
                status = UNAVAILABLE  # the clean answer of a service that is down
            if response.will_close:
                self.conn.close()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return type(error).__name__, (time.perf_counter() - started) * 1000, None
        return status, (time.perf_counter() - started) * 1000, data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def reader(index, args, slugs, deadline, stop, out):
    rng = random.Random(args.seed * 1000 + index)
    client = Client(args.port, args.timeout)
    records = out[index]
    n = index  # start each client at another endpoint so the mix stays even
    try:
        while not stop.is_set() and time.perf_counter() < deadline and len(records) < args.max_requests:
            label, make_path = READ_ENDPOINTS[n % len(READ_ENDPOINTS)]
            n += 1
            status, ms, _ = client.request("GET", make_path(rng.choice(slugs)))
            records.append((label, status, ms, time.perf_counter()))
    finally:
        client.close()


def analyst(args, token, question_ids, deadline, stop, out):
    rng = random.Random(args.seed - 1)
    client = Client(args.port, args.timeout, {"Authorization": f"Token {token}"})
    try:
        for question_id in question_ids:
            if stop.is_set() or time.perf_counter() >= deadline or len(out) >= args.max_requests:
                break
            outcome = "yes" if rng.random() < 0.5 else "no"
            status, ms, body = client.request("POST", f"/api/questions/{question_id}/resolve/", {"outcome": outcome})
            out.append((RESOLVE_LABEL, status, ms, time.perf_counter(), question_id, body if status != 201 else None))
    finally:
        client.close()


def get_token(args, password):
    client = Client(args.port, args.timeout)
    body = urllib.parse.urlencode({"username": ANALYST_USERNAME, "password": password})
    client.headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        client.conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
        client.conn.request("POST", "/api/auth/token/", body=body, headers=client.headers)
        response = client.conn.getresponse()
        data = response.read()
    finally:
        client.close()
    if response.status != 200:
        raise RuntimeError(f"POST /api/auth/token/ answered {response.status}: {data[:300]!r}")
    return json.loads(data)["token"]


def warm_up(args, slugs):
    """Untimed GETs so that every worker has imported, connected and compiled its templates."""
    client = Client(args.port, args.timeout)
    rng = random.Random(args.seed + 7)
    bad = Counter()
    for _ in range(args.warmup * args.workers):
        for label, make_path in READ_ENDPOINTS:
            status, _, _ = client.request("GET", make_path(rng.choice(slugs)))
            if status != 200:
                bad[(label, status)] += 1
    client.close()
    return bad


# Faults


class FaultInjector(threading.Thread):
    """Stops the bench's own server fault_at seconds after `started`, starts it again down_seconds later."""

    def __init__(self, server, started, fault_at, down_seconds, stop):
        super().__init__(daemon=True)
        self.server, self.started, self.fault_at, self.down_seconds, self.stop_event = (
            server, started, fault_at, down_seconds, stop)
        self.stop_began = self.down_at = self.restart_began = self.up_at = None
        self.error = None

    def run(self):
        try:
            if self.stop_event.wait(max(0.0, self.started + self.fault_at - time.perf_counter())):
                return
            self.stop_began = time.perf_counter()
            self.server.stop()
            self.down_at = time.perf_counter()
            self.stop_event.wait(self.down_seconds)  # back up even when the run ends meanwhile
            self.restart_began = time.perf_counter()
            self.server.start()
            self.up_at = time.perf_counter()
        except Exception as error:  # reported; the run goes on
            self.error = error


def is_ok(status):
    return isinstance(status, int) and 200 <= status < 300


def is_hang(status):
    return status in ("TimeoutError", "timeout")


def fault_report(records, fault):
    """(table rows by phase, (seconds from the restart command, and from the server being ready, to the last
    failed response), problems)."""
    phases = [("before the stop", lambda t: t < fault.stop_began),
              ("stopped → reported ready", lambda t: fault.stop_began <= t <= fault.up_at),
              ("after it reported ready", lambda t: t > fault.up_at)]
    rows = []
    for name, within in phases:
        chosen = [record for record in records if within(record[3])]
        statuses = Counter(record[1] for record in chosen)
        other = {status: count for status, count in statuses.items()
                 if not is_ok(status) and status != UNAVAILABLE and not is_hang(status)}
        times = [record[2] for record in chosen]
        rows.append([name, f"{len(chosen)}", f"{sum(c for s, c in statuses.items() if is_ok(s))}",
                     f"{statuses[UNAVAILABLE]}",
                     ", ".join(f"{s}×{c}" for s, c in sorted(other.items(), key=lambda kv: str(kv[0]))) or "0",
                     f"{sum(c for s, c in statuses.items() if is_hang(s))}",
                     ms(percentile(times, 0.5)), ms(max(times)) if times else "—"])
    failures = [record[3] for record in records if not is_ok(record[1]) and record[3] >= fault.stop_began]
    last_failure = max(failures, default=fault.stop_began)
    problems = []
    if not any(record[3] > fault.up_at for record in records):
        problems.append("no request completed after the server was up again: run longer (--seconds)")
    if not any(is_ok(record[1]) and record[3] > last_failure for record in records):
        problems.append("no successful response after the last failure: service did not come back")
    # From the restart command; and from the server saying it is ready (0 when service was back before that).
    return rows, (last_failure - fault.restart_began, max(0.0, last_failure - fault.up_at)), problems


def report_fault(args, fault, records, started):
    """Print the fault run's table and verdict; returns its problems."""
    if fault.error is not None or fault.up_at is None:
        log(f"fault: the server could not be stopped and started again: {fault.error or 'the run ended first'}")
        return ["fault injection failed"]
    rows, recovery, problems = fault_report(records, fault)
    hangs = sum(1 for record in records if is_hang(record[1]))
    others = sum(1 for record in records if not is_ok(record[1]) and record[1] not in (UNAVAILABLE, 409)
                 and not is_hang(record[1]))
    unavailable = sum(1 for record in records if record[1] == UNAVAILABLE)
    log()
    log(f"fault: {fault.server.name} stopped at {fault.stop_began - started:.1f} s (the stop took "
        f"{fault.down_at - fault.stop_began:.2f} s), started again at {fault.restart_began - started:.1f} s and "
        f"accepting connections at {fault.up_at - started:.1f} s (the start took {fault.up_at - fault.restart_began:.2f} s); "
        f"down {fault.up_at - fault.stop_began:.1f} s in all")
    header = ["phase", "requests", "2xx", "JSON 503", "other errors", "timeouts (hangs)", "p50 ms", "max ms"]
    log(markdown_table(header, rows))
    since_restart, recovery = recovery
    log(f"full service {since_restart:.2f} s after the restart began, {recovery:.2f} s after {fault.server.name} "
        f"reported ready (the last failed response; every response after it succeeded)")
    verdict = "OK" if not (hangs or others or problems) and recovery <= FULL_SERVICE_SECONDS else "FAIL"
    log(f"fault targets: only JSON 503s while down ({unavailable}), no other error ({others}), no hang ({hangs}), "
        f"full service within {FULL_SERVICE_SECONDS} s ({recovery:.2f} s) — {verdict}")
    for problem in problems:
        log(f"  {problem}")
    if recovery > FULL_SERVICE_SECONDS:
        problems.append(f"full service took {recovery:.1f} s")
    return problems + (["errors other than JSON 503s, or hangs"] if hangs or others else [])


def start_own_server(args):
    """The server of a fault run, or None; with --tiny, a machine that cannot run one skips the fault part."""
    if not args.fault:
        return None
    try:
        server = OwnPostgres() if args.fault == "postgres" else OwnRedis()
    except ServerUnavailable as error:
        if args.tiny:
            log(f"fault part skipped: cannot start a {args.fault} server of the bench's own ({error}); "
                "running without a fault.")
            args.fault = None
            return None
        sys.exit(f"--fault {args.fault} needs a server of the bench's own, which cannot start here: {error}")
    if args.fault == "postgres":
        args.database_url = server.url
        log(f"fault run: a PostgreSQL cluster of the bench's own on 127.0.0.1:{server.port} holds the database; "
            f"dropped at the end")
    else:
        os.environ["REDIS_URL"] = server.url
        log(f"fault run: a redis-server of the bench's own ({server.url}) is the shared cache; stopped at the end")
    return server


# 4. Report


def ms(value):
    if value != value:  # NaN
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def read_kind(status):
    return "ok" if isinstance(status, int) and 200 <= status < 300 else "error"


def resolve_kind(status):
    return "ok" if status == 201 else "conflict" if status == 409 else "error"


def summarize(label, records, seconds, kind):
    """A table row; kind(status) is "ok", "conflict" (409 on a resolve: counted apart) or "error"."""
    times = [record[2] for record in records]
    statuses = Counter(record[1] for record in records)
    kinds = Counter()
    for status, count in statuses.items():
        kinds[kind(status)] += count
    seen = ", ".join(f"{status}×{count}" for status, count in sorted(statuses.items(), key=lambda kv: str(kv[0])))
    errors = f"{kinds['error']}" + (f" (+{kinds['conflict']} 409)" if kinds["conflict"] else "")
    return [label, f"{len(records)}", f"{len(records) / seconds:.1f}" if seconds else "—",
            ms(percentile(times, 0.5)), ms(percentile(times, 0.95)), ms(percentile(times, 0.99)),
            ms(max(times)) if times else "—", errors, seen], kinds["error"]


def markdown_table(header, rows):
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    right = [False] + [True] * (len(header) - 2) + [False]

    def line(cells):
        return "| " + " | ".join(str(c).rjust(w) if r else str(c).ljust(w) for c, w, r in zip(cells, widths, right)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if r else ("-" * (w + 2)) for w, r in zip(widths, right)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM stops the run as Ctrl-C does: clients and gunicorn are stopped


def main():
    args = parse_args()
    server = start_own_server(args)
    try:
        run(args, server)
    finally:
        if server is not None:
            server.drop()


def run(args, server):
    check_database_url(args.database_url, args.allow_wipe)
    if not port_free(args.port):
        sys.exit(f"Port {args.port} on 127.0.0.1 is in use; choose another with --port.")
    setup_django(args.database_url)

    import django
    from django.db import connection

    began = time.perf_counter()
    load_start = os.getloadavg()  # taken again just before the timed run
    rng = random.Random(args.seed)
    from django.conf import settings

    create_database_if_missing(settings.DATABASES["default"], log)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    log(f"1. Preparing {connection.settings_dict['NAME']}: migrate, wipe, load_seeds, {args.experts} experts, "
        f"{args.sources} sources, {args.questions} questions ({args.open_fraction:.0%} open), {args.claims} claims…")
    open_ids, password = prepare(args, rng)
    rng.shuffle(open_ids)
    from sources.models import Expert

    slugs = list(Expert.objects.values_list("slug", flat=True))
    counts_before = row_counts()
    connection.close()

    logdir = Path(tempfile.mkdtemp(prefix="hindsight-load-"))
    logpath = logdir / "gunicorn.log"
    process = None
    interrupted = False
    stop = threading.Event()
    reads = [[] for _ in range(args.clients)]
    resolves = []
    fault = None
    threads = []
    run_seconds = 0.0
    cpu = {}
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with open(logpath, "wb") as logfile:
            log(f"2. Starting gunicorn config.wsgi, {args.workers} sync workers, on 127.0.0.1:{args.port} "
                f"(DEBUG=0; log {logpath})…")
            process = start_gunicorn(args, args.database_url, logfile)
            problem = wait_until_up(args, process)
            if problem:
                raise RuntimeError(problem)
            token = get_token(args, password)
            bad = warm_up(args, slugs)
            if bad:
                log(f"  warm-up errors: {dict(bad)}")
            log(f"3. {args.clients} readers + 1 analyst for {args.seconds:g} s "
                f"(anonymous throttling lifted: THROTTLE_ANON=1000000/minute)…")
            code = code_version()
            load_start = os.getloadavg()
            monitor = CpuMonitor(process.pid, connection.settings_dict["NAME"])
            monitor.start()
            started = time.perf_counter()
            deadline = started + args.seconds
            threads = [threading.Thread(target=reader, args=(i, args, slugs, deadline, stop, reads), daemon=True)
                       for i in range(args.clients)]
            threads.append(threading.Thread(target=analyst, args=(args, token, open_ids, deadline, stop, resolves),
                                            daemon=True))
            for thread in threads:
                thread.start()
            if server is not None:
                log(f"  fault: {server.name} stops at {args.fault_at:g} s and is down for {args.down_seconds:g} s")
                fault = FaultInjector(server, started, args.fault_at, args.down_seconds, stop)
                fault.start()
            hard_stop = deadline + args.timeout + 5
            for thread in threads:
                thread.join(max(0.0, hard_stop - time.perf_counter()))
            run_seconds = time.perf_counter() - started
            stuck = sum(thread.is_alive() for thread in threads)
            if stuck:
                log(f"  {stuck} client threads still running at the hard stop; left behind.")
            cpu = monitor.stop()
    except KeyboardInterrupt:
        interrupted = True
        log("\nInterrupted: stopping the clients and gunicorn…")
    except RuntimeError as error:
        stop.set()
        stop_gunicorn(process)
        tail = logpath.read_text(errors="replace").splitlines()[-20:] if logpath.exists() else []
        sys.exit(f"{error}\n" + "\n".join(f"  {line}" for line in tail))
    finally:
        stop.set()
        for thread in threads:
            thread.join(2)
        if fault is not None:
            fault.join(60)  # the server must be up again for the checks below
        stop_gunicorn(process)
        signal.signal(signal.SIGTERM, previous_sigterm)
    if interrupted:
        sys.exit(130)

    # 4. Report
    log("4. Checking the score tables against a rebuild from scratch…")
    counts_after = row_counts()
    problems = check_scores()
    connection.close()

    if args.fault:  # a JSON 503 while the server is down is the expected answer, not an error
        def reads_kind(status):
            return "unavailable" if status == UNAVAILABLE else read_kind(status)

        def resolves_kind(status):
            return "unavailable" if status == UNAVAILABLE else resolve_kind(status)
    else:
        reads_kind, resolves_kind = read_kind, resolve_kind
    all_reads = [record for records in reads for record in records]
    by_label = defaultdict(list)
    for record in all_reads:
        by_label[record[0]].append(record)
    rows, errors_total = [], 0
    for label, _ in READ_ENDPOINTS:
        row, errors = summarize(label, by_label[label], run_seconds, reads_kind)
        rows.append(row)
        errors_total += errors
    rows.append(summarize("all reads", all_reads, run_seconds, reads_kind)[0])
    row, errors = summarize(RESOLVE_LABEL + " (analyst)", resolves, run_seconds, resolves_kind)
    rows.append(row)
    errors_total += errors
    rows.append(summarize("all requests", all_reads + resolves, run_seconds,
                          lambda status: resolves_kind(status) if status == 409 else reads_kind(status))[0])
    total_requests = len(all_reads) + len(resolves)
    resolved_ok = sum(1 for record in resolves if record[1] == 201)
    conflicts = sum(1 for record in resolves if record[1] == 409)
    resolve_times = [record[2] for record in resolves]
    p95_reads = percentile([record[2] for record in all_reads], 0.95)
    gunicorn_log = logpath.read_text(errors="replace") if logpath.exists() else ""
    # Start-up noise of every worker: django-axes' banner, WhiteNoise's "no staticfiles/" warning.
    benign = ("AXES: BEGIN", "No directory at", "mw_instance = middleware(adapted_handler)")
    log_lines = [line for line in gunicorn_log.splitlines() if line.strip() and not any(b in line for b in benign)]

    load_end = os.getloadavg()
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import gunicorn

    log()
    log(f"Hindsight load test — {args.clients} readers + 1 analyst for {args.seconds:g} s against gunicorn "
        f"{gunicorn.__version__} ({args.workers} sync workers) on 127.0.0.1:{args.port}")
    log(f"machine: nproc {os.cpu_count()}, {platform.machine()}, {ram:.0f} GB RAM, PostgreSQL {pg_version}, "
        f"Python {platform.python_version()}, Django {django.get_version()}; load average (1 min) {load_start[0]:.2f} "
        f"before the run, {load_end[0]:.2f} after; clients, gunicorn and PostgreSQL share these CPUs")
    log(f"code: {code}")
    log(f"parameters: --clients {args.clients} --seconds {args.seconds:g} --claims {args.claims} --experts "
        f"{args.experts} --questions {args.questions} --open-fraction {args.open_fraction:g} --sources {args.sources} "
        f"--workers {args.workers} --port {args.port} --seed {args.seed}; database {connection.settings_dict['NAME']}")
    log("settings: DEBUG=0, DB_CONN_MAX_AGE default (60 s); THROTTLE_ANON=1000000/minute — anonymous throttling "
        "is lifted so that the benchmark measures the app, not the throttle (all clients share one IP, and the "
        "default 120/minute would turn almost every read into a 429)")
    log(f"clients: closed loop, no think time, each reader cycles leaderboard → expert scores → claims with random "
        f"slugs of {len(slugs)} experts; latency = send to last byte, including any reconnect (gunicorn's sync "
        f"workers close the connection after each response); {args.warmup * args.workers * len(READ_ENDPOINTS)} "
        f"untimed warm-up GETs first")
    log("data before the run: " + ", ".join(f"{v:,} {k}" for k, v in counts_before.items()))
    log()
    header = ["endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "status codes seen"]
    log(markdown_table(header, rows))
    log()
    log(f"analyst: resolved {resolved_ok} of {len(open_ids)} open questions in {run_seconds:.1f} s "
        f"({resolved_ok / run_seconds:.1f}/s), p50 {ms(percentile(resolve_times, 0.5))} ms, "
        f"p95 {ms(percentile(resolve_times, 0.95))} ms; {conflicts} conflicts (409)")
    if cpu:
        log(f"CPU during the run: machine {cpu['machine share']:.0%} busy ({cpu['machine busy']:.1f} CPU-s of "
            f"{os.cpu_count() * run_seconds:.1f}): gunicorn {cpu['gunicorn']:.1f} CPU-s, PostgreSQL backends of "
            f"{connection.settings_dict['NAME']} {cpu['postgres']:.1f}, load generator {cpu['load generator']:.1f}, "
            f"other processes {cpu['other']:.1f}; "
            f"CPU per request: {1000 * cpu['gunicorn'] / max(1, total_requests):.1f} ms in gunicorn, "
            f"{1000 * cpu['postgres'] / max(1, total_requests):.1f} ms in PostgreSQL; "
            f"gunicorn workers started during the run: {cpu['new workers']}")
        capacity = os.cpu_count() * run_seconds
        if cpu["other"] > 0.1 * capacity:
            log(f"WARNING: other processes took {cpu['other'] / capacity:.0%} of the CPUs during the run: the figures "
                "understate what the app does on a quiet machine; run again when the machine is idle.")
    log(f"score tables after the run: {'equal to a rebuild from scratch' if not problems else 'DIFFER: ' + '; '.join(problems)}; "
        f"resolutions {counts_before['resolutions']:,} → {counts_after['resolutions']:,} "
        f"(+{counts_after['resolutions'] - counts_before['resolutions']}, analyst 201s: {resolved_ok})")
    verdict_errors = "OK" if errors_total == 0 and conflicts == 0 else "FAIL"
    verdict_p95 = "OK" if p95_reads < 200 else "FAIL"
    log(f"targets: 0 errors — {verdict_errors} ({errors_total} errors, {conflicts} conflicts); "
        f"p95 < 200 ms (all reads) — {verdict_p95} ({ms(p95_reads)} ms)")
    fault_problems = []
    if fault is not None:
        fault_problems = report_fault(args, fault, all_reads + resolves, started)
    failures = [record for record in resolves if record[1] not in (201, UNAVAILABLE)][:5]
    for record in failures:
        log(f"  resolve {record[4]} answered {record[1]}: {(record[5] or b'')[:200]!r}")
    if log_lines:
        log(f"gunicorn log: {len(log_lines)} lines besides the start-up banners; the last 10 ({logpath}):")
        for line in log_lines[-10:]:
            log("  " + line[:300])
    log(f"total run time: {time.perf_counter() - began:.1f} s")
    if errors_total or conflicts or problems or fault_problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
