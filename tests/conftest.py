"""Personas (anonymous, reader, analyst, admin) and API clients shared by every test."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forecasts.services import ensure_analysts_group


@pytest.fixture
def analyst(django_user_model):
    """A member of the Analysts group who can log in to the admin."""
    user = django_user_model.objects.create_user("ana", password="analyst-pass-1", is_staff=True)
    user.groups.add(ensure_analysts_group())
    return user


@pytest.fixture
def reader(django_user_model):
    """A logged-in user outside the Analysts group."""
    return django_user_model.objects.create_user("reader", password="reader-pass-1")


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("boss", password="boss-pass-1")


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def analyst_api(analyst):
    """An API client authenticated as the analyst with a token, as a program would be."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=analyst).key}")
    return client


@pytest.fixture
def reader_api(reader):
    client = APIClient()
    client.force_authenticate(reader)
    return client


@pytest.fixture
def analyst_client(client, analyst):
    """The test client logged in to the admin as the analyst."""
    assert client.login(username="ana", password="analyst-pass-1")
    return client
