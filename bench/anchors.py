"""The anchors bench/scores.py measures its figures against, in the same run (issue 15).

- ANCHOR_RECOMPUTE: one SQL statement writing what a full recompute writes at its core: the
  per-question rows (the latest claim on or before the deadline, Brier, log, baseline and peer
  scores) into one table and the per-expert means into another.
- ANCHOR_RESOLVE: the same statement restricted to the experts with a claim on one question (what
  resolving that question has to rescore, at the least).
- AnchorView: a bare DRF view (no authentication, permission or throttle policy) returning a
  constant, served behind the project's own middleware at /bench/anchor/.
"""

import sys
import time
import types

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

ANCHOR_TABLES = """
CREATE TEMP TABLE IF NOT EXISTS anchor_question_scores (
    question_id bigint, expert_id bigint, claim_id bigint, probability double precision, outcome int,
    brier double precision, log_score double precision, baseline_score double precision, peer_score double precision);
CREATE TEMP TABLE IF NOT EXISTS anchor_expert_scores (
    expert_id bigint, scored int, brier double precision, log_score double precision,
    baseline_score double precision, peer_score double precision);
TRUNCATE anchor_question_scores, anchor_expert_scores;
"""

_ANCHOR = """
WITH counting AS (
    SELECT DISTINCT ON (c.question_id, c.expert_id)
           c.question_id, c.expert_id, c.id AS claim_id, c.probability,
           CASE r.outcome WHEN 'yes' THEN 1 ELSE 0 END AS outcome
    FROM forecasts_claim c
    JOIN forecasts_question q ON q.id = c.question_id
    JOIN forecasts_resolution r ON r.question_id = q.id
    WHERE r.outcome IN ('yes', 'no') AND c.made_on <= q.deadline{restriction}
    ORDER BY c.question_id, c.expert_id, c.made_on DESC, c.id DESC
), scored AS (
    SELECT *, (probability - outcome) ^ 2 AS brier,
           ln(CASE WHEN outcome = 1 THEN least(greatest(probability, 0.001), 0.999)
                   ELSE 1 - least(greatest(probability, 0.001), 0.999) END) AS log_score
    FROM counting
), peered AS (
    SELECT *, 100 * (log_score / ln(2) + 1) AS baseline_score,
           CASE WHEN count(*) OVER by_question >= 2
                THEN 100 * (log_score - (sum(log_score) OVER by_question - log_score) / (count(*) OVER by_question - 1))
           END AS peer_score
    FROM scored WINDOW by_question AS (PARTITION BY question_id)
), inserted AS (
    INSERT INTO anchor_question_scores
    SELECT question_id, expert_id, claim_id, probability, outcome, brier, log_score, baseline_score, peer_score
    FROM peered RETURNING *
)
INSERT INTO anchor_expert_scores
SELECT expert_id, count(*), avg(brier), avg(log_score), avg(baseline_score), avg(peer_score)
FROM inserted GROUP BY expert_id
"""
ANCHOR_RECOMPUTE = _ANCHOR.format(restriction="")
ANCHOR_RESOLVE = _ANCHOR.format(
    restriction=" AND c.expert_id IN (SELECT expert_id FROM forecasts_claim WHERE question_id = %(question)s)"
)


class AnchorView(APIView):
    """The bare view: no authentication, permission or throttle policy; a constant answer."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get(self, request):
        return Response({"anchor": True})


ANCHOR_PATH = "/bench/anchor/"
URLCONF = "bench_anchor_urls"


def install_urlconf():
    """A URLconf serving the project's URLs plus the anchor view; returns its module name (for ROOT_URLCONF)."""
    module = types.ModuleType(URLCONF)
    module.urlpatterns = [path(ANCHOR_PATH.strip("/") + "/", AnchorView.as_view()), path("", include("config.urls"))]
    sys.modules[URLCONF] = module
    return URLCONF


def recompute_anchor(connection):
    """Run the one-statement anchor; returns (question rows, expert rows, question rows whose Brier and peer
    score equal the stored QuestionScore's, seconds the statement alone took), the third proving the anchor
    does the same work."""
    with connection.cursor() as cursor:
        cursor.execute(ANCHOR_TABLES)
        start = time.perf_counter()
        cursor.execute(ANCHOR_RECOMPUTE)
        seconds = time.perf_counter() - start
        cursor.execute("""
            SELECT (SELECT count(*) FROM anchor_question_scores), (SELECT count(*) FROM anchor_expert_scores),
                   (SELECT count(*) FROM anchor_question_scores a
                    JOIN forecasts_questionscore s USING (question_id, expert_id)
                    WHERE a.claim_id = s.claim_id AND abs(a.brier - s.brier) < 1e-9
                      AND (a.peer_score IS NULL AND s.peer_score IS NULL OR abs(a.peer_score - s.peer_score) < 1e-6))
        """)
        return (*cursor.fetchone(), seconds)


def resolve_anchor(connection, question_id):
    """Run the anchor restricted to the experts on one (resolved) question; returns (expert rows, seconds
    the statement alone took)."""
    with connection.cursor() as cursor:
        cursor.execute(ANCHOR_TABLES)
        start = time.perf_counter()
        cursor.execute(ANCHOR_RESOLVE, {"question": question_id})
        seconds = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM anchor_expert_scores")
        return cursor.fetchone()[0], seconds
