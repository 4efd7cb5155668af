"""/hedges/: the hedge dictionary — the scale in use, the other scales, and how each phrase performed."""

from django.shortcuts import render

from forecasts import read_model, selectors_hedges
from forecasts.constants import Side
from forecasts.hedges import probability_of_yes
from forecasts.views import public_page

# Two claims from the seed corpus (nknews, 19 April 2019): one about each side of its question. The
# probabilities shown are read from the default scale, as services.record_claim derives them.
SIDE_EXAMPLES = [
    {
        "question": "Will Russia unilaterally ease or stop enforcing any UN sanctions on North Korea "
        "by 31 December 2019?",
        "quote": "Moscow can hardly afford to undermine its authority even for the sake of friendship with Kim.",
        "proposition": "Russia relaxes its enforcement of the sanctions",
        "phrase": "hardly",
        "side": Side.YES,
    },
    {
        "question": "Will Russia give North Korea substantial economic help (beyond limited humanitarian aid) "
        "by 31 December 2019?",
        "quote": "Even if Moscow agrees to provide some economic help to the North, it will be quite limited.",
        "proposition": "any Russian help stays limited",
        "phrase": "will",
        "side": Side.NO,
    },
]


def side_examples(probabilities):
    """SIDE_EXAMPLES with the scale's probability of each phrase (`value`) and the p(YES) it gives,
    leaving out an example whose phrase the scale does not list."""
    return [
        {**example, "value": probabilities[example["phrase"]],
         "p_yes": probability_of_yes(probabilities[example["phrase"]], example["side"])}
        for example in SIDE_EXAMPLES
        if example["phrase"] in probabilities
    ]


@public_page
def hedge_dictionary(request):
    """The default hedge scale with its provenance, the other scales stored, how each phrase performed
    across every expert, and how a phrase about the NO side becomes p(YES). From the read model (the
    table groups every counting claim: ~0.5 s at a million claims); four queries when it is recomputed."""
    table, other_scales = read_model.cached(read_model.answer_key("hedge-dictionary"), _hedge_dictionary)
    return render(request, "forecasts/hedges.html", {
        "table": table,
        "other_scales": other_scales,
        "examples": side_examples(table.scale.probabilities),
    })


def _hedge_dictionary():
    return selectors_hedges.hedge_table(), selectors_hedges.other_scales()
