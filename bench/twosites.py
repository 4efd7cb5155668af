#!/usr/bin/env python
"""Two gunicorn instances on one PostgreSQL and one Redis behave as one site.

    python bench/twosites.py [--database-url postgres://postgres@127.0.0.1:5432/hindsight_twosites_bench]
                             [--redis-url redis://127.0.0.1:6379/5] [--workers 2]

Prepares the database as bench/load.py does (it is wiped: its name must contain "load" or "bench"),
starts instances A and B of config.wsgi on two free ports with the same DATABASE_URL, REDIS_URL and
SECRET_KEY, behind one (simulated) proxy — TRUSTED_PROXIES=1, each check sending its own
X-Forwarded-For address — and checks that what one instance does, the other sees at once:

  1. an admin session made by logging in on A is logged in on B;
  2. an account locked by failed logins on A (django-axes) is locked on B;
  3. anonymous requests spent on A count against the same client's throttle on B (429 on B);
  4. a question resolved through the API on A changes the scores and the leaderboard served by B.

The shared cache is --redis-url, else REDIS_URL (--database-cache: the database cache table); with neither, a redis-server of the script's own on a free
port (stopped at the end); without redis-server on the PATH, the database cache table (shared as well),
said in the output. Exits 1 if a check fails, 77 when PostgreSQL is not configured.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from common import free_port, parse_args_with_tiny, table  # bench/common.py

import load  # bench/load.py: database preparation and gunicorn handling
from servers import OwnRedis, ServerUnavailable  # bench/servers.py

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hindsight_twosites_bench"
ADMIN, VICTIM = "twosites-admin", "twosites-victim"
THROTTLE_ANON = 5  # anonymous requests a minute per client, on both instances


def log(message=""):
    print(message, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"Default {DEFAULT_DATABASE_URL}; with --tiny, the DATABASE_URL environment variable.")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""),
                        help="The shared Redis (default REDIS_URL; else a redis-server of its own on a free port).")
    parser.add_argument("--database-cache", action="store_true",
                        help="Share the database cache table instead of Redis (the embedded default).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per instance (default 2).")
    parser.add_argument("--claims", type=int, default=2000, help="Synthetic claims (default 2000).")
    parser.add_argument("--experts", type=int, default=50, help="Synthetic experts (default 50).")
    parser.add_argument("--allow-wipe", action="store_true",
                        help='Wipe a database whose name contains neither "load" nor "bench".')
    parser.add_argument("--seed", type=int, default=20240101, help="Random seed of the data.")
    args = parse_args_with_tiny(parser, {"claims": 200, "experts": 10, "workers": 1,
                                         "database_url": os.environ.get("DATABASE_URL", "")}, argv)
    # What bench/load.py's prepare() reads.
    args.questions, args.sources, args.open_fraction = max(10, args.claims // 5), 10, 0.5
    return args


# The shared cache


# The two instances


def start_instance(port, env, workers, logfile):
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--timeout", "60",
               "--log-level", "warning", "--error-logfile", "-", "--no-control-socket"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=logfile, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_until_answering(port, process, seconds=30):
    """None once the instance answers HTTP at all (a 429 counts: the throttle is low), else the problem."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"gunicorn exited with code {process.returncode}"
        try:
            request(port, "GET", "/api/", client="192.0.2.1")
            return None
        except OSError:
            time.sleep(0.2)
    return f"gunicorn on port {port} did not answer within {seconds} s"


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def cookies(self):
        jar = SimpleCookie()
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                jar.load(value)
        return {key: morsel.value for key, morsel in jar.items()}

    def header(self, name):
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def json(self):
        return json.loads(self.body)


def request(port, method, path, *, client, cookies=None, token=None, form=None, body=None, headers=None):
    """One request to 127.0.0.1:port as if forwarded by the proxy for the client address `client`."""
    headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html",
               "X-Forwarded-For": client, "Host": "localhost", **(headers or {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return Response(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


def new_client():
    """A client address of its own, so that each check starts with fresh throttle counts."""
    return "10.{}.{}.{}".format(*(random.randint(1, 254) for _ in range(3)))


# The checks: each returns (check, on A, on B, passed)


def check_session(a, b, password):
    """Log in to the admin on A; on B, the session is an authenticated user (DELETE /api/auth/token/ needs one).

    The CSRF secret is the client's own (as a browser keeps the cookie of a login page): the pages
    themselves need collected static files, which this script does not build.
    """
    client, csrf = new_client(), secrets.token_hex(16)
    login = request(a, "POST", "/admin/login/?next=/admin/", client=client, cookies={"csrftoken": csrf},
                    form={"username": ADMIN, "password": password, "next": "/admin/", "csrfmiddlewaretoken": csrf})
    session = login.cookies().get("sessionid")
    on_b = request(b, "DELETE", "/api/auth/token/", client=client, cookies={"sessionid": session or "", "csrftoken": csrf},
                   headers={"X-CSRFToken": csrf})
    without = request(b, "DELETE", "/api/auth/token/", client=client, cookies={"csrftoken": csrf},
                      headers={"X-CSRFToken": csrf})
    passed = login.status == 302 and session is not None and on_b.status == 204 and without.status in (401, 403)
    return ("admin login on A is a session on B",
            f"POST /admin/login/ → {login.status}, session cookie {'set' if session else 'MISSING'}",
            f"DELETE /api/auth/token/ (login required) with it → {on_b.status}; without it → {without.status}", passed)


def check_lockout(a, b, password, limit):
    client = new_client()
    statuses = [request(a, "POST", "/api/auth/token/", client=client,
                        form={"username": VICTIM, "password": f"wrong-{n}"}).status for n in range(limit)]
    on_b = request(b, "POST", "/api/auth/token/", client=client, form={"username": VICTIM, "password": password})
    detail = on_b.json().get("detail", "") if on_b.status == 429 else on_b.body[:80].decode(errors="replace")
    passed = statuses[-1] == 429 and on_b.status == 429 and on_b.header("Retry-After") is not None
    return ("account locked on A is locked on B",
            f"{limit} wrong passwords → {', '.join(map(str, statuses))}",
            f"right password → {on_b.status}, Retry-After {on_b.header('Retry-After')}: {detail[:80]}", passed)


def check_throttle(a, b, limit):
    client = new_client()
    statuses = [request(a, "GET", "/api/leaderboard/", client=client).status for _ in range(limit)]
    on_b = request(b, "GET", "/api/leaderboard/", client=client)
    other = request(b, "GET", "/api/leaderboard/", client=new_client())
    passed = statuses == [200] * limit and on_b.status == 429 and other.status == 200
    return (f"throttle ({limit}/minute) spent on A counts on B",
            f"{limit} anonymous GET /api/leaderboard/ → {', '.join(map(str, statuses))}",
            f"one more from the same client → {on_b.status} (Retry-After {on_b.header('Retry-After')}); "
            f"another client → {other.status}", passed)


def check_scores(a, b, token, slug, question_id):
    def scored():
        body = request(b, "GET", f"/api/experts/{slug}/scores/", client=new_client()).json()
        return body.get("scored"), body

    def board():
        return request(b, "GET", "/api/leaderboard/?page_size=100", client=new_client()).json()

    before_count, before_scores = scored()
    before_board = board()
    resolve = request(a, "POST", f"/api/questions/{question_id}/resolve/", client=new_client(), token=token,
                      body={"outcome": "yes"})
    after_count, after_scores = scored()
    after_board = board()
    passed = resolve.status == 201 and after_scores != before_scores and after_board != before_board
    return ("score change on A is seen by B at once",
            f"POST /api/questions/{question_id}/resolve/ → {resolve.status}",
            f"{slug}: scored {before_count} → {after_count}; leaderboard "
            f"{'changed' if after_board != before_board else 'UNCHANGED'}", passed)


def pick_question(open_ids):
    """An open question with a claim made by its deadline (so resolving it scores someone): (id, expert slug)."""
    from django.db.models import F

    from forecasts.models import Claim

    claim = (Claim.objects.filter(question_id__in=open_ids, made_on__lte=F("question__deadline"))
             .select_related("expert").order_by("question_id").first())
    if claim is None:
        sys.exit("No open question has a claim made by its deadline; use more --claims.")
    return claim.question_id, claim.expert.slug


def create_users():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.objects.filter(username__in=[ADMIN, VICTIM]).delete()
    password = secrets.token_urlsafe(16)
    User.objects.create_superuser(ADMIN, password=password)
    User.objects.create_user(VICTIM, password=password)
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.filter(username=VICTIM).delete()  # a lock left by an earlier run
    AccessFailureLog.objects.filter(username=VICTIM).delete()
    return password


def main():
    args = parse_args()
    if not args.database_url:
        load.skip("bench/twosites.py needs PostgreSQL: set DATABASE_URL or --database-url.")
    load.check_database_url(args.database_url, args.allow_wipe)
    load.setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection

    began = time.perf_counter()
    load.create_database_if_missing(settings.DATABASES["default"], log)
    log(f"1. Preparing {connection.settings_dict['NAME']} as bench/load.py does ({args.claims} claims)…")
    open_ids, analyst_password = load.prepare(args, random.Random(args.seed))
    password = create_users()
    question_id, slug = pick_question(open_ids)
    limit = settings.AXES_FAILURE_LIMIT
    connection.close()

    redis_url, redis_process, cache = args.redis_url, None, "Redis at the given URL"
    if args.database_cache:
        redis_url, cache = "", "the database cache table (--database-cache)"
    elif not redis_url:
        try:
            redis_process = OwnRedis()
            redis_url, cache = redis_process.url, f"a redis-server of its own ({redis_process.url})"
        except ServerUnavailable as error:
            cache = f"the database cache table (no REDIS_URL, and no Redis of its own: {error})"
    # The caller's throttle and lockout settings (a test run turns them off) must not leak into the instances.
    env = {key: value for key, value in os.environ.items()
           if key not in ("DEBUG", "REDIS_URL", "DJANGO_SETTINGS_MODULE") and not key.startswith(("THROTTLE_", "AXES_"))}
    env.update({
        "DATABASE_URL": args.database_url, "SECRET_KEY": "twosites-" + secrets.token_urlsafe(32),  # one key for both
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DEBUG": "0", "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "TRUSTED_PROXIES": "1",
        "THROTTLE_ANON": f"{THROTTLE_ANON}/minute", "AXES_ENABLED": "1", "AXES_FAILURE_LIMIT": str(limit),
        "PYTHONUNBUFFERED": "1",
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    ports = free_port(), free_port()
    while ports[1] == ports[0]:
        ports = ports[0], free_port()
    logdir = Path(tempfile.mkdtemp(prefix="hindsight-twosites-"))
    processes, rows, failed = [], [], False
    previous_sigterm = signal.signal(signal.SIGTERM, load._interrupt)
    try:
        for name, port in zip("AB", ports):
            logfile = open(logdir / f"gunicorn-{name}.log", "wb")
            processes.append(start_instance(port, env, args.workers, logfile))
        log(f"2. Instances A (127.0.0.1:{ports[0]}) and B (127.0.0.1:{ports[1]}), {args.workers} sync workers each, "
            f"one database, shared cache: {cache}; logs in {logdir}")
        for port, process in zip(ports, processes):
            problem = wait_until_answering(port, process)
            if problem:
                sys.exit(problem)
        token = request(ports[0], "POST", "/api/auth/token/", client=new_client(),
                        form={"username": load.ANALYST_USERNAME, "password": analyst_password}).json()["token"]
        a, b = ports
        log("3. Checks (each from a client address of its own, sent as X-Forwarded-For)…")
        results = [check_session(a, b, password), check_lockout(a, b, password, limit),
                   check_throttle(a, b, THROTTLE_ANON), check_scores(a, b, token, slug, question_id)]
    except KeyboardInterrupt:
        log("Interrupted.")
        sys.exit(130)
    finally:
        for process in processes:
            load.stop_gunicorn(process)
        if redis_process is not None:
            redis_process.drop()
        signal.signal(signal.SIGTERM, previous_sigterm)
    rows = [["check", "on A", "on B", "result"]]
    for check, on_a, on_b, passed in results:
        rows.append([check, on_a, on_b, "OK" if passed else "FAIL"])
        failed = failed or not passed
    log()
    log(f"Two gunicorn instances, one PostgreSQL ({connection.settings_dict['NAME']}), shared cache: {cache}")
    log(table(rows))
    log(f"total run time: {time.perf_counter() - began:.1f} s")
    if failed:
        for name in "AB":
            tail = (logdir / f"gunicorn-{name}.log").read_text(errors="replace").splitlines()[-10:]
            log(f"gunicorn {name} log, last lines:\n" + "\n".join("  " + line for line in tail))
        sys.exit(1)


if __name__ == "__main__":
    main()
