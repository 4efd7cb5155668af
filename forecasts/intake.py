"""One way in for claims: the quote is checked against the source's text and located there.

services.record_claim and services.update_claim (which every path uses: the admin, the API,
imports, the seed loader and accepted suggestions) call `place_quote`; the probability is derived
from the hedge by forecasts.hedges.derive_probability, the only hedge -> p(YES) rule.
`intake_claim` is the upsert the review queue and other callers with a stable key use.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from forecasts.quotes import locate_quote, normalise_quote


def place_quote(source, quote):
    """(start, end) of the quote in the source's article text, or (None, None) when the source has
    no text. Raises ValidationError on `quote` when the text does not contain it."""
    text = getattr(source, "article_text", "") or ""
    if not text.strip():
        return None, None
    span = locate_quote(text, quote)
    if span is None:
        shown = normalise_quote(quote)
        shown = shown if len(shown) <= 80 else shown[:77] + "…"
        raise ValidationError({"quote": [
            f"The quote {shown!r} is not in the source's article text (compared ignoring white space "
            "and the style of quote marks); copy it verbatim from the text."
        ]})
    return span


def quote_offsets_hold(claim_or_suggestion, text):
    """True when the stored offsets still frame the quote in `text` (the text may have been edited)."""
    start, end = claim_or_suggestion.quote_start, claim_or_suggestion.quote_end
    if start is None or end is None or end > len(text):
        return False
    return normalise_quote(text[start:end]) == normalise_quote(claim_or_suggestion.quote)


@transaction.atomic
def intake_claim(*, claim=None, external_id="", user=None, **fields):
    """Record a claim, or change it when `claim` is given or a claim has `external_id` already.

    Takes services.record_claim's fields. Returns the claim.
    """
    from forecasts import services
    from forecasts.models import Claim

    if claim is None and external_id:
        claim = Claim.objects.filter(external_id=external_id).first()
    if claim is None:
        return services.record_claim(**fields, external_id=external_id, user=user)
    return services.update_claim(claim, **fields, user=user)


def refresh_quote_offsets(claims, *, user=None):
    """Locate the quotes of claims whose offsets are missing or stale (after a source's text was
    added or changed). Returns how many claims were changed."""
    from forecasts import services

    changed = 0
    for claim in claims:
        text = claim.source.article_text or ""
        wanted = place_quote(claim.source, claim.quote) if text.strip() else (None, None)
        if (claim.quote_start, claim.quote_end) != tuple(wanted):
            services.update_claim(claim, user=user)
            changed += 1
    return changed


def relocate_source_quotes(source, *, user=None):
    """After a source's text changed: move its claims' offsets to where their quotes now are.

    Raises ValidationError on `article_text` naming the first claim whose quote the new text lacks.
    """
    for claim in source.claims.select_related("source").order_by("pk"):
        claim.source = source
        try:
            refresh_quote_offsets([claim], user=user)
        except ValidationError:
            raise ValidationError({"article_text": [
                f"The text no longer holds the quote of claim {claim.pk} ({normalise_quote(claim.quote)[:60]!r}); "
                "keep the quote in the text, or change the claim first."
            ]}) from None
