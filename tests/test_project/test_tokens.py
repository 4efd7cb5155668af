"""API tokens expire after TOKEN_TTL and die with a password change (API, admin form, command)."""

import datetime
import getpass
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _age(token, days):
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=days))


def test_a_token_is_refused_with_a_clear_401_once_older_than_the_default_30_days(analyst):
    token = Token.objects.create(user=analyst)
    _age(token, 29)
    assert _with_token(token.key).delete("/api/auth/token/").status_code == 204  # still valid at 29 days
    token = Token.objects.create(user=analyst)
    _age(token, 30)
    response = _with_token(token.key).get("/api/questions/")
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "Token expired: tokens last 30 days. POST your username and password to /api/auth/token/ for a new one."
    )
    assert response["WWW-Authenticate"] == "Token"


@override_settings(TOKEN_TTL=datetime.timedelta(days=1))
def test_the_token_lifetime_follows_the_setting_and_an_expired_token_is_replaced_on_request(analyst):
    token = Token.objects.create(user=analyst)
    _age(token, 1)
    assert "tokens last 1 day." in _with_token(token.key).get("/api/questions/").json()["detail"]
    issued = APIClient().post("/api/auth/token/", {"username": "ana", "password": "analyst-pass-1"}, format="json")
    assert issued.status_code == 200 and issued.json()["token"] != token.key
    assert list(Token.objects.values_list("key", flat=True)) == [issued.json()["token"]]
    assert _with_token(issued.json()["token"]).delete("/api/auth/token/").status_code == 204


def test_a_valid_token_is_returned_again_while_it_lasts(analyst):
    token = Token.objects.create(user=analyst)
    issued = APIClient().post("/api/auth/token/", {"username": "ana", "password": "analyst-pass-1"}, format="json")
    assert issued.json() == {"token": token.key}


def test_a_password_change_revokes_the_users_tokens_and_no_one_elses(analyst, admin_user):
    token, other = Token.objects.create(user=analyst), Token.objects.create(user=admin_user)
    analyst.set_password("a-new-analyst-pass-2")
    analyst.save()
    assert not Token.objects.filter(pk=token.pk).exists()
    assert Token.objects.filter(pk=other.pk).exists()
    assert _with_token(token.key).get("/api/questions/").status_code == 401


def test_saving_a_user_without_a_new_password_keeps_the_token(analyst, client):
    token = Token.objects.create(user=analyst)
    analyst.first_name = "Ana"
    analyst.save()
    client.force_login(analyst)  # saves last_login
    assert Token.objects.filter(pk=token.pk).exists()


def test_the_admin_password_form_revokes_the_users_tokens(admin_client, analyst):
    token = Token.objects.create(user=analyst)
    url = reverse("admin:auth_user_password_change", args=[analyst.pk])
    response = admin_client.post(url, {"password1": "a-new-analyst-pass-2", "password2": "a-new-analyst-pass-2"})
    assert response.status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()


def test_the_changepassword_command_revokes_the_users_tokens(analyst, monkeypatch):
    token = Token.objects.create(user=analyst)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "a-new-analyst-pass-2")
    call_command("changepassword", "ana", stdout=io.StringIO())
    analyst.refresh_from_db()
    assert analyst.check_password("a-new-analyst-pass-2")
    assert not Token.objects.filter(pk=token.pk).exists()


def test_token_ttl_is_read_from_the_environment_in_days():
    import subprocess
    import sys

    from django.conf import settings as django_settings

    probe = "import config.settings as s; print(s.TOKEN_TTL.days)"
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "h"}
    results = [
        subprocess.run([sys.executable, "-c", probe], cwd=django_settings.BASE_DIR, env=env | extra, capture_output=True, text=True)
        for extra in ({}, {"TOKEN_TTL": "7"}, {"TOKEN_TTL": "0"})
    ]
    assert [result.stdout.strip() for result in results[:2]] == ["30", "7"], [result.stderr for result in results]
    assert "TOKEN_TTL is the number of days a token lasts" in results[2].stderr
