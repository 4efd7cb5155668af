import datetime

import factory

from sources.models import Expert, Source


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"Expert {n}")
    slug = factory.Sequence(lambda n: f"expert-{n}")
    affiliation = "Institute of Foresight"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    publisher = "The Gazette"
    url = factory.Sequence(lambda n: f"https://example.org/articles/{n}")
    published_on = datetime.date(2019, 4, 19)
