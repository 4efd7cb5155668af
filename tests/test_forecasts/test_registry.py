"""Every score of the registry reaches every place scores are stored and shown, by name."""

import csv
import io
import math
from statistics import fmean, stdev

import pytest

from forecasts import score_display, selectors, services
from forecasts.constants import Outcome
from forecasts.models import ExpertScore, PanelScore, QuestionScore
from forecasts.score_table import _COPY_COLUMNS
from forecasts.scoring import registry
from tests.test_forecasts.factories import QuestionFactory
from tests.test_sources.factories import ExpertFactory, SourceFactory


def _columns(model):
    return {field.name for field in model._meta.get_fields()}


def test_every_score_has_its_columns_on_the_score_tables():
    for score in registry.SCORES:
        assert score.name in _columns(QuestionScore) and score.name in _columns(PanelScore)
        assert score.name in _COPY_COLUMNS
        assert {score.name, *score.interval_names} <= _columns(ExpertScore)
        if score.count_name:
            assert score.count_name in _columns(ExpertScore)


def test_every_score_has_its_sql_spelling_for_the_set_based_tables():
    # forecasts.score_sql builds the PostgreSQL score tables from these; test_score_sql proves them equal.
    for score in registry.SCORES:
        assert score.sql, f"{score.name} has no SQL spelling (Score.sql)"
        assert bool(score.interval) == bool(score.interval_sql), f"{score.name}: an interval without its SQL"


def test_rankable_scores_are_leaderboard_orders_with_their_direction():
    for score in registry.SCORES:
        if score.rankable:
            assert selectors.LEADERBOARD_ORDERS[score.name] == (score.name, score.higher_is_better)
        else:
            assert score.name not in selectors.LEADERBOARD_ORDERS


def test_a_score_aggregates_the_same_from_values_and_from_moments():
    values = [0.04, None, 0.36, 0.01]  # None: the score does not apply to that question
    for score in registry.SCORES:
        present = [value for value in values if value is not None]
        direct = score.aggregate(values)
        from_moments = score.aggregate_moments(len(present), fmean(present), stdev(present))
        assert direct == pytest.approx(from_moments)
        assert direct[score.name] == pytest.approx((0.04 + 0.36 + 0.01) / 3)
        if score.count_name:
            assert direct[score.count_name] == 3


def test_relative_brier_is_own_brier_minus_the_panel_medians():
    # Four forecasts of a YES: median (0.6 + 0.8) / 2 = 0.7, panel Brier 0.09.
    values = registry.get("relative_brier").per_question([0.8, 0.8, 0.6, 0.3], 1)
    assert values == pytest.approx([0.04 - 0.09, 0.04 - 0.09, 0.16 - 0.09, 0.49 - 0.09])
    assert registry.get("relative_brier").per_question([0.8], 1) == [None]


@pytest.mark.django_db
def test_every_score_reaches_the_api_the_csv_the_page_and_the_admin(client, admin_user):
    source = SourceFactory()
    ann, ben = ExpertFactory(slug="ann"), ExpertFactory(slug="ben")
    question = QuestionFactory()
    services.record_claim(question=question, expert=ann, source=source, quote="q", probability=0.8)
    services.record_claim(question=question, expert=ben, source=source, quote="q", probability=0.4)
    services.resolve_question(question=question, outcome=Outcome.YES)

    scores = client.get("/api/experts/ann/scores/").json()
    leaderboard = client.get("/api/leaderboard/").json()["results"][0]["scores"]
    header = next(csv.reader(io.StringIO(client.get("/leaderboard.csv").content.decode())))
    page = client.get("/").content.decode()
    client.force_login(admin_user)
    admin_page = client.get(f"/admin/sources/expert/{ann.pk}/change/").content.decode()
    for score in registry.SCORES:
        assert score.name in scores and score.name in leaderboard
        expected = 0.04 if score.name == "brier" else None
        value = scores[score.name]["value"] if score.nested else scores[score.name]
        assert value is not None and (expected is None or value == pytest.approx(expected))
        assert score.name in header
        assert score.label in page
        assert score.label in admin_page
    assert scores["relative_brier"]["value"] == pytest.approx(0.04 - (0.6 - 1) ** 2)  # panel median 0.6
    assert math.isclose(scores["brier_skill"], 1 - 0.04 / 0.25)
