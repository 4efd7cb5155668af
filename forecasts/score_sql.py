"""The score tables computed by PostgreSQL: set-based, a few INSERT … SELECT statements, no row in Python.

The same rows as the Python path of forecasts.score_table (the reference), built from the registry's
SQL spellings (Score.sql, Score.interval_sql). Every function takes the question ids or expert ids
to (re)write, or None for all of them; callers delete the stale rows and take the locks
(forecasts.score_table).
"""

import json

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
_QUESTION_TOPICS = Question.topics.through._meta.db_table
_YES, _NO = (str(outcome) for outcome in SCORED_OUTCOMES)


def _per_question(p, o, n, median):
    """[(column, SQL expression)] of every registry per-question score over the window on_question."""
    return [(score.name, score.sql.format(p=p, o=o, n=n, median=median)) for score in registry.SCORES
            if score.on_question]


def _ids_filter(column, ids):
    return "" if ids is None else f"AND {column} = ANY(%(ids)s)"


# Per transaction (SET LOCAL): no JIT compilation, which costs more than it saves on these statements
# at every size; a full rebuild sorts and hashes its ~half a million rows in memory, not on disk, and joins
# a million claims to the questions through a hash, not by sorting them.
_SETTINGS = "SET LOCAL jit = off; "
_BULK_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '256MB'; SET LOCAL enable_mergejoin = off; "


def _settings(ids):
    return _BULK_SETTINGS if ids is None else _SETTINGS


def _params(ids):
    return {} if ids is None else {"ids": sorted(ids)}


def question_rows_sql(question_ids=None):
    """One statement inserting the QuestionScore and PanelScore rows of these questions (None: all).

    The claim that counts is chosen as scoring.counting_claims does: per expert, the latest made on
    or before the deadline, ties to the highest claim id. One sort by (question, p) then serves both
    window passes: the first numbers the forecasts and takes the panel's size and mean (kept for the panel
    rows, narrower than the scored rows), the second the median (the middle value, or the mean of the two
    middle ones, exactly as formulas.median) and the scores, those that look at the whole question included.
    """
    # The median as the window function itself, so that the scores can use it in the same pass (PostgreSQL
    # computes identical window functions once).
    median = f"avg(p) FILTER (WHERE rank IN ((n + 1) / 2, (n + 2) / 2)) OVER {score_sql.WINDOW}"
    question_scores = _per_question("p", "o", "n", median)
    panel_scores = _per_question("median", "o", "1", "NULL::float8")
    # The scored questions (with their deadline and outcome) joined first, hashed once: a million claims probe
    # them. OFFSET 0 keeps that join apart while the planner still sees the questions' statistics.
    return f"""
WITH counting AS (
    SELECT DISTINCT ON (c.question_id, c.expert_id)
           c.question_id, c.expert_id, c.id AS claim_id, c.probability AS p, s.o
    FROM {_CLAIM} c
    JOIN (SELECT q.id AS question_id, q.deadline, CASE r.outcome WHEN '{_YES}' THEN 1 ELSE 0 END AS o
          FROM {_QUESTION} q JOIN {_RESOLUTION} r ON r.question_id = q.id
          WHERE r.outcome IN ('{_YES}', '{_NO}') {_ids_filter("q.id", question_ids)} OFFSET 0) s
      ON s.question_id = c.question_id
    WHERE c.made_on <= s.deadline {_ids_filter("c.question_id", question_ids)}
    ORDER BY c.question_id, c.expert_id, c.made_on DESC, c.id DESC
), ranked AS MATERIALIZED (
    SELECT *, row_number() OVER by_p AS rank, count(*) OVER by_p AS n, avg(p) OVER by_p AS mean
    FROM counting
    WINDOW by_p AS (PARTITION BY question_id ORDER BY p ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
), scored AS (
    SELECT question_id, expert_id, claim_id, p, o, {", ".join(f"{e} AS {n}" for n, e in question_scores)}
    FROM ranked WINDOW {score_sql.WINDOW} AS (PARTITION BY question_id)
), panel AS (
    -- The middle one or two forecasts: their avg() is the median of the scores' window to the bit.
    SELECT question_id, min(n) AS n, avg(p) AS median, min(mean) AS mean, min(o) AS o FROM ranked
    WHERE n >= 2 AND rank IN ((n + 1) / 2, (n + 2) / 2) GROUP BY question_id
), panel_rows AS (
    INSERT INTO {_PANEL_SCORE} (question_id, n, median, mean, outcome, {", ".join(n for n, _ in panel_scores)})
    SELECT question_id, n, median, mean, o, {", ".join(e for _, e in panel_scores)}
    FROM panel WINDOW {score_sql.WINDOW} AS (PARTITION BY question_id)
)
INSERT INTO {_QUESTION_SCORE} (question_id, expert_id, claim_id, probability, outcome,
                               {", ".join(n for n, _ in question_scores)})
SELECT question_id, expert_id, claim_id, p, o, {", ".join(n for n, _ in question_scores)} FROM scored
"""


def _json_float(expression):
    """A float8 in [0, 1] as JSON text that reads back as a Python float, as json.dumps writes it (1.0, not 1;
    float8's text is the shortest that reads back exactly, as Python's repr)."""
    return f"(CASE WHEN {expression} = trunc({expression}) THEN {expression}::text || '.0' ELSE {expression}::text END)"


def _calibration_values():
    """The select list of one calibration bin's numbers from bins' columns (idx, n, mean_forecast, yes), each
    computed once: observed frequency and Wilson interval."""
    low, high = score_sql.wilson_interval("yes", "n")
    return f"expert_id, idx, n, mean_forecast, yes::float8 / n AS observed, {low} AS ci_low, {high} AS ci_high"


def _bin_heads():
    """SQL text[]: per bin index + 1, the constant start of its JSON object, its bounds rounded as
    formulas.calibration_bins rounds them and written as json.dumps writes them."""
    bins = formulas.CALIBRATION_BINS
    heads = [json.dumps({"bin_low": round(i / bins, 10), "bin_high": round((i + 1) / bins, 10)})[:-1] + ', "n": '
             for i in range(bins)]
    return f"(ARRAY[{', '.join(_sql_text(head) for head in heads)}]::text[])"


def _sql_text(value):
    return "'" + value.replace("'", "''") + "'"


def _calibration_bin():
    """The JSON text of one calibration bin, as formulas.CalibrationBin.as_dict gives it (built as text, far
    cheaper than json_build_object; parsed once per expert)."""
    parts = [f"{_bin_heads()}[idx + 1] || n", f"', \"mean_forecast\": ' || {_json_float('mean_forecast')}",
             f"', \"observed\": ' || {_json_float('observed')}",
             f"', \"ci95\": [' || {_json_float('ci_low')} || ', ' || {_json_float('ci_high')} || ']}}'"]
    return " || ".join(parts)


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
        # Only the moments a column needs: the mean always, the count for a stored count or an interval.
        moments.append(f"avg({name}) AS {name}__mean")
        if score.count_name or score.interval:
            moments.append(f"count({name}) AS {name}__n")
        if score.interval:
            moments.append(f"stddev_samp({name}) AS {name}__sd")
        n, mean, sd = f"a.{name}__n", f"a.{name}__mean", f"a.{name}__sd"
        columns.append((name, mean))
        if score.count_name:
            columns.append((score.count_name, f"coalesce({n}, 0)"))
        if score.interval:
            columns += list(zip(score.interval_names, score.interval_sql(n, mean, sd)))
    return ", ".join(moments), columns


def _expert_row_parts(qs_source, counts_ctes, late, experts):
    """(the WITH list, the select list's [(column, expression)], the FROM clause) of per-expert rows.

    qs_source: a SELECT of the QuestionScore rows to aggregate; counts_ctes: CTEs ending in one named
    counts (expert_id, open, unscorable and what `late` reads); experts: a SELECT of the expert_id
    rows to write. Every registry column, counts, calibration bins, Murphy decomposition.
    """
    moments, columns = _aggregates()
    bins = formulas.CALIBRATION_BINS
    values = [
        ("scored", "coalesce(a.scored, 0)"), ("open", "coalesce(k.open, 0)"),
        ("unscorable", "coalesce(k.unscorable, 0)"), ("late", late), *columns,
        ("calibration", "coalesce(cal.calibration, '[]'::jsonb)"), ("reliability", "m.reliability"),
        ("resolution", "m.resolution"), ("uncertainty", "m.uncertainty"),
    ]
    ctes = f"""
WITH qs AS MATERIALIZED (
    {qs_source}
), a AS (
    SELECT expert_id, {moments}, avg(outcome::float8) AS base_rate FROM qs GROUP BY expert_id
), by_value AS (
    -- Forecasts by value: what the calibration bins and the Murphy decomposition are built from.
    -- Counted in int: the sums of bins and groups are then bigint, not numeric (slow, and read as float8 via text).
    SELECT expert_id, probability AS p, count(*)::int AS n, sum(outcome)::int AS yes
    FROM qs GROUP BY expert_id, probability
), bins AS (
    SELECT expert_id, least(floor(p * {bins} + 1e-9::float8)::int, {bins - 1}) AS idx, sum(n) AS n,
           sum(p * n) / sum(n) AS mean_forecast, sum(yes) AS yes
    FROM by_value GROUP BY expert_id, 2
), bin_values AS MATERIALIZED (
    SELECT {_calibration_values()} FROM bins
), cal AS (
    SELECT expert_id, ('[' || string_agg({_calibration_bin()}, ', ' ORDER BY idx) || ']')::jsonb AS calibration
    FROM bin_values
    GROUP BY expert_id
), groups AS (
    -- Forecasts grouped by value to 9 decimals, as formulas.murphy_decomposition (rounded in float8: numeric
    -- is slower, and the two differ only for a value halfway at the tenth decimal).
    SELECT expert_id, round(p * 1e9::float8) / 1e9::float8 AS p, sum(n) AS n, sum(yes)::float8 / sum(n) AS observed
    FROM by_value GROUP BY expert_id, 2
), m AS (
    SELECT g.expert_id,
           sum(g.n * (g.p - g.observed) ^ 2) / min(a.scored) AS reliability,
           sum(g.n * (g.observed - a.base_rate) ^ 2) / min(a.scored) AS resolution,
           min(a.base_rate * (1 - a.base_rate)) AS uncertainty
    FROM groups g JOIN a USING (expert_id) GROUP BY g.expert_id
), {counts_ctes}, experts AS ({experts})"""
    joins = """
FROM experts e
LEFT JOIN a ON a.expert_id = e.expert_id
LEFT JOIN cal ON cal.expert_id = e.expert_id
LEFT JOIN m ON m.expert_id = e.expert_id
LEFT JOIN counts k ON k.expert_id = e.expert_id"""
    return ctes, values, joins


def expert_rows_sql(expert_ids=None):
    """One statement writing the ExpertScore rows of these experts (None: every expert with a claim),
    upserted: every registry column, counts, calibration bins, Murphy decomposition."""
    counts = f"""pairs AS (
    -- The expert's distinct questions, in the order of the (expert, question, …) index: read from it alone.
    SELECT DISTINCT ON (expert_id, question_id) expert_id, question_id FROM {_CLAIM}
    WHERE TRUE {_ids_filter("expert_id", expert_ids)} ORDER BY expert_id, question_id
), counts AS (
    -- By the question's resolution alone: late (resolved YES or NO, no claim on or before the deadline) is
    -- the expert's questions resolved YES or NO less those scored.
    SELECT expert_id,
           count(*) FILTER (WHERE r.outcome IS NULL) AS open,
           count(*) FILTER (WHERE r.outcome NOT IN ('{_YES}', '{_NO}')) AS unscorable,
           count(*) FILTER (WHERE r.outcome IN ('{_YES}', '{_NO}')) AS resolved
    FROM pairs LEFT JOIN {_RESOLUTION} r USING (question_id) GROUP BY expert_id
)"""
    experts = ("SELECT expert_id FROM counts" if expert_ids is None
               else f"SELECT id AS expert_id FROM {_EXPERT} WHERE id = ANY(%(ids)s)")
    ctes, values, joins = _expert_row_parts(
        f"SELECT * FROM {_QUESTION_SCORE} WHERE TRUE {_ids_filter('expert_id', expert_ids)}",
        counts, "coalesce(k.resolved, 0) - coalesce(a.scored, 0)", experts,
    )
    values.append(("updated_at", "now()"))
    names = [name for name, _ in values]
    return f"""{ctes}
INSERT INTO {_EXPERT_SCORE} (expert_id, {", ".join(names)})
SELECT e.expert_id, {", ".join(expression for _, expression in values)}{joins}
ON CONFLICT (expert_id) DO UPDATE SET {", ".join(f"{n} = EXCLUDED.{n}" for n in names)}
"""


def subset_expert_rows_sql(*, topic=False, made_after=False, made_before=False):
    """A SELECT of the per-expert rows over a subset of claims, as the filtered leaderboard shows them
    (forecasts.selectors.leaderboard_entries): the question scores whose counting claim is in the subset,
    the open/unscorable/late counts of the subset's claims, every expert with a claim in it.

    Each flag adds its condition, with the parameters %(topic)s, %(made_after)s, %(made_before)s.
    """
    claim_filter = "".join([
        " AND c.made_on >= %(made_after)s" if made_after else "",
        " AND c.made_on <= %(made_before)s" if made_before else "",
        f" AND c.question_id IN (SELECT question_id FROM {_QUESTION_TOPICS} WHERE topic_id = %(topic)s)" if topic else "",
    ])
    counts = f"""pairs AS (
    SELECT c.expert_id, c.question_id, bool_or(c.made_on <= q.deadline) AS in_time
    FROM {_CLAIM} c JOIN {_QUESTION} q ON q.id = c.question_id
    WHERE TRUE{claim_filter} GROUP BY c.expert_id, c.question_id
), counts AS (
    -- As score_table.question_counts: late = questions resolved YES or NO with no claim of the subset on or
    -- before the deadline.
    SELECT expert_id,
           count(*) FILTER (WHERE r.outcome IS NULL) AS open,
           count(*) FILTER (WHERE r.outcome NOT IN ('{_YES}', '{_NO}')) AS unscorable,
           count(*) FILTER (WHERE r.outcome IN ('{_YES}', '{_NO}') AND NOT in_time) AS late
    FROM pairs LEFT JOIN {_RESOLUTION} r USING (question_id) GROUP BY expert_id
)"""
    ctes, values, joins = _expert_row_parts(
        f"SELECT s.* FROM {_QUESTION_SCORE} s JOIN {_CLAIM} c ON c.id = s.claim_id WHERE TRUE{claim_filter}",
        counts, "coalesce(k.late, 0)", "SELECT DISTINCT expert_id FROM pairs",
    )
    return f"""{ctes}
SELECT e.expert_id, {", ".join(f"{expression} AS {name}" for name, expression in values)}{joins}
"""


def subset_expert_rows(*, topic=None, made_after=None, made_before=None):
    """{expert_id: unsaved ExpertScore} over a subset of claims (subset_expert_rows_sql), in one statement."""
    sql = subset_expert_rows_sql(topic=topic is not None, made_after=made_after is not None,
                                 made_before=made_before is not None)
    params = {"topic": getattr(topic, "pk", topic), "made_after": made_after, "made_before": made_before}
    with connection.cursor() as cursor:
        cursor.execute(_SETTINGS + sql, params)
        names = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    # Read as a query of the model would read them (the calibration JSON arrives as text).
    fields = {field.attname: field for field in ExpertScore._meta.concrete_fields}
    converters = {name: fields[name].from_db_value for name in names if hasattr(fields[name], "from_db_value")}
    return {
        row[0]: ExpertScore(**{
            name: converters[name](value, None, connection) if name in converters else value
            for name, value in zip(names, row)
        })
        for row in rows
    }


def write_question_rows(question_ids):
    """Insert the QuestionScore and PanelScore rows of these questions (their stale rows deleted first)."""
    with connection.cursor() as cursor:
        cursor.execute(_settings(question_ids) + question_rows_sql(question_ids), _params(question_ids))
        return cursor.rowcount


_SECONDARY_INDEXES = """
SELECT x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid) FROM pg_index x
WHERE x.indrelid = %(table)s::regclass AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
"""
# The primary key and unique constraints: dropped and added again by name (as Django's migrations know them),
# unless a foreign key depends on one (then it stays, maintained row by row).
_KEY_CONSTRAINTS = """
SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
WHERE c.conrelid = %(table)s::regclass AND c.contype IN ('p', 'u')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
"""


def _drop_indexes(cursor, table):
    """Drop the secondary indexes and key constraints of an (empty) table; returns the statements that
    build them again."""
    cursor.execute(_SECONDARY_INDEXES, {"table": table})
    indexes = cursor.fetchall()
    cursor.execute(_KEY_CONSTRAINTS, {"table": table})
    constraints = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    for name, _ in constraints:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    return ([definition for _, definition in indexes]
            + [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}" for name, definition in constraints])


def rebuild_question_rows():
    """Replace every QuestionScore and PanelScore row, as a bulk load: both tables emptied (TRUNCATE), the
    score table's indexes and key constraints dropped, and built again after the insert (one sorted build per
    index is several times faster than half a million insertions into each). All in the caller's transaction:
    readers of the two tables wait until it ends, and a failure leaves them as they were. Returns the number
    of QuestionScore rows."""
    with connection.cursor() as cursor:
        # TRUNCATE refuses a table with foreign-key checks still pending from earlier writes in the transaction:
        # run them now (they would run at COMMIT), then defer again as Django's constraints are.
        cursor.execute(f"SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED; "
                       f"TRUNCATE {_PANEL_SCORE}, {_QUESTION_SCORE}")
        # PanelScore (a tenth of the rows) keeps its primary key: little to gain.
        rebuilds = _drop_indexes(cursor, _QUESTION_SCORE)
        cursor.execute(_BULK_SETTINGS + question_rows_sql(), {})
        rows = cursor.rowcount
        # Derived rows a rebuild can always write again: COMMIT need not wait for their WAL to reach the disk.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL synchronous_commit = off")
        for statement in rebuilds:
            cursor.execute(statement)
        return rows


def write_expert_rows(expert_ids=None):
    """Write (upsert) the ExpertScore rows of these experts (None: every expert with a claim)."""
    if expert_ids is not None and not expert_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_settings(expert_ids) + expert_rows_sql(expert_ids), _params(expert_ids))
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
