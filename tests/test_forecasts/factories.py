import datetime

import factory

from forecasts.constants import Outcome, ProbabilityOrigin
from forecasts.models import Claim, HedgePhrase, HedgeScale, Question, Resolution, Topic
from tests.test_sources.factories import ExpertFactory, SourceFactory


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    title = factory.Sequence(lambda n: f"Will event {n} happen?")
    slug = factory.Sequence(lambda n: f"event-{n}")
    resolution_criteria = "YES if the event happens by the deadline, NO otherwise."
    deadline = datetime.date(2019, 12, 31)


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim written straight to the table (no rescoring): use services to test scoring."""

    class Meta:
        model = Claim

    question = factory.SubFactory(QuestionFactory)
    expert = factory.SubFactory(ExpertFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "It will happen."
    statement = "It will happen."
    hedge = "likely"
    probability = 0.675
    probability_origin = ProbabilityOrigin.HEDGE
    made_on = datetime.date(2019, 4, 19)


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution

    question = factory.SubFactory(QuestionFactory)
    outcome = Outcome.YES
    resolved_at = factory.LazyFunction(lambda: datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))


class HedgeScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HedgeScale
        django_get_or_create = ["slug"]

    slug = "test-default"
    name = "Test scale"
    is_default = True


def default_scale(**phrases):
    """A default hedge scale with the given phrase=probability entries (underscores become spaces)."""
    scale = HedgeScaleFactory()
    for phrase, probability in phrases.items():
        HedgePhrase.objects.update_or_create(
            scale=scale, phrase=phrase.replace("_", " "), defaults={"probability": probability}
        )
    return scale


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")
