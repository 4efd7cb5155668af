"""Signals sources sends for writes that bypass the model signals (bulk writes)."""

from django.dispatch import Signal

# Sent (sender=Expert) after experts were inserted or updated in bulk, inside the transaction.
experts_bulk_written = Signal()
