"""What the benchmarks share: the --tiny option, the skip exit code, creating their PostgreSQL database,
and percentiles."""

import socket
import sys

import psycopg2
from psycopg2 import sql

# Exit code of a bench that cannot run here (it needs PostgreSQL, say); "skipped", as in automake's tests.
SKIP_EXIT_CODE = 77


def parse_args_with_tiny(parser, tiny, argv=None):
    """Add --tiny to parser and parse; with --tiny the values in `tiny` (option dest → value) replace the defaults.

    An option given on the command line keeps its value. A tiny run takes seconds and checks that
    the script still works end to end (tests/test_bench runs every bench with --tiny); its figures
    mean nothing.
    """
    parser.add_argument("--tiny", action="store_true",
                        help="Run for seconds on tiny data, to check the script works (figures mean nothing).")
    args = parser.parse_args(argv)
    if args.tiny:
        for name, value in tiny.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    return args


def skip(message):
    """Exit with SKIP_EXIT_CODE, saying why the bench cannot run here."""
    print(f"skipped: {message}", file=sys.stderr, flush=True)
    sys.exit(SKIP_EXIT_CODE)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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

