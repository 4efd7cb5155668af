"""Keeps the score tables (QuestionScore, ExpertScore) in step with claims and resolutions.

Writes call schedule_rescoring() inside their transaction. Rescoring happens at once, or, inside
a deferred_rescoring() block (bulk loads and imports), once for all questions at the block's end.
recompute_all_scores() rebuilds both tables from scratch and gives the same numbers. On PostgreSQL the
database computes the rows (forecasts.score_sql, set-based); elsewhere the Python path here does, and
stays the reference. Row locks are taken through forecasts.locks, once per transaction.
"""

import contextvars
import io
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, F, Q

from forecasts import score_sql, score_version, scoring
from forecasts.constants import SCORED_OUTCOMES, Outcome
from forecasts.locks import lock_experts, lock_questions
from forecasts.models import Claim, ExpertScore, PanelScore, QuestionScore
from forecasts.scoring import registry
from sources.models import Expert

_pending = contextvars.ContextVar("pending_rescoring", default=None)
_OUTCOME_VALUE = {Outcome.YES: 1, Outcome.NO: 0}
_BATCH = 5000
_UNSCORABLE = [outcome for outcome in Outcome.values if outcome not in SCORED_OUTCOMES]
_SCORE_FIELDS = [
    "scored", "open", "unscorable", "late", *registry.expert_columns(), "calibration", "reliability",
    "resolution", "uncertainty", "updated_at",
]


def schedule_rescoring(question_ids, expert_ids=()):
    """Rescore these questions (and refresh these experts' counts), now or at the deferred block's end."""
    pending = _pending.get()
    if pending is None:
        rescore_questions(question_ids, extra_expert_ids=expert_ids)
    else:
        pending[0].update(question_ids)
        pending[1].update(expert_ids)


@contextmanager
def deferred_rescoring():
    """Collect the rescoring of every write in the block and run it once, at the end."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set((set(), set()))
    try:
        yield
        question_ids, expert_ids = _pending.get()
    finally:
        _pending.reset(token)
    rescore_questions(question_ids, extra_expert_ids=expert_ids)


def _claim_rows(claims):
    return claims.values_list(
        "pk", "expert_id", "probability", "made_on", "question_id", "question__deadline",
        "question__resolution__outcome",
    ).order_by()


def _score_results(rows):
    """(question_id, scoring.QuestionResult) for every counting claim on a scored question among the rows,
    and the panel of every such question with at least two experts: [PanelScore] (unsaved)."""
    by_question = defaultdict(list)
    resolution = {}
    for claim_id, expert_id, probability, made_on, question_id, deadline, outcome in rows:
        if outcome in _OUTCOME_VALUE:
            by_question[question_id].append(scoring.ClaimRecord(claim_id, expert_id, probability, made_on))
            resolution[question_id] = (deadline, _OUTCOME_VALUE[outcome])
    scored, panels = [], []
    for question_id, claims in by_question.items():
        deadline, outcome = resolution[question_id]
        chosen = scoring.counting_claims(claims, deadline)
        scored.extend((question_id, result) for result in scoring.score_question(chosen.values(), outcome))
        if len(chosen) >= 2:
            panels.append(_panel_score(question_id, [claim.probability for claim in chosen.values()], outcome))
    return scored, panels


def _panel_score(question_id, probabilities, outcome):
    """The panel pseudo-expert's row on one question: the median forecast, scored by every registry score."""
    panel = scoring.panel_summary(probabilities)
    values = registry.score_forecasts([panel.median], outcome)
    return PanelScore(
        question_id=question_id, n=panel.n, median=panel.median, mean=panel.mean, outcome=outcome,
        **{name: column[0] for name, column in values.items()},
    )


def _question_score(question_id, result):
    return QuestionScore(
        question_id=question_id, expert_id=result.expert_id, claim_id=result.claim_id,
        probability=result.probability, outcome=result.outcome, **result.scores,
    )


_COPY_NULL = "\\N"
_COPY_COLUMNS = ("question_id", "expert_id", "claim_id", "probability", "outcome", *registry.question_columns())


def _copy_value(value):
    return _COPY_NULL if value is None else repr(value)


def _insert_question_scores(scored):
    """Insert [(question_id, QuestionResult)]: with COPY on PostgreSQL (no model instances), else bulk_create."""
    if connection.vendor != "postgresql":
        QuestionScore.objects.bulk_create([_question_score(q, r) for q, r in scored], batch_size=_BATCH)
        return
    statement = f"COPY {QuestionScore._meta.db_table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
    names = registry.question_columns()
    with connection.cursor() as cursor:
        for start in range(0, len(scored), 100_000):
            buffer = io.StringIO()
            buffer.writelines(
                "\t".join([str(q), str(r.expert_id), str(r.claim_id), repr(r.probability), str(r.outcome),
                           *(_copy_value(r.scores[name]) for name in names)]) + "\n"
                for q, r in scored[start:start + 100_000]
            )
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)


def set_based():
    """Whether the database computes the score tables itself (forecasts.score_sql): PostgreSQL.
    Elsewhere (SQLite) the Python path below does, and stays the reference."""
    return connection.vendor == "postgresql"


@transaction.atomic
def rescore_questions(question_ids, *, extra_expert_ids=()):
    """Rescore the given questions and refresh every expert who has (or had) a claim on them."""
    score_version.bump_on_commit()
    question_ids = set(question_ids)
    expert_ids = set(extra_expert_ids)
    if question_ids:
        lock_questions(question_ids)
        stale = QuestionScore.objects.filter(question_id__in=question_ids)
        if set_based():
            expert_ids |= score_sql.experts_on(question_ids)
        else:
            expert_ids.update(stale.values_list("expert_id", flat=True))
            rows = list(_claim_rows(Claim.objects.filter(question_id__in=question_ids)))
            expert_ids.update(row[1] for row in rows)
        lock_experts(expert_ids)
        stale.delete()
        PanelScore.objects.filter(question_id__in=question_ids).delete()
        if set_based():
            score_sql.write_question_rows(question_ids)
        else:
            scored, panels = _score_results(rows)
            QuestionScore.objects.bulk_create([_question_score(q, r) for q, r in scored], batch_size=_BATCH)
            PanelScore.objects.bulk_create(panels, batch_size=_BATCH)
    if expert_ids:
        refresh_expert_scores(expert_ids)


def question_counts(claims):
    """{expert_id: {"open", "unscorable", "late"}} over the distinct questions of these claims.

    Aggregated in the database. late = questions resolved YES or NO that the expert claimed, minus
    those claimed on or before the deadline.
    """
    scored = Q(question__resolution__outcome__in=SCORED_OUTCOMES)
    rows = (
        claims.values("expert_id")
        .annotate(
            n_open=Count("question_id", distinct=True, filter=Q(question__resolution__isnull=True)),
            n_unscorable=Count("question_id", distinct=True, filter=Q(question__resolution__outcome__in=_UNSCORABLE)),
            n_scored=Count("question_id", distinct=True, filter=scored),
            n_in_time=Count("question_id", distinct=True, filter=scored & Q(made_on__lte=F("question__deadline"))),
        )
        .order_by()
        .values_list("expert_id", "n_open", "n_unscorable", "n_scored", "n_in_time")
    )
    counts = defaultdict(lambda: {"open": 0, "unscorable": 0, "late": 0})
    for expert_id, n_open, n_unscorable, n_scored, n_in_time in rows:
        counts[expert_id] = {"open": n_open, "unscorable": n_unscorable, "late": n_scored - n_in_time}
    return counts


def expert_score_row(expert_id, results, counts):
    """An (unsaved) ExpertScore from an expert's per-question results and question counts."""
    summary = scoring.summarize_expert(results)
    decomposition = summary.decomposition
    return ExpertScore(
        expert_id=expert_id,
        open=counts["open"],
        unscorable=counts["unscorable"],
        late=counts["late"],
        **summary.values,
        calibration=[bin_.as_dict() for bin_ in summary.calibration],
        reliability=decomposition.reliability if decomposition else None,
        resolution=decomposition.resolution if decomposition else None,
        uncertainty=decomposition.uncertainty if decomposition else None,
    )


_RESULT_COLUMNS = ("claim_id", "expert_id", "probability", "outcome", *registry.question_columns())


def results_by_expert(question_scores):
    """{expert_id: [scoring.QuestionResult]} from QuestionScore rows, read by column name."""
    results = defaultdict(list)
    for row in question_scores.values(*_RESULT_COLUMNS).order_by():
        results[row["expert_id"]].append(scoring.QuestionResult.from_row(row))
    return results


def _save_expert_scores(expert_scores):
    ExpertScore.objects.bulk_create(
        expert_scores, batch_size=_BATCH, update_conflicts=True, unique_fields=["expert"],
        update_fields=_SCORE_FIELDS,
    )


@transaction.atomic
def refresh_expert_scores(expert_ids):
    """Recompute these experts' aggregate rows from their per-question scores and claims."""
    score_version.bump_on_commit()
    expert_ids = sorted(set(expert_ids))
    lock_experts(expert_ids)
    if set_based():
        score_sql.write_expert_rows(expert_ids)
        return
    results = results_by_expert(QuestionScore.objects.filter(expert_id__in=expert_ids))
    counts = question_counts(Claim.objects.filter(expert_id__in=expert_ids))
    _save_expert_scores(
        [expert_score_row(expert_id, results.get(expert_id, []), counts[expert_id]) for expert_id in expert_ids]
    )


@transaction.atomic
def recompute_all_scores():
    """Rebuild both score tables from every claim and resolution. Returns (experts, question scores)."""
    score_version.bump_on_commit()
    if set_based():
        n_scored = score_sql.rebuild_question_rows()
        ExpertScore.objects.all().delete()
        return score_sql.write_expert_rows(), n_scored
    QuestionScore.objects.all().delete()
    PanelScore.objects.all().delete()
    # Only claims on questions resolved YES or NO can score: leave the others in the database.
    claims = Claim.objects.filter(question__resolution__outcome__in=SCORED_OUTCOMES)
    scored, panels = _score_results(_claim_rows(claims).iterator(chunk_size=20000))
    _insert_question_scores(scored)
    PanelScore.objects.bulk_create(panels, batch_size=_BATCH)
    results = defaultdict(list)
    for _, result in scored:
        results[result.expert_id].append(result)
    counts = question_counts(Claim.objects.all())
    ExpertScore.objects.all().delete()
    # As rescoring does: an expert with no claims has no row (the selectors read it as all zeros).
    expert_ids = list(Expert.objects.filter(claims__isnull=False).distinct().order_by("pk").values_list("pk", flat=True))
    ExpertScore.objects.bulk_create(
        [expert_score_row(expert_id, results.get(expert_id, []), counts[expert_id]) for expert_id in expert_ids],
        batch_size=_BATCH,
    )
    return len(expert_ids), len(scored)
