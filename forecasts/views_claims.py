"""A claim's own page: a plain view reading through forecasts.selectors_claims."""

from django.shortcuts import render

from forecasts import selectors_claims
from forecasts.views import public_page


@public_page
def claim_detail(request, pk):
    """One claim: the quote in context, who said it where, how the hedge became p(YES), the outcome and its scores."""
    return render(request, "forecasts/claim_detail.html", {"page": selectors_claims.claim_for_page(pk)})
