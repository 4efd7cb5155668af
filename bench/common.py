"""What the benchmarks share: creating their PostgreSQL database, percentiles, the --tiny option."""

import psycopg2
from psycopg2 import sql


def create_database_if_missing(db, log):
    """Create the database named in Django's DATABASES entry `db`, unless it exists. Returns True if created."""
    params = {"dbname": "postgres", "user": db.get("USER"), "password": db.get("PASSWORD"),
              "host": db.get("HOST"), "port": db.get("PORT")}
    conn = psycopg2.connect(**{key: value for key, value in params.items() if value})
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone() is not None:
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            log(f"Created database {db['NAME']}.")
            return True
    finally:
        conn.close()


def percentile(values, fraction):
    """The `fraction` quantile (0.5 = median) of values, interpolating linearly; NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def add_tiny_option(parser, help_text):
    """Add --tiny to a benchmark's parser: a run of a few seconds, which CI uses to check that the
    script still runs (the figures of a tiny run mean nothing)."""
    parser.add_argument("--tiny", action="store_true", help=help_text)
