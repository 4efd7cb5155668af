"""An expert's links are a list of http(s) URLs, by the same rule in the admin, the API and the services."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sources import services
from sources.links import validate_links
from sources.models import Expert
from tests.test_sources.factories import ExpertFactory

pytestmark = pytest.mark.django_db

GOOD = ["https://example.org/ann", "http://example.org/ann?x=1"]
BAD = [
    pytest.param(["javascript:alert(1)"], "is not an http or https URL", id="javascript"),
    pytest.param("https://example.org/ann", "Give a list of URLs", id="bare-string"),
    pytest.param(["ftp://example.org/ann"], "is not an http or https URL", id="ftp"),
    pytest.param([42], "is not a URL", id="number"),
    pytest.param({"home": "https://example.org"}, "Give a list of URLs", id="mapping"),
    pytest.param(["https://example.org/" + "x" * 490], "at most 500 characters", id="too-long"),
]


@pytest.fixture
def analyst_client(client, analyst):
    assert client.login(username="ana", password="analyst-pass-1")
    return client


def test_a_list_of_web_urls_is_valid():
    validate_links(GOOD)
    validate_links([])


@pytest.mark.parametrize("links, message", BAD)
def test_the_service_refuses_bad_links_on_the_links_field(links, message):
    with pytest.raises(ValidationError) as error:
        services.create_expert(name="Ann Example", links=links)
    assert message in error.value.message_dict["links"][0]
    assert not Expert.objects.exists()


def _expert_form(expert, links):
    import json

    return {"name": expert.name, "slug": expert.slug, "affiliation": "", "bio": "", "links": json.dumps(links),
            "claims-TOTAL_FORMS": "0", "claims-INITIAL_FORMS": "0", "claims-MIN_NUM_FORMS": "0",
            "claims-MAX_NUM_FORMS": "0"}


@pytest.mark.parametrize("links, message", BAD)
def test_the_admin_refuses_bad_links_with_an_error_on_the_links_field(analyst_client, links, message):
    expert = ExpertFactory(links=GOOD)
    response = analyst_client.post(reverse("admin:sources_expert_change", args=[expert.pk]), _expert_form(expert, links))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors["links"][0]
    expert.refresh_from_db()
    assert expert.links == GOOD


def test_the_admin_saves_good_links(analyst_client):
    expert = ExpertFactory()
    response = analyst_client.post(reverse("admin:sources_expert_change", args=[expert.pk]), _expert_form(expert, GOOD))
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.links == GOOD


@pytest.mark.parametrize("links, message", BAD)
def test_the_api_refuses_bad_links_naming_the_field(analyst_api, links, message):
    response = analyst_api.post("/api/experts/", {"name": "Ann Example", "links": links}, format="json")
    assert response.status_code == 400
    assert "links" in response.json()
    assert not Expert.objects.exists()


def test_the_api_and_the_admin_give_the_same_reason_for_a_javascript_link(analyst_api):
    body = analyst_api.post("/api/experts/", {"name": "Ann", "links": ["javascript:alert(1)"]}, format="json").json()
    assert "'javascript:alert(1)' is not an http or https URL." in str(body["links"])
