"""Imports go through the same intake rule: a quote not in the source's text is a row error on
`quote`, and imported claims get their offsets."""

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forecasts import services
from forecasts.models import Claim
from forecasts.resources import ClaimResource
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
TEXT = "Intro.\n\nLukin: “Kim will likely visit,” he said. It is doubtful."


@pytest.fixture
def setup():
    default_scale(likely=0.675)
    ExpertFactory(slug="lukin")
    QuestionFactory(slug="summit")
    return SourceFactory(slug="panel", article_text=TEXT)


def _import(text):
    return ClaimResource().import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)


def test_an_imported_claim_gets_its_offsets(setup):
    result = _import('expert,question,source,quote,hedge\nlukin,summit,panel,"""Kim will likely visit,""",likely\n')
    assert not result.invalid_rows, [(row.number, row.error_dict) for row in result.invalid_rows]
    claim = Claim.objects.get()
    assert TEXT[claim.quote_start:claim.quote_end] == "“Kim will likely visit,”"


def test_a_quote_not_in_the_text_is_a_row_error_on_quote_and_nothing_is_written(setup):
    result = _import("expert,question,source,quote,hedge\nlukin,summit,panel,Intro.,likely\nlukin,summit,panel,Kim will surely visit,likely\n")
    [row] = result.invalid_rows
    assert row.number == 3 and "not in the source's article text" in row.error_dict["quote"][0]
    assert not Claim.objects.exists()


def test_an_updated_quote_moves_its_offsets(setup):
    claim = services.record_claim(question=QuestionFactory(slug="other"), expert=ExpertFactory(slug="x"), source=setup,
                                  quote="Intro.", probability=0.2, external_id="k-1")
    result = _import("external_id,expert,question,source,quote,probability\nk-1,x,other,panel,It is doubtful.,0.2\n")
    assert result.totals["update"] == 1
    claim.refresh_from_db()
    assert TEXT[claim.quote_start:claim.quote_end] == "It is doubtful."


def test_checking_quotes_adds_no_query_per_row(setup):
    row = "lukin,summit,panel,Intro.,likely\n"
    with CaptureQueriesContext(connection) as one:
        ClaimResource().import_data(tablib.Dataset().load("expert,question,source,quote,hedge\n" + row, format="csv"), dry_run=True)
    with CaptureQueriesContext(connection) as many:
        ClaimResource().import_data(tablib.Dataset().load(
            "expert,question,source,quote,hedge,external_id\n" + "".join(
                f"lukin,summit,panel,Intro.,likely,e{i}\n" for i in range(10)), format="csv"), dry_run=True)
    assert len(many) - len(one) < 10, [q["sql"] for q in many.captured_queries]
