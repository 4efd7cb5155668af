"""Benchmark of Hindsight's score tables and read API on a large synthetic database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hindsight_bench python bench/scores.py \
        [--experts 10000 --questions 100000 --claims 1000000 --requests 200] [--skip-build]

Steps (see bench/README.md):
  1. create the database if missing, migrate, wipe the app tables (sources_*, forecasts_*);
  2. build a synthetic corpus with COPY (experts, sources, questions, claims, resolutions);
  3. in each of --recomputes rounds (3): vacuum the score tables (untimed, as autovacuum would between
     rebuilds), time forecasts.score_table.recompute_all_scores() (what `manage.py recompute_scores` runs),
     then the anchor: one SQL statement writing the same per-question rows and per-expert means
     (bench/anchors.py; checked to write the same rows); print the ratio of the medians, and each round's;
  4. time forecasts.services.resolve_question() on fresh questions with 50 claims each;
  5. time a bare DRF view (the anchor: no authentication, permission or throttle policy, behind the same
     middleware), GET /api/leaderboard/, /api/experts/{slug}/scores/, /api/claims/?expert= and the analytics
     endpoints with django.test.Client (in process, no HTTP server); the bare view and the two reads with a
     goal in turns, request by request, so that each ratio compares requests made under the same load;
     print the reads' ratios to the bare view, and EXPLAIN ANALYZE their main queries;
  6. print a table of figures against targets.

Reads are measured with the shared cache of the settings: the database cache table by default, Redis when
REDIS_URL is set. Issue 15 wants both, so run it twice on the same data (the second with --skip-build):

    DATABASE_URL=... python bench/scores.py --skip-build
    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/5 python bench/scores.py --skip-build

Score reads come from the read model (forecasts.read_model): the warm figures are what a visitor gets
while no score changes; the "cold" rows time the first read after a change (for the leaderboard filtered by
claim dates, the computation each new filter costs once per score version).

PostgreSQL only. The database is wiped: its name must contain "bench" unless --allow-wipe is given.
"""

import argparse
import datetime as dt
import io
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# All benchmark requests come from one client: lift the anonymous throttle (it stays in the
# request path, so its cost is measured) so that the benchmark measures the app, not the 429s.
os.environ.setdefault("THROTTLE_ANON", "1000000/minute")

import warnings

import django
from common import create_database_if_missing, parse_args_with_tiny, percentile, skip, table  # bench/common.py

# WhiteNoise warns when collectstatic has not run; the API does not serve static files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
django.setup()

from anchors import ANCHOR_PATH, install_urlconf, recompute_anchor, resolve_anchor  # bench/anchors.py (imports DRF: after setup)

from django.apps import apps
from config.jobs.progress import reporting_to, terminal, track
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from forecasts import score_version

# Hedge phrases of the synthetic default scale (symmetric: p and 1 − p are both in it).
HEDGES = {
    0.03: "almost no chance",
    0.125: "very unlikely",
    0.325: "unlikely",
    0.5: "roughly even chance",
    0.675: "likely",
    0.875: "very likely",
    0.97: "almost certain",
}
HEDGE_VALUES = sorted(HEDGES)
FIRST = ["Ana", "Boris", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena",
         "Mikhail", "Nadia", "Omar", "Petra", "Quentin", "Rosa", "Sven", "Tomoko", "Uma", "Viktor", "Wen", "Yuki"]
LAST = ["Abe", "Baker", "Cho", "Diaz", "Evans", "Fischer", "Garcia", "Horvat", "Ito", "Jensen", "Kim", "Lopez",
        "Moreau", "Novak", "Okafor", "Park", "Quinn", "Rossi", "Sato", "Tanaka", "Ueda", "Volkov", "Wong", "Zhou"]
PUBLISHERS = ["38 North", "NK News", "Foreign Affairs", "The Diplomat", "War on the Rocks", "Reuters", "Yonhap"]
STAMP = "2024-01-01 00:00:00+00"


def log(message):
    print(message, flush=True)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


# 1. Database


def check_postgres():
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        skip(
            f"bench/scores.py runs on PostgreSQL only; the configured database is {db['ENGINE']} ({db['NAME']}).\n"
            "Set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/hindsight_bench"
        )
    return db


def app_tables():
    tables = []
    for label in ("sources", "forecasts"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.append(model._meta.db_table)
    return tables


def wipe():
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in app_tables()) + " RESTART IDENTITY CASCADE"
        )


# 2. Synthetic corpus


def copy_rows(table, columns, rows, *, total, chunk=100_000):
    """COPY tab-separated lines (already formatted, no escaping needed) into table; a bar of `total` rows."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor:
        buffer = io.StringIO()
        for line in track(rows, total=total, description=f"Building {table}"):
            buffer.write(line)
            count += 1
            if count % chunk == 0:
                buffer.seek(0)
                cursor.copy_expert(statement, buffer)
                buffer = io.StringIO()
        if buffer.tell():
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
    return count


def nearest_hedge(p):
    return min(HEDGE_VALUES, key=lambda value: abs(value - p))


def build(args, rng):
    """Fill the tables; returns {table: rows} and per-part timings."""
    from forecasts.models import Claim, HedgePhrase, HedgeScale, Question, Resolution
    from sources.models import Expert, Source

    today = dt.date.today()
    timings = {}
    counts = {}

    with Timer() as t:
        scale = HedgeScale.objects.create(slug="bench", name="Bench scale", is_default=True)
        HedgePhrase.objects.bulk_create(
            [HedgePhrase(scale=scale, phrase=phrase, probability=value) for value, phrase in HEDGES.items()]
        )

        # Experts: each has a skill (noise around the questions' true probability).
        noise = [rng.uniform(0.05, 0.45) for _ in range(args.experts)]

        def expert_rows():
            for i in range(1, args.experts + 1):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
                yield f"{i}\t{name}\texpert-{i}\tBench Institute {i % 50}\t\t[]\t{STAMP}\t{STAMP}\n"

        counts["experts"] = copy_rows(
            "sources_expert", ["id", "name", "slug", "affiliation", "bio", "links", "created_at", "updated_at"],
            expert_rows(), total=args.experts,
        )

        def source_rows():
            for i in range(1, args.sources + 1):
                published = dt.date.fromordinal(rng.randint(dt.date(2005, 1, 1).toordinal(), today.toordinal()))
                yield (f"{i}\tsource-{i}\tSynthetic source {i}\t{rng.choice(PUBLISHERS)}\t"
                       f"https://example.org/bench/{i}\t{published.isoformat()}\t\t\t{STAMP}\t{STAMP}\t\n")

        counts["sources"] = copy_rows(
            "sources_source",
            ["id", "slug", "title", "publisher", "url", "published_on", "excerpt", "notes", "created_at", "updated_at",
             "article_text"],
            source_rows(), total=args.sources,
        )

        # Questions: a latent probability of YES; ~65 % have a past deadline, ~60 % of all are resolved.
        start, end = dt.date(2005, 1, 1).toordinal(), today.toordinal()
        future_end = dt.date(today.year + 5, 12, 31).toordinal()
        truth, deadlines, outcomes = [0.0], [0], [None]
        for _ in range(args.questions):
            q = rng.betavariate(0.6, 0.6)
            truth.append(q)
            past = rng.random() < 0.65
            deadline = rng.randint(start, end - 1) if past else rng.randint(end, future_end)
            deadlines.append(deadline)
            outcome = None
            if past and rng.random() < 0.6 / 0.65:
                roll = rng.random()
                if roll < 0.93:
                    outcome = "yes" if rng.random() < q else "no"
                elif roll < 0.97:
                    outcome = "ambiguous"
                else:
                    outcome = "annulled"
            outcomes.append(outcome)

        def question_rows():
            for i in range(1, args.questions + 1):
                deadline = dt.date.fromordinal(deadlines[i]).isoformat()
                yield (f"{i}\tquestion-{i}\tWill synthetic event {i} happen by {deadline}?\t"
                       f"YES if event {i} is reported by two outlets before the deadline.\t{deadline}\tf\t\t"
                       f"{STAMP}\t{STAMP}\t\n")

        counts["questions"] = copy_rows(
            "forecasts_question",
            ["id", "slug", "title", "resolution_criteria", "deadline", "deadline_inferred", "deadline_note",
             "created_at", "updated_at", "condition_outcome"],
            question_rows(), total=args.questions,
        )

        def resolution_rows():
            number = 0
            for i in range(1, args.questions + 1):
                if outcomes[i] is None:
                    continue
                number += 1
                resolved = dt.date.fromordinal(min(deadlines[i] + rng.randint(0, 60), end)).isoformat()
                yield f"{number}\t{i}\t{outcomes[i]}\t\\N\t{resolved} 12:00:00+00\t\t\tf\n"

        counts["resolutions"] = copy_rows(
            "forecasts_resolution",
            ["id", "question_id", "outcome", "resolved_by_id", "resolved_at", "evidence_url", "note", "automatic"],
            resolution_rows(), total=sum(outcome is not None for outcome in outcomes),
        )

        def claim_rows():
            gauss, randint, random_ = rng.gauss, rng.randint, rng.random
            for i in range(1, args.claims + 1):
                question = randint(1, args.questions)
                expert = randint(1, args.experts)
                raw = min(max(truth[question] + gauss(0, noise[expert - 1]), 0.01), 0.99)
                roll = random_()
                predicts, hedge, note = "yes", "", ""
                if roll < 0.70:
                    origin = "hedge"
                    if random_() < 0.2:  # a statement about the NO side
                        predicts = "no"
                        value = nearest_hedge(1 - raw)
                        probability = round(1 - value, 10)
                    else:
                        value = nearest_hedge(raw)
                        probability = value
                    hedge = HEDGES[value]
                elif roll < 0.95:
                    origin, probability, note = "analyst", round(raw, 2), "Synthetic analyst estimate."
                else:
                    origin, probability = "stated", round(raw, 2)
                deadline = deadlines[question]
                if random_() < 0.02:
                    made_on = deadline + randint(1, 365)  # late: never counts
                else:
                    made_on = min(deadline - randint(0, 1500), end)
                yield (f"{i}\t{question}\t{expert}\t{randint(1, args.sources)}\tSynthetic quote {i}.\t\t{hedge}\t"
                       f"{predicts}\t{probability!r}\t{origin}\t{note}\t{dt.date.fromordinal(made_on).isoformat()}\t\t"
                       f"{STAMP}\t{STAMP}\n")

        counts["claims"] = copy_rows(
            "forecasts_claim",
            ["id", "question_id", "expert_id", "source_id", "quote", "statement", "hedge", "predicts", "probability",
             "probability_origin", "probability_note", "made_on", "external_id", "created_at", "updated_at"],
            claim_rows(), total=args.claims,
        )

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Expert, Source, Question, Resolution, Claim]):
                cursor.execute(statement)
    timings["copy"] = t.seconds

    with Timer() as t:
        vacuum_analyze(app_tables())
    timings["vacuum"] = t.seconds
    return counts, timings


def vacuum_analyze(tables):
    """VACUUM ANALYZE (outside a transaction): fresh statistics, visibility map and hint bits set."""
    with connection.cursor() as cursor:
        for name in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(name)}")


# 4. Resolving a question with 50 claims


def resolve_timings(args, rng):
    from forecasts import services
    from forecasts.models import QuestionScore
    from forecasts.score_table import deferred_rescoring
    from sources.models import Expert, Source

    today = dt.date.today()
    expert_ids = list(Expert.objects.values_list("pk", flat=True))
    source_ids = list(Source.objects.values_list("pk", flat=True))
    run = f"{int(time.time())}"
    timings, anchors = [], []
    for n in range(args.resolves):
        experts = list(Expert.objects.filter(pk__in=rng.sample(expert_ids, min(args.claims_per_question, len(expert_ids)))))
        source = Source.objects.get(pk=rng.choice(source_ids))
        with transaction.atomic(), deferred_rescoring():
            question = services.create_question(
                title=f"Bench resolve question {run}-{n}", slug=f"bench-resolve-{run}-{n}",
                resolution_criteria="YES if the benchmark says so.", deadline=today - dt.timedelta(days=1),
            )
            for index, expert in enumerate(experts):
                made_on = today - dt.timedelta(days=rng.randint(2, 400))
                if index % 2:
                    value = rng.choice(HEDGE_VALUES)
                    services.record_claim(question=question, expert=expert, source=source, quote="Bench quote.",
                                          hedge=HEDGES[value], made_on=made_on)
                else:
                    services.record_claim(question=question, expert=expert, source=source, quote="Bench quote.",
                                          probability=round(rng.uniform(0.02, 0.98), 2), made_on=made_on)
        with Timer() as t:
            services.resolve_question(question=question, outcome="yes")
        timings.append(t.seconds)
        with transaction.atomic():
            anchors.append(resolve_anchor(connection, question.pk)[1])
        scored = QuestionScore.objects.filter(question=question).count()
        if scored != len(experts):
            log(f"WARNING: question {question.pk} has {scored} question scores after resolving, expected {len(experts)}.")
    return timings, anchors


# 5. API latency


def latency(client, paths, warmup):
    for path in warmup:
        response = client.get(path, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path, HTTP_ACCEPT="application/json")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
    return times


def interleaved_latency(client, runs):
    """latency() of several runs ([(paths, warmup)], paths of one length) in turns: the i-th request of each run,
    then the (i+1)-th. Returns each run's times (ms)."""
    for paths, warmup in runs:
        latency(client, [], warmup)
    times = [[] for _ in runs]
    for requests in zip(*(paths for paths, _ in runs)):
        for run_times, path in zip(times, requests):
            run_times.extend(latency(client, [path], []))
    return times


def explain(client, path, pick):
    """EXPLAIN ANALYZE the first query of GET path that pick(sql) selects.

    Returns (queries the request ran, planning ms, execution ms, plan text with the SQL)."""
    with CaptureQueriesContext(connection) as captured:
        client.get(path, HTTP_ACCEPT="application/json")
    queries = [query["sql"] for query in captured.captured_queries]
    chosen = [sql for sql in queries if pick(sql)]
    if not chosen:
        return len(queries), None, None, "(query not found)"
    sql = chosen[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    planning = next((float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Planning Time")), 0.0)
    execution = next((float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time")), 0.0)
    return len(queries), planning, execution, "\n".join(plan) + "\n\nSQL: " + sql


# 6. Report


def _shared_pairs(question_scores, count, rng):
    """Up to count (a, b) slug pairs of experts scored on a same question (for the head-to-head endpoint)."""
    rows = list(
        question_scores.objects.filter(question__panel_score__isnull=False)
        .values_list("question_id", "expert__slug").order_by("question_id")[: count * 20]
    )
    by_question = {}
    for question_id, slug in rows:
        by_question.setdefault(question_id, []).append(slug)
    pairs = [tuple(rng.sample(slugs, 2)) for slugs in by_question.values() if len(slugs) >= 2]
    return pairs[:count]


def ms(value):
    # Sub-millisecond reads are compared with a 2× goal: two decimals there.
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def row_counts():
    from forecasts.models import Claim, ExpertScore, Question, QuestionScore, Resolution
    from sources.models import Expert, Source

    return [
        ("experts", Expert.objects.count()),
        ("sources", Source.objects.count()),
        ("questions", Question.objects.count()),
        ("claims", Claim.objects.count()),
        ("resolutions", Resolution.objects.count()),
        ("question scores", QuestionScore.objects.count()),
        ("expert scores", ExpertScore.objects.count()),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=None, help="Default: 1000 (fewer for small runs).")
    parser.add_argument("--requests", type=int, default=200, help="Timed GETs per endpoint.")
    parser.add_argument("--warmup", type=int, default=10, help="Untimed GETs per endpoint first.")
    parser.add_argument("--recomputes", type=int, default=3,
                        help="Rounds of (recompute, anchor) in step 3; the ratio is of their medians.")
    parser.add_argument("--resolves", type=int, default=5, help="Questions resolved in step 4.")
    parser.add_argument("--claims-per-question", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--skip-build", action="store_true", help="Reuse the existing data (no wipe, no build).")
    parser.add_argument("--allow-wipe", action="store_true", help="Wipe a database whose name lacks 'bench'.")
    parser.add_argument("--plans", action="store_true", help="Print the full EXPLAIN ANALYZE plans.")
    args = parse_args_with_tiny(parser, {
        "experts": 20, "questions": 200, "claims": 1_000, "requests": 5, "warmup": 1, "resolves": 1,
        "claims_per_question": 5, "recomputes": 1,
    })
    if args.sources is None:
        args.sources = max(1, min(1000, args.claims // 100))
    rng = random.Random(args.seed)
    began = time.perf_counter()

    db = check_postgres()
    if not args.skip_build and "bench" not in db["NAME"] and not args.allow_wipe:
        sys.exit(f"Refusing to wipe database {db['NAME']!r}: its name does not contain 'bench'. "
                 "Use a dedicated benchmark database, or pass --allow-wipe.")
    create_database_if_missing(db, log)
    call_command("migrate", verbosity=0, interactive=False)
    server = {}
    with connection.cursor() as cursor:
        for name in ("server_version", "shared_buffers", "work_mem", "autovacuum", "max_parallel_workers_per_gather"):
            cursor.execute(f"SHOW {name}")
            server[name] = cursor.fetchone()[0]
    pg_version = server["server_version"]
    load_before = os.getloadavg()

    results = []
    if args.skip_build:
        log("Reusing the existing data (--skip-build).")
        build_figure = "skipped"
    else:
        log(f"Building {args.experts} experts, {args.sources} sources, {args.questions} questions, {args.claims} claims…")
        with Timer() as t:
            wipe()
            with reporting_to(terminal(sys.stderr)):
                counts, parts = build(args, rng)
        log(f"  built in {t.seconds:.1f} s (COPY {parts['copy']:.1f} s, VACUUM ANALYZE {parts['vacuum']:.1f} s): {counts}")
        build_figure = f"{t.seconds:.1f} s"
    build_label = (
        "build (--skip-build: existing data reused)" if args.skip_build
        else f"build {args.experts} experts / {args.questions} questions / {args.claims} claims (COPY + VACUUM ANALYZE)"
    )
    results.append((build_label, build_figure, "—"))

    from forecasts.models import ExpertScore, PanelScore, QuestionScore
    from forecasts.score_table import recompute_all_scores

    recompute_times, anchor_times = [], []
    for round_number in range(1, args.recomputes + 1):
        # Untimed: the dead rows of earlier rebuilds vacuumed, as autovacuum would have done between them (a server
        # run with autovacuum off, like this machine's, otherwise makes each rerun slower than the last).
        vacuum_analyze([ExpertScore._meta.db_table, QuestionScore._meta.db_table, PanelScore._meta.db_table])
        log(f"recompute_all_scores() (round {round_number} of {args.recomputes})…")
        with Timer() as t:
            experts, question_scores = recompute_all_scores()
        log(f"  {t.seconds:.1f} s: {experts} experts, {question_scores} question scores")
        recompute_times.append(t.seconds)
        log("anchor: one SQL statement writing the per-question rows and per-expert means…")
        with transaction.atomic():
            anchor_rows = recompute_anchor(connection)
        anchor_times.append(anchor_rows[3])
        log(f"  {anchor_rows[3]:.1f} s: {anchor_rows[0]} question rows ({anchor_rows[2]} equal to the stored ones), "
            f"{anchor_rows[1]} expert rows; this round's ratio {t.seconds / anchor_rows[3]:.1f}×")
        if anchor_rows[2] != anchor_rows[0] or anchor_rows[0] != question_scores:
            raise SystemExit(f"The anchor did not write the same rows as the recompute: {anchor_rows}, {question_scores}")
    recompute_seconds, anchor_seconds = statistics.median(recompute_times), statistics.median(anchor_times)
    rounds = f"median of {args.recomputes}" if args.recomputes > 1 else "one run"
    round_ratios = sorted(r / a for r, a in zip(recompute_times, anchor_times))
    results.append((f"recompute_scores (recompute_all_scores), {rounds}", f"{recompute_seconds:.1f} s", "< 30 s"))
    results.append((f"anchor: one SQL statement ({anchor_rows[0]} question rows, {anchor_rows[1]} expert means), {rounds}",
                    f"{anchor_seconds:.1f} s", "—"))
    results.append(("recompute ÷ anchor (medians; each round's ratio in brackets)",
                    f"{recompute_seconds / anchor_seconds:.1f}× [{', '.join(f'{r:.1f}' for r in round_ratios)}]",
                    "≤ 3× (issue 15)"))
    # Untimed: what autovacuum would do soon after (this also keeps a server with autovacuum off comparable).
    vacuum_analyze(["forecasts_questionscore", "forecasts_expertscore"])
    counts = row_counts()

    log(f"resolve_question() on {args.resolves} questions with {args.claims_per_question} claims…")
    resolves, resolve_anchors = ([seconds * 1000 for seconds in run] for run in resolve_timings(args, rng))
    log("  " + ", ".join(f"{value:.0f} ms" for value in resolves))
    log("  anchor (the statement restricted to the question's experts): "
        + ", ".join(f"{value:.0f} ms" for value in resolve_anchors))
    results.append((f"resolve one question with {args.claims_per_question} claims (median / max of {len(resolves)})",
                    f"{ms(statistics.median(resolves))} / {ms(max(resolves))} ms", "< 100 ms"))
    results.append(("anchor: the SQL statement restricted to that question's experts (median / max)",
                    f"{ms(statistics.median(resolve_anchors))} / {ms(max(resolve_anchors))} ms", "—"))
    results.append(("resolve ÷ anchor (medians)",
                    f"{statistics.median(resolves) / statistics.median(resolve_anchors):.1f}×", "≤ 3× (issue 15)"))

    from sources.models import Expert

    client = Client()
    scored_slugs = list(ExpertScore.objects.filter(scored__gt=0).values_list("expert__slug", flat=True))
    all_slugs = list(Expert.objects.values_list("slug", flat=True))
    n, w = args.requests, args.warmup
    score_paths = [f"/api/experts/{s}/scores/" for s in rng.choices(scored_slugs, k=n)]
    endpoints = [
        (f"GET {ANCHOR_PATH} (the bare view: the anchor)", [ANCHOR_PATH] * w, [ANCHOR_PATH] * n, "—"),
        ("GET /api/leaderboard/", ["/api/leaderboard/"] * w, ["/api/leaderboard/"] * n, "p50 < 30 ms"),
        # Warmed on the very paths timed: each expert's first read computes it (the "cold" row below).
        ("GET /api/experts/{slug}/scores/", score_paths, score_paths, "p50 < 30 ms"),
        ("GET /api/claims/?expert={slug}", [f"/api/claims/?expert={s}" for s in rng.choices(all_slugs, k=w)],
         [f"/api/claims/?expert={s}" for s in rng.choices(all_slugs, k=n)], "—"),
    ]
    # The analytics of issue 14: the panel (on the leaderboard above and on each question), head to head,
    # what an expert's words meant, the record over time, and the corpus-wide hedge dictionary.
    from forecasts.models import PanelScore, QuestionScore

    panel_ids = list(PanelScore.objects.order_by("?").values_list("question_id", flat=True)[: n + w])
    pairs = _shared_pairs(QuestionScore, n + w, rng)
    endpoints += [
        ("GET /api/questions/{id}/ (with its panel)", [f"/api/questions/{q}/" for q in panel_ids[:w]],
         [f"/api/questions/{q}/" for q in panel_ids[w:] or panel_ids], "—"),
        ("GET /api/experts/{a}/versus/{b}/", [f"/api/experts/{a}/versus/{b}/" for a, b in pairs[:w]],
         [f"/api/experts/{a}/versus/{b}/" for a, b in pairs[w:] or pairs], "—"),
        ("GET /api/experts/{slug}/hedges/", [f"/api/experts/{s}/hedges/" for s in rng.choices(scored_slugs, k=w)],
         [f"/api/experts/{s}/hedges/" for s in rng.choices(scored_slugs, k=n)], "—"),
        ("GET /api/experts/{slug}/record/", [f"/api/experts/{s}/record/" for s in rng.choices(scored_slugs, k=w)],
         [f"/api/experts/{s}/record/" for s in rng.choices(scored_slugs, k=n)], "—"),
    ]
    # The read model's other answers, warm (the first, untimed, computes and stores them), the leaderboard
    # filtered by claim dates among them; its computation is timed with the cold reads.
    from django.db.models import Max, Min

    from forecasts.models import Claim

    dates = Claim.objects.aggregate(first=Min("made_on"), last=Max("made_on"))
    made_after = dates["first"] + (dates["last"] - dates["first"]) / 2
    few = max(1, min(n, 5))
    filtered = f"/api/leaderboard/?made_after={made_after.isoformat()}"
    endpoints += [
        ("GET / (the leaderboard page)", ["/"] * w, ["/"] * n, "—"),
        ("GET /hedges/ (warm)", ["/hedges/"], ["/hedges/"] * n, "—"),
        ("GET /api/sensitivity/ (warm)", ["/api/sensitivity/"], ["/api/sensitivity/"] * few, "—"),
        ("GET /api/leaderboard/?made_after= (filtered, warm)", [filtered], [filtered] * n, "—"),
    ]
    p50 = {}
    # Pages name static files: without collectstatic's manifest (DEBUG off), plain static URLs.
    plain_static = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

    def record(label, times, target):
        p50[label] = percentile(times, 0.5)
        results.append((f"{label} p50 / p95 / max (ms)",
                        f"{ms(p50[label])} / {ms(percentile(times, 0.95))} / {ms(max(times))} ms", target))

    with override_settings(ROOT_URLCONF=install_urlconf(), STORAGES=plain_static):
        # The bare view and the two reads with a goal against it, in turns (one of each, then the next):
        # the machine's pace drifts by tens of percent within a minute, and each ratio should compare
        # requests made under the same conditions.
        paired = endpoints[:3]
        log(" / ".join(label for label, *_ in paired) + f", in turns × {n}…")
        for (label, _, _, target), times in zip(paired, interleaved_latency(client, [(p, w) for _, w, p, _ in paired])):
            record(label, times, target)
        for label, warmup, paths, target in endpoints[3:]:
            log(f"{label} × {len(paths)}…")
            record(label, latency(client, paths, warmup), target)
        log("cold reads: the first after a score change…")
        for label, path in (("GET /api/leaderboard/", "/api/leaderboard/"), ("GET / (the leaderboard page)", "/"),
                            ("GET /api/experts/{slug}/scores/", f"/api/experts/{scored_slugs[0]}/scores/"),
                            ("GET /api/leaderboard/?made_after= (filtered: computed)", filtered)):
            times = []
            for _ in range(3):
                score_version.bump()
                times.extend(latency(client, [path], []))
            results.append((f"{label} cold: first read after a score change (median of 3)",
                            f"{ms(statistics.median(times))} ms", "—"))
    bare = p50[endpoints[0][0]]
    for label in ("GET /api/leaderboard/", "GET /api/experts/{slug}/scores/"):
        results.append((f"{label} p50 ÷ the bare view's", f"{p50[label] / bare:.2f}×", "≤ 2× (issue 15)"))

    from forecasts.selectors_hedges import hedge_table

    log("the corpus-wide hedge table (the /hedges/ page's query)…")
    corpus_times = []
    for _ in range(3):
        with Timer() as t:
            hedge_table()
        corpus_times.append(t.seconds * 1000)
    results.append(("corpus-wide hedge table for /hedges/ (median of 3)", f"{ms(statistics.median(corpus_times))} ms", "—"))

    slug = scored_slugs[0]
    plans = [
        ("leaderboard page (RANK() OVER …)", "/api/leaderboard/", lambda s: "RANK()" in s.upper() and not s.upper().startswith("SELECT COUNT(")),
        ("leaderboard COUNT", "/api/leaderboard/", lambda s: s.upper().startswith("SELECT COUNT(")),
        ("expert scores", f"/api/experts/{slug}/scores/", lambda s: "forecasts_expertscore" in s),
        ("claims page ?expert=", f"/api/claims/?expert={slug}",
         lambda s: "forecasts_claim" in s and "LIMIT" in s.upper() and "COUNT(" not in s.upper()),
        ("claims COUNT ?expert=", f"/api/claims/?expert={slug}", lambda s: s.upper().startswith("SELECT COUNT(")),
    ]
    explained = []
    for label, path, pick in plans:
        score_version.bump()  # the plans are those of a cold read (a warm one runs no score query)
        queries, planning, execution, plan = explain(client, path, pick)
        explained.append((label, queries, planning, execution, plan))
    for label, path in (("leaderboard, warm (read model)", "/api/leaderboard/"),
                        ("expert scores, warm (read model)", f"/api/experts/{slug}/scores/")):
        client.get(path, HTTP_ACCEPT="application/json")  # the first read after the bumps above stores it
        with CaptureQueriesContext(connection) as captured:
            client.get(path, HTTP_ACCEPT="application/json")
        explained.append((label, len(captured.captured_queries), None, None, ""))

    total = time.perf_counter() - began
    title = (f"Hindsight score benchmark — PostgreSQL {pg_version}, {os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}, Django {django.get_version()}; "
             f"API latencies via django.test.Client (in process, no HTTP server), DEBUG={settings.DEBUG}, "
             f"CONN_MAX_AGE={settings.DATABASES['default'].get('CONN_MAX_AGE')}, "
             f"THROTTLE_ANON={os.environ['THROTTLE_ANON']}; shared cache (read model, throttles): "
             f"{'Redis (REDIS_URL)' if settings.REDIS_URL else 'the database table (embedded default)'}")
    print()
    print(title)
    print()
    print(table([("step", "figure", "target")] + results))
    print()
    print(table([("EXPLAIN ANALYZE", "queries in request", "planning", "execution")]
                + [(label, queries, f"{planning:.1f} ms" if planning is not None else "—",
                    f"{execution:.1f} ms" if execution is not None else "—")
                   for label, queries, planning, execution, _ in explained]))
    print()
    print(table([("rows (after recompute, before step 4)", "count")] + [(name, f"{count:,}") for name, count in counts]))
    print()
    settings_line = ", ".join(f"{name}={value}" for name, value in server.items() if name != "server_version")
    load_after = os.getloadavg()
    print(f"machine: nproc {os.cpu_count()}, {platform.machine()}, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB RAM, PostgreSQL {pg_version} "
          f"({settings_line}); load average 1 min {load_before[0]:.2f} at start, {load_after[0]:.2f} at end "
          f"(other processes compete for the CPUs when it is high)")
    print(f"end to end: {total:.1f} s")
    for label, _, _, execution, plan in explained:
        if args.plans or (execution is not None and execution > 10):
            print(f"\n--- plan: {label} ---\n{plan}")


if __name__ == "__main__":
    main()
