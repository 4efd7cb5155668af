"""One way in: every claim's quote is checked against its source's text and located there."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from forecasts import intake, services
from forecasts.constants import ProbabilityOrigin
from forecasts.models import Claim
from forecasts.quotes import normalise_quote
from tests.test_forecasts.factories import QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

ARTICLE = "Kim will visit.\n\nLee: “Putin will likely offer aid,” she said. I doubt that Putin will yield."


@pytest.fixture
def scale():
    return default_scale(likely=0.675, doubt=0.25)


def _claim(source, quote, **extra):
    return services.record_claim(
        question=QuestionFactory(), expert=ExpertFactory(), source=source, quote=quote, hedge="likely", **extra
    )


def test_a_quote_in_the_text_gets_its_offsets(scale):
    source = SourceFactory(article_text=ARTICLE)
    claim = _claim(source, '"Putin will likely offer aid,"')
    assert ARTICLE[claim.quote_start:claim.quote_end] == "“Putin will likely offer aid,”"
    assert claim.probability == 0.675 and claim.probability_origin == ProbabilityOrigin.HEDGE


def test_a_quote_not_in_the_text_is_refused_on_quote_and_nothing_is_written(scale):
    source = SourceFactory(article_text=ARTICLE)
    with pytest.raises(ValidationError) as error:
        _claim(source, "Putin will surely offer aid")
    assert "not in the source's article text" in error.value.message_dict["quote"][0]
    assert Claim.objects.count() == 0


def test_without_a_text_the_quote_is_accepted_with_no_offsets(scale):
    claim = _claim(SourceFactory(article_text=""), "Anything at all")
    assert (claim.quote_start, claim.quote_end) == (None, None)


def test_changing_the_quote_moves_the_offsets_and_a_wrong_one_is_refused(scale):
    source = SourceFactory(article_text=ARTICLE)
    claim = _claim(source, "Kim will visit.")
    assert (claim.quote_start, claim.quote_end) == (0, 15)
    claim = services.update_claim(claim, quote="I doubt that Putin will yield.")
    assert ARTICLE[claim.quote_start:claim.quote_end] == "I doubt that Putin will yield."
    with pytest.raises(ValidationError) as error:
        services.update_claim(claim, quote="Kim will not visit.")
    assert list(error.value.message_dict) == ["quote"]
    claim.refresh_from_db()
    assert claim.quote == "I doubt that Putin will yield."


def test_intake_claim_upserts_by_external_id(scale):
    source = SourceFactory(article_text=ARTICLE)
    fields = {"question": QuestionFactory(), "expert": ExpertFactory(), "source": source}
    first = intake.intake_claim(**fields, quote="Kim will visit.", hedge="likely", external_id="k-1")
    second = intake.intake_claim(**fields, quote="I doubt that Putin will yield.", hedge="doubt", external_id="k-1")
    assert first.pk == second.pk and Claim.objects.count() == 1
    assert second.probability == 0.25 and second.quote_start == ARTICLE.index("I doubt")


def test_refresh_quote_offsets_after_a_text_is_added(scale):
    source = SourceFactory(article_text="")
    claim = _claim(source, "Kim will visit.")
    source.article_text = "Intro. " + ARTICLE
    source.save()
    assert intake.refresh_quote_offsets(Claim.objects.select_related("source")) == 1
    claim.refresh_from_db()
    assert (claim.quote_start, claim.quote_end) == (7, 22)


def test_every_seeded_claim_has_offsets_framing_its_quote(seed_corpus):
    claims = list(Claim.objects.select_related("source"))
    assert len(claims) == 102
    for claim in claims:
        assert claim.quote_start is not None, claim.external_id
        text = claim.source.article_text
        assert normalise_quote(text[claim.quote_start:claim.quote_end]) == normalise_quote(claim.quote), claim.external_id


def test_the_source_page_highlights_each_quote_linked_to_its_claim(client, scale):
    source = SourceFactory(article_text=ARTICLE + "\n\n<script>x</script>")
    claim = _claim(source, "I doubt that Putin will yield.", made_on=datetime.date(2019, 4, 19))
    body = client.get(source.get_absolute_url()).content.decode()
    assert (
        f'<mark id="quote-{claim.pk}" title="{claim.expert.name} on: {claim.question.title}">'
        f'<a href="{claim.get_absolute_url()}">I doubt that Putin will yield.</a></mark>'
    ) in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x" not in body
    assert 'class="article-text' in body


def test_the_api_refuses_a_quote_not_in_the_text_naming_quote(analyst_api, scale):
    source = SourceFactory(article_text=ARTICLE)
    data = {"question": QuestionFactory().pk, "expert": ExpertFactory().slug, "source": source.pk,
            "quote": "Putin will surely offer aid", "hedge": "likely"}
    response = analyst_api.post("/api/claims/", data, format="json")
    assert response.status_code == 400 and list(response.json()) == ["quote"], response.json()
    data["quote"] = "Putin will likely offer aid"
    response = analyst_api.post("/api/claims/", data, format="json")
    assert response.status_code == 201, response.json()
    assert ARTICLE[response.json()["quote_start"]:response.json()["quote_end"]] == "Putin will likely offer aid"
