"""The embeddable expert scorecard: /experts/<slug>/card.svg, a standalone SVG image."""

import hashlib

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from forecasts import card, selectors_card

CARD_MAX_AGE = 3600  # an hour: blogs and newsletters embed it; scores change only when an analyst writes


def expert_card_svg(request, slug):
    """The expert's name, scored count, Brier with its 95 % interval and rank, as image/svg+xml.

    Cacheable for an hour by anyone, with an ETag (of the image) and Last-Modified (the latest score
    change), so a conditional request gets a 304. Static markup only (no script, no external
    reference, no style element), so it renders under any content security policy.
    """
    read = selectors_card.expert_card_read(slug)
    scores = read.scores
    drawn = card.expert_card(
        name=read.expert.name, scored=scores.scored, brier=scores.brier,
        ci_low=scores.brier_ci_low, ci_high=scores.brier_ci_high, rank=read.rank, ranked_count=read.ranked_count,
    )
    body = render_to_string("forecasts/expert_card.svg", {"card": drawn}).encode()
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    last_modified = int(read.last_modified.timestamp()) if read.last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=CARD_MAX_AGE)
    # Embedded on other sites: allow any page to show it, but never run anything inside it.
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
