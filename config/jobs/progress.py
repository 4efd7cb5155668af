"""Progress of long work, reported the same way by every command, bench script and background job.

Long work says what it is doing through `progress_bar()` (or `track()` over an iterable); it does
not know who listens. Whoever runs it picks the listener for the block with `reporting_to()`:
`terminal(stream)` draws a tqdm bar on a terminal (nothing when the stream is not a TTY, so cron
jobs, pipes and tests print nothing extra); a background job records rows done / total on its
Job row (jobs.runner). Outside such a block a bar does nothing and costs a function call.
"""

import contextvars
from contextlib import contextmanager

from tqdm import tqdm

_listener = contextvars.ContextVar("progress_listener", default=None)


class NullBar:
    """A bar nobody watches."""

    def update(self, count=1):
        """Count `count` more units done."""

    def close(self):
        """End the bar."""


class TerminalBar:
    """A tqdm bar on a stream; tqdm draws nothing unless the stream is a TTY (`disable=None`)."""

    def __init__(self, stream, *, total, description, unit):
        self._bar = tqdm(total=total, desc=description, unit=unit, file=stream, disable=None,
                         dynamic_ncols=True, unit_scale=(total or 0) >= 10_000)

    def update(self, count=1):
        self._bar.update(count)

    def close(self):
        self._bar.close()


class Terminal:
    """Draws each bar on `stream` (a command's stderr) when it is a terminal."""

    def __init__(self, stream):
        self.stream = stream

    def start(self, *, total, description, unit):
        return TerminalBar(self.stream, total=total, description=description, unit=unit)


def terminal(stream):
    """A listener drawing bars on `stream` when it is a TTY (a management command's self.stderr)."""
    # A command's OutputWrapper ends every write with a newline; tqdm redraws with "\r".
    return Terminal(getattr(stream, "_out", stream))


@contextmanager
def reporting_to(listener):
    """Within the block, every progress bar is reported to `listener` (None: nobody)."""
    token = _listener.set(listener)
    try:
        yield listener
    finally:
        _listener.reset(token)


@contextmanager
def progress_bar(*, total, description, unit="row"):
    """A bar of `total` units (rows, questions, steps) for the work in the block: call `update(n)`.

    Where one step is one SQL statement, count steps (unit="step") rather than guess at rows.
    """
    listener = _listener.get()
    bar = NullBar() if listener is None else listener.start(total=total, description=description, unit=unit)
    try:
        yield bar
    finally:
        bar.close()


def track(iterable, *, total=None, description, unit="row"):
    """Yield from `iterable`, counting one unit per item (total: len(iterable) when not given)."""
    if total is None:
        total = len(iterable)
    with progress_bar(total=total, description=description, unit=unit) as bar:
        for item in iterable:
            yield item
            bar.update(1)
