"""The set-based score tables (forecasts.score_sql, PostgreSQL) give the Python path's numbers, to 1e-9.

Every column of QuestionScore, PanelScore and ExpertScore (calibration bins included), for a full
recompute and for the incremental rescoring of writes made through the services, on seeded random
data and on the seed corpus; the per-expert rows of a filtered leaderboard (a topic, claim dates). A full recompute (which drops and rebuilds the indexes) leaves the same
indexes and constraints.
"""

import datetime
import math
import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from forecasts import score_table, selectors, services
from forecasts.constants import Outcome, ProbabilityOrigin, Side
from forecasts.models import Claim, ExpertScore, PanelScore, Question, QuestionScore, Resolution, Topic
from forecasts.score_table import recompute_all_scores
from forecasts.scoring import formulas
from forecasts.scoring import sql as score_sql
from sources.models import Expert, Source

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's"),
]
TOLERANCE = 1e-9
DEADLINE = datetime.date(2020, 6, 30)


def _rows(model, key):
    names = [field.attname for field in model._meta.concrete_fields if field.attname not in ("id", "updated_at")]
    return {tuple(row[k] for k in key): row for row in model.objects.values(*names)}


def _tables():
    return {
        "question": _rows(QuestionScore, ("question_id", "expert_id")),
        "panel": _rows(PanelScore, ("question_id",)),
        "expert": _rows(ExpertScore, ("expert_id",)),
    }


def _differences(a, b, where=""):
    """Where two values (numbers, None, lists and dicts of them) differ by more than TOLERANCE."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in _differences(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{where}[{i}]")]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if type(a) is not type(b) or not math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE):
            return [f"{where}: {a!r} != {b!r}"]
        return []
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def _assert_same(sql_tables, python_tables):
    for table in ("question", "panel", "expert"):
        assert sql_tables[table].keys() == python_tables[table].keys(), table
    differences = _differences(sql_tables, python_tables)
    assert not differences, differences[:20]


@pytest.fixture
def python_path(monkeypatch):
    """A context in which score_table takes the Python path (the reference) on PostgreSQL too."""
    class _Python:
        def __enter__(self):
            monkeypatch.setattr(score_table, "set_based", lambda: False)

        def __exit__(self, *exc):
            monkeypatch.setattr(score_table, "set_based", lambda: True)

    return _Python()


def _both_recomputes(python_path):
    with python_path:
        python_counts = recompute_all_scores()
        python_tables = _tables()
    sql_counts = recompute_all_scores()
    return sql_counts, _tables(), python_counts, python_tables


def _random_corpus(seed, experts=40, questions=120):
    """Seeded random data with every edge the scoring has: ties on made_on, claims after the deadline,
    superseded claims, AMBIGUOUS/ANNULLED and open questions, NO-side claims, p = 0 and 1, questions
    with one expert, an expert with no claim."""
    rng = random.Random(seed)
    people = Expert.objects.bulk_create(
        [Expert(name=f"Expert {seed}-{i}", slug=f"expert-{seed}-{i}") for i in range(experts + 1)]
    )[:experts]
    source = Source.objects.create(title="Article", slug=f"article-{seed}", url="https://example.org/a",
                                   published_on=datetime.date(2019, 1, 1))
    qs = Question.objects.bulk_create([
        Question(title=f"Will {seed}-{i} happen?", slug=f"q-{seed}-{i}", resolution_criteria="YES if so.",
                 deadline=DEADLINE + datetime.timedelta(days=rng.randrange(-30, 30)))
        for i in range(questions)
    ])
    outcomes = [Outcome.YES, Outcome.NO, Outcome.YES, Outcome.NO, Outcome.AMBIGUOUS, Outcome.ANNULLED, None]
    resolutions, claims = [], []
    grid = [0.0, 1.0, 0.05, 0.1, 0.3, 0.325, 0.5, 0.675, 0.7, 0.9, 0.95, 0.999, 0.0005]
    for index, question in enumerate(qs):
        outcome = outcomes[index % len(outcomes)]
        if outcome is not None:
            resolutions.append(Resolution(question=question, outcome=outcome,
                                          resolved_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc)))
        size = 1 if index % 9 == 0 else rng.randrange(2, 12)
        for expert in rng.sample(people, min(size, experts)):
            for _ in range(rng.choice([1, 1, 2, 3])):  # several claims: superseded ones and ties on the date
                made_on = question.deadline + datetime.timedelta(days=rng.choice([-200, -40, -1, 0, 0, 1, 15]))
                p = rng.choice(grid) if rng.random() < 0.6 else round(rng.random(), 4)
                claims.append(Claim(
                    question=question, expert=expert, source=source, quote="q", statement="s", hedge="",
                    predicts=rng.choice([Side.YES, Side.NO]), probability=p,
                    probability_origin=ProbabilityOrigin.ANALYST, made_on=made_on,
                ))
    Resolution.objects.bulk_create(resolutions)
    Claim.objects.bulk_create(claims)
    return qs, people


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_recompute_gives_the_python_numbers_on_random_data(seed, python_path):
    _random_corpus(seed)
    sql_counts, sql_tables, python_counts, python_tables = _both_recomputes(python_path)
    assert sql_counts == python_counts
    assert len(python_tables["question"]) > 300 and len(python_tables["panel"]) > 30
    assert any(row["calibration"] for row in python_tables["expert"].values())
    _assert_same(sql_tables, python_tables)


@pytest.mark.django_db
def test_full_recompute_gives_the_python_numbers_on_the_seed_corpus(seed_corpus, python_path):
    sql_counts, sql_tables, python_counts, python_tables = _both_recomputes(python_path)
    assert sql_counts == python_counts and python_counts[1] > 0
    _assert_same(sql_tables, python_tables)


def _python_rescore_of_everything(python_path):
    """The tables the Python path gives for the current data, every question and expert rescored
    (in a savepoint rolled back after reading them)."""
    expert_ids = set(ExpertScore.objects.values_list("expert_id", flat=True))
    with python_path, transaction.atomic():
        score_table.rescore_questions(Question.objects.values_list("pk", flat=True), extra_expert_ids=expert_ids)
        tables = _tables()
        transaction.set_rollback(True)
    return tables


@pytest.mark.django_db
def test_incremental_rescoring_after_writes_through_the_services_gives_the_python_numbers(python_path):
    qs, people = _random_corpus(7, experts=25, questions=60)
    recompute_all_scores()
    rng = random.Random(7)
    resolved = list(Question.objects.filter(resolution__outcome__in=[Outcome.YES, Outcome.NO]).order_by("pk"))
    open_questions = list(Question.objects.filter(resolution__isnull=True).order_by("pk"))
    source = Source.objects.first()
    writes = [
        lambda: services.resolve_question(question=open_questions[0], outcome=Outcome.YES),
        lambda: services.resolve_question(question=open_questions[1], outcome=Outcome.AMBIGUOUS),
        lambda: services.change_resolution(question=resolved[0], reason="re-resolved", outcome=Outcome.NO if
                                           resolved[0].resolution.outcome == Outcome.YES else Outcome.YES),
        lambda: services.unresolve_question(question=resolved[1], reason="reopened"),
        lambda: services.update_claim(Claim.objects.filter(question=resolved[2]).order_by("pk").first(),
                                      probability=0.0),
        lambda: services.update_claim(Claim.objects.filter(question=resolved[3]).order_by("pk").first(),
                                      question=resolved[4]),
        lambda: services.record_claim(question=resolved[5], expert=rng.choice(people), source=source, quote="q",
                                      probability=1.0, made_on=resolved[5].deadline),
        lambda: services.delete_claim(Claim.objects.filter(question=resolved[6]).order_by("pk").last()),
        lambda: services.resolve_question(question=resolved[1], outcome=Outcome.NO),
    ]
    for write in writes:
        write()
        _assert_same(_tables(), _python_rescore_of_everything(python_path))


@pytest.mark.django_db
def test_incremental_rescoring_of_an_import_gives_the_python_numbers(python_path):
    _random_corpus(11, experts=15, questions=30)
    recompute_all_scores()
    with score_table.deferred_rescoring():
        for question in Question.objects.filter(resolution__isnull=True).order_by("pk")[:3]:
            services.resolve_question(question=question, outcome=Outcome.NO)
        claim = Claim.objects.order_by("pk").first()
        services.update_claim(claim, made_on=claim.question.deadline + datetime.timedelta(days=1))
    _assert_same(_tables(), _python_rescore_of_everything(python_path))


def _schema(table):
    """The table's indexes and constraints, by name, as the catalog defines them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
            [table, table],
        )
        return sorted(cursor.fetchall())


@pytest.mark.django_db
def test_a_full_recompute_builds_the_same_indexes_and_constraints_again():
    _random_corpus(13, experts=8, questions=20)
    before = {table: _schema(table) for table in (QuestionScore._meta.db_table, PanelScore._meta.db_table)}
    recompute_all_scores()
    assert QuestionScore.objects.exists()
    assert {table: _schema(table) for table in before} == before


@pytest.mark.django_db
def test_a_write_locks_its_question_and_experts_once():
    qs, _ = _random_corpus(5, experts=6, questions=8)
    recompute_all_scores()
    question = Question.objects.filter(resolution__isnull=True).first()
    with CaptureQueriesContext(connection) as queries:
        services.resolve_question(question=question, outcome=Outcome.YES)
    locks = [q["sql"] for q in queries.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert len([sql for sql in locks if '"forecasts_question"' in sql]) == 1
    assert len([sql for sql in locks if '"sources_expert"' in sql]) == 1


@pytest.mark.django_db
def test_the_sql_spellings_of_the_formulas_give_their_numbers():
    # t table, Cornish–Fisher beyond, the floored Brier interval, the t interval and Wilson, worked by formulas.
    with connection.cursor() as cursor:
        for df in (1, 2, 30, 31, 200):
            cursor.execute(f"SELECT {score_sql.t_critical_95(str(df))}")
            assert cursor.fetchone()[0] == pytest.approx(formulas.t_critical_95(df), abs=1e-12)
        for n, mean, sd in ((1, 0.2, None), (2, 0.1, 0.0), (5, 0.3, 0.2), (40, 0.05, 0.01)):
            cursor.execute(f"SELECT {', '.join(score_sql.mean_brier_interval(str(n), _float(mean), _float(sd)))}")
            assert cursor.fetchone() == pytest.approx(formulas.mean_brier_interval_from_moments(n, mean, sd))
        cursor.execute(f"SELECT {', '.join(score_sql.t_interval('4', _float(0.1), _float(0.3)))}")
        assert cursor.fetchone() == pytest.approx(formulas.t_interval(4, 0.1, 0.3))
        cursor.execute(f"SELECT {', '.join(score_sql.wilson_interval('3', '7'))}")
        assert cursor.fetchone() == pytest.approx(formulas.wilson_interval(3, 7))


def _float(value):
    return "NULL::float8" if value is None else f"{value!r}::float8"


def _subset(**filters):
    names = [field.attname for field in ExpertScore._meta.concrete_fields if field.attname != "updated_at"]
    return {
        expert_id: {name: getattr(row, name) for name in names}
        for expert_id, row in selectors._subset_expert_scores(
            filters.get("topic"), filters.get("made_after"), filters.get("made_before")
        ).items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 5])
def test_a_filtered_leaderboard_gives_the_python_numbers(python_path, seed):
    """The per-expert rows over a topic and/or claim dates: every column, calibration included, the counts
    (late: a question resolved YES or NO with no claim of the subset on or before its deadline) and which
    experts appear (those with a claim in the subset)."""
    qs, _ = _random_corpus(seed)
    topic = Topic.objects.create(slug=f"topic-{seed}", name="Topic")
    for question in qs[::2]:
        question.topics.add(topic)
    recompute_all_scores()
    day = datetime.timedelta(days=1)
    cases = [
        {"topic": topic},
        {"made_after": DEADLINE - 40 * day},
        {"made_before": DEADLINE - day},
        {"topic": topic, "made_after": DEADLINE - 200 * day, "made_before": DEADLINE},
        {"made_after": DEADLINE + 400 * day},  # no claim: no expert
    ]
    for filters in cases:
        sql_rows = _subset(**filters)
        with python_path:
            python_rows = _subset(**filters)
        assert sql_rows.keys() == python_rows.keys(), filters
        differences = _differences(sql_rows, python_rows)
        assert not differences, (filters, differences[:20])
    assert _subset(topic=topic) and not _subset(made_after=DEADLINE + 400 * day)
    late = {row["late"] for row in _subset(made_before=DEADLINE - day).values()}
    assert late != {0}  # the cases reach the late count (claims after the deadline of the subset)
