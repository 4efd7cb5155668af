"""Admin history pages show old versions and never write them back, for analysts and superusers alike."""

import re

import pytest
from django.contrib import admin
from django.forms import BooleanField
from django.urls import reverse

from forecasts import services
from tests.test_forecasts.factories import ClaimFactory, QuestionFactory, ResolutionFactory
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _source_with_author():
    source = SourceFactory()
    source.authors.set([ExpertFactory()])
    return source


# One object of each model with a history; a model given a history later must be added here.
FACTORIES = {
    "sources.expert": lambda: ExpertFactory(links=["https://example.org/a"]),
    "sources.source": _source_with_author,
    "forecasts.question": QuestionFactory,
    "forecasts.claim": ClaimFactory,
    "forecasts.resolution": ResolutionFactory,
}
# Text fields a POST changes, so that a saved form would show in the snapshot.
FREE_TEXT = {"title", "name", "affiliation", "bio", "publisher", "excerpt", "notes", "resolution_criteria",
             "deadline_note", "quote", "statement", "probability_note", "note"}


def _models_with_history():
    return [model for model in admin.site._registry if hasattr(model._meta, "simple_history_manager_attribute")]


def _snapshot(model):
    """Every row of the model and its history table, as plain values."""
    return (
        sorted(map(repr, model.objects.values_list())),
        sorted(map(repr, model.history.values_list())),
    )


def _valid_post(form):
    """The form's current values, each text field changed, as a browser would POST them."""
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if hasattr(field.widget, "widgets"):  # a date and a time input for one datetime
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = str(part)
            continue
        if isinstance(field, BooleanField):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(item) for item in value]
            continue
        value = "" if value is None else str(value)
        if name in FREE_TEXT:
            value += " (from an old version)"
        data[name] = value
    return data


def test_every_model_with_history_is_covered():
    labels = {model._meta.label_lower for model in _models_with_history()}
    assert labels == set(FACTORIES)


@pytest.mark.parametrize("persona", ["analyst", "admin_user"])
def test_posting_an_old_version_changes_nothing_on_any_model(client, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for model in _models_with_history():
        obj = FACTORIES[model._meta.label_lower]()
        record = model.history.filter(**{model._meta.pk.attname: obj.pk}).latest("history_date")
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history", args=[obj.pk, record.history_id])
        shown = client.get(url)
        assert shown.status_code == 200, model
        data = _valid_post(shown.context["adminform"].form)
        before = _snapshot(model)
        response = client.post(url, data)
        assert response.status_code == 405, (model, response.status_code)
        assert response["Allow"] == "GET, HEAD"
        assert _snapshot(model) == before, model


def test_history_list_shows_a_dash_not_none_where_no_reason_or_user_is_recorded(admin_client):
    question = QuestionFactory()
    services.update_question(question, title="Will event X happen at all?")
    page = admin_client.get(reverse("admin:forecasts_question_history", args=[question.pk])).content.decode()
    table = page[page.index('id="change-history"'):page.index("</table>", page.index('id="change-history"'))]
    cells = [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", table, re.S)]
    assert "None" not in cells
    assert cells.count("—") >= 2  # no user, no reason on the factory-made version


def test_a_500_character_reason_is_kept_whole_in_the_history(analyst_api, admin_client):
    question = QuestionFactory()
    services.resolve_question(question=question, outcome="yes")
    reason = "The first report was retracted; " + "x" * 468
    assert len(reason) == 500
    response = analyst_api.patch(f"/api/questions/{question.pk}/resolve/", {"outcome": "no", "reason": reason}, format="json")
    assert response.status_code == 200, response.content
    history = analyst_api.get(f"/api/questions/{question.pk}/history/").json()
    assert history[0]["outcome"] == "no" and history[0]["reason"] == reason
    page = admin_client.get(reverse("admin:forecasts_question_history", args=[question.pk]))
    assert reason in page.content.decode()
