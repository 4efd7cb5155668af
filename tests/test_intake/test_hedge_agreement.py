"""The engine's Django-free hedge rule and forecasts.hedges (the one rule claims use) agree."""

import pytest
from django.conf import settings

from forecasts.constants import Side
from forecasts.hedges import derive_probability, normalise_hedge
from forecasts.suggest import hedging, seed_reader
from tests.test_forecasts.factories import default_scale

SCALE = seed_reader.default_hedge_scale(str(settings.BASE_DIR / "seeds"))


@pytest.mark.parametrize("phrase", sorted(SCALE))
def test_both_normalisers_keep_every_scale_phrase(phrase):
    assert normalise_hedge(phrase) == hedging.normalise_hedge(phrase) == phrase


@pytest.mark.django_db
@pytest.mark.parametrize("negated", [False, True])
def test_both_give_the_same_p_yes_for_every_scale_phrase(negated):
    default_scale(**{phrase.replace(" ", "_"): value for phrase, value in SCALE.items()})
    for phrase, value in SCALE.items():
        engine_p, _ = hedging.yes_probability(value, negated)
        claim_p = derive_probability(f"I {phrase}.", Side.NO if negated else Side.YES)
        assert engine_p == pytest.approx(claim_p, abs=1e-4), phrase
