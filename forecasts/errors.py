"""Domain errors that are not validation errors."""


class Conflict(Exception):
    """The write clashes with the current state (e.g. resolving a question already resolved)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
