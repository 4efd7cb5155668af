"""The score tables computed by PostgreSQL: set-based, a few INSERT … SELECT statements, no row in Python.

The same rows as the Python path of forecasts.score_table (the reference), built from the registry's
SQL spellings (Score.sql, Score.interval_sql). Every function takes the question ids or expert ids
to (re)write, or None for all of them; callers delete the stale rows and take the locks
(forecasts.score_table).
"""

from django.db import connection

from forecasts.constants import SCORED_OUTCOMES
from forecasts.models import Claim, ExpertScore, PanelScore, Question, QuestionScore, Resolution
from forecasts.scoring import formulas, registry
from forecasts.scoring import sql as score_sql
from sources.models import Expert

_CLAIM = Claim._meta.db_table
_QUESTION = Question._meta.db_table
_RESOLUTION = Resolution._meta.db_table
_QUESTION_SCORE = QuestionScore._meta.db_table
_PANEL_SCORE = PanelScore._meta.db_table
_EXPERT_SCORE = ExpertScore._meta.db_table
_EXPERT = Expert._meta.db_table
_YES, _NO = (str(outcome) for outcome in SCORED_OUTCOMES)


def _per_question(p, o, n, median):
    """[(column, SQL expression)] of every registry per-question score over the window on_question."""
    return [(score.name, score.sql.format(p=p, o=o, n=n, median=median)) for score in registry.SCORES
            if score.on_question]


def _ids_filter(column, ids):
    return "" if ids is None else f"AND {column} = ANY(%(ids)s)"


def _params(ids):
    return {} if ids is None else {"ids": sorted(ids)}


def question_rows_sql(question_ids=None):
    """One statement inserting the QuestionScore and PanelScore rows of these questions (None: all).

    The claim that counts is chosen as scoring.counting_claims does: per expert, the latest made on
    or before the deadline, ties to the highest claim id.
    """
    question_scores = _per_question("p", "o", "n", "median")
    panel_scores = _per_question("median", "o", "1", "NULL::float8")
    return f"""
WITH counting AS (
    SELECT DISTINCT ON (c.question_id, c.expert_id)
           c.question_id, c.expert_id, c.id AS claim_id, c.probability AS p,
           CASE r.outcome WHEN '{_YES}' THEN 1 ELSE 0 END AS o
    FROM {_CLAIM} c
    JOIN {_QUESTION} q ON q.id = c.question_id
    JOIN {_RESOLUTION} r ON r.question_id = c.question_id
    WHERE r.outcome IN ('{_YES}', '{_NO}') AND c.made_on <= q.deadline {_ids_filter("c.question_id", question_ids)}
    ORDER BY c.question_id, c.expert_id, c.made_on DESC, c.id DESC
), panel AS (
    SELECT question_id, count(*) AS n, min(o) AS o, avg(p) AS mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY p) AS median
    FROM counting GROUP BY question_id
), panel_rows AS (
    INSERT INTO {_PANEL_SCORE} (question_id, n, median, mean, outcome, {", ".join(n for n, _ in panel_scores)})
    SELECT question_id, n, median, mean, o, {", ".join(e for _, e in panel_scores)}
    FROM panel WHERE n >= 2
    WINDOW on_question AS (PARTITION BY question_id)
)
INSERT INTO {_QUESTION_SCORE} (question_id, expert_id, claim_id, probability, outcome,
                               {", ".join(n for n, _ in question_scores)})
SELECT question_id, expert_id, claim_id, p, o, {", ".join(e for _, e in question_scores)}
FROM counting JOIN panel USING (question_id, o)
WINDOW on_question AS (PARTITION BY question_id)
"""


def _json_float(expression):
    """A float8 as a JSON number that reads back as a Python float (1.0, not 1), as json.dumps writes it."""
    return (f"(CASE WHEN {expression} = trunc({expression}) THEN to_jsonb(round(({expression})::numeric, 1)) "
            f"ELSE to_jsonb({expression}) END)")


def _calibration_bin():
    """The jsonb of one calibration bin, as formulas.CalibrationBin.as_dict gives it, from bins' columns."""
    low, high = score_sql.wilson_interval("yes", "n")
    bins = formulas.CALIBRATION_BINS
    return (
        f"jsonb_build_object("
        f"'bin_low', {_json_float(f'round((idx::numeric / {bins}), 10)::float8')}, "
        f"'bin_high', {_json_float(f'round(((idx + 1)::numeric / {bins}), 10)::float8')}, "
        f"'n', n, 'mean_forecast', {_json_float('mean_forecast')}, "
        f"'observed', {_json_float('yes::float8 / n')}, "
        f"'ci95', jsonb_build_array({_json_float(low)}, {_json_float(high)}))"
    )


def _aggregates():
    """(select list of the per-expert aggregates over qs, [(column, expression over them)])."""
    moments, columns = ["count(*) AS scored"], []
    for score in registry.SCORES:
        name = score.name
        if not score.on_question:  # no per-question values: aggregated over nothing, as in Python
            columns.append((name, "NULL::float8"))
            if score.count_name:
                columns.append((score.count_name, "0"))
            columns += [(interval_name, "NULL::float8") for interval_name in score.interval_names]
            continue
        moments += [f"count({name}) AS {name}__n", f"avg({name}) AS {name}__mean",
                    f"stddev_samp({name}) AS {name}__sd"]
        n, mean, sd = f"a.{name}__n", f"a.{name}__mean", f"a.{name}__sd"
        columns.append((name, mean))
        if score.count_name:
            columns.append((score.count_name, f"coalesce({n}, 0)"))
        if score.interval:
            columns += list(zip(score.interval_names, score.interval_sql(n, mean, sd)))
    return ", ".join(moments), columns


def expert_rows_sql(expert_ids=None):
    """One statement writing the ExpertScore rows of these experts (None: every expert with a claim),
    upserted: every registry column, counts, calibration bins, Murphy decomposition."""
    moments, columns = _aggregates()
    bins = formulas.CALIBRATION_BINS
    experts = (f"SELECT expert_id FROM counts" if expert_ids is None
               else f"SELECT id AS expert_id FROM {_EXPERT} WHERE id = ANY(%(ids)s)")
    names = ["scored", "open", "unscorable", "late", *(n for n, _ in columns), "calibration", "reliability",
             "resolution", "uncertainty", "updated_at"]
    values = [
        "coalesce(a.scored, 0)", "coalesce(k.open, 0)", "coalesce(k.unscorable, 0)", "coalesce(k.late, 0)",
        *(e for _, e in columns), "coalesce(cal.calibration, '[]'::jsonb)", "m.reliability", "m.resolution",
        "m.uncertainty", "now()",
    ]
    return f"""
WITH qs AS MATERIALIZED (
    SELECT * FROM {_QUESTION_SCORE} WHERE TRUE {_ids_filter("expert_id", expert_ids)}
), a AS (
    SELECT expert_id, {moments}, avg(outcome::float8) AS base_rate FROM qs GROUP BY expert_id
), bins AS (
    SELECT expert_id, idx, count(*) AS n, avg(probability) AS mean_forecast, sum(outcome) AS yes
    FROM (SELECT expert_id, probability, outcome,
                 least(floor(probability * {bins} + 1e-9::float8)::int, {bins - 1}) AS idx FROM qs) b
    GROUP BY expert_id, idx
), cal AS (
    SELECT expert_id, jsonb_agg({_calibration_bin()} ORDER BY idx) AS calibration FROM bins GROUP BY expert_id
), groups AS (
    SELECT expert_id, round(probability::numeric, 9)::float8 AS p, count(*) AS n, avg(outcome::float8) AS observed
    FROM qs GROUP BY expert_id, round(probability::numeric, 9)
), m AS (
    SELECT g.expert_id,
           sum(g.n * (g.p - g.observed) ^ 2) / min(a.scored) AS reliability,
           sum(g.n * (g.observed - a.base_rate) ^ 2) / min(a.scored) AS resolution,
           min(a.base_rate * (1 - a.base_rate)) AS uncertainty
    FROM groups g JOIN a USING (expert_id) GROUP BY g.expert_id
), per_question AS (
    SELECT c.expert_id, r.outcome, bool_or(c.made_on <= q.deadline) AS in_time
    FROM {_CLAIM} c
    JOIN {_QUESTION} q ON q.id = c.question_id
    LEFT JOIN {_RESOLUTION} r ON r.question_id = c.question_id
    WHERE TRUE {_ids_filter("c.expert_id", expert_ids)}
    GROUP BY c.expert_id, c.question_id, r.outcome
), counts AS (
    SELECT expert_id,
           count(*) FILTER (WHERE outcome IS NULL) AS open,
           count(*) FILTER (WHERE outcome NOT IN ('{_YES}', '{_NO}')) AS unscorable,
           count(*) FILTER (WHERE outcome IN ('{_YES}', '{_NO}') AND NOT in_time) AS late
    FROM per_question GROUP BY expert_id
), experts AS ({experts})
INSERT INTO {_EXPERT_SCORE} (expert_id, {", ".join(names)})
SELECT e.expert_id, {", ".join(values)}
FROM experts e
LEFT JOIN a ON a.expert_id = e.expert_id
LEFT JOIN cal ON cal.expert_id = e.expert_id
LEFT JOIN m ON m.expert_id = e.expert_id
LEFT JOIN counts k ON k.expert_id = e.expert_id
ON CONFLICT (expert_id) DO UPDATE SET {", ".join(f"{n} = EXCLUDED.{n}" for n in names)}
"""


def write_question_rows(question_ids=None):
    """Insert the QuestionScore and PanelScore rows of these questions (None: all); stale rows deleted first."""
    with connection.cursor() as cursor:
        cursor.execute(question_rows_sql(question_ids), _params(question_ids))
        return cursor.rowcount


def write_expert_rows(expert_ids=None):
    """Write (upsert) the ExpertScore rows of these experts (None: every expert with a claim)."""
    if expert_ids is not None and not expert_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(expert_rows_sql(expert_ids), _params(expert_ids))
        return cursor.rowcount


def experts_on(question_ids):
    """The ids of the experts with a claim or a score on these questions, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT expert_id FROM {_CLAIM} WHERE question_id = ANY(%(ids)s) "
            f"UNION SELECT expert_id FROM {_QUESTION_SCORE} WHERE question_id = ANY(%(ids)s)",
            _params(question_ids),
        )
        return {row[0] for row in cursor.fetchall()}
