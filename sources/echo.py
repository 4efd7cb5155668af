"""Input quoted back in an error message, cut to a readable length (a reply never repeats a huge value)."""

ECHO_LIMIT = 80


def echoed(value, limit=ECHO_LIMIT):
    """repr() of `value` as text, its first `limit` characters only, with "…" when it was longer."""
    text = str(value)
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}…"
