"""An analyst's day in the admin: the due queue, history, import and export."""

import datetime
import io

import pytest
import tablib
from django.core.management import call_command
from django.urls import reverse

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Claim, Question, Resolution
from forecasts.resources import ClaimResource, QuestionResource
from sources.models import Expert, Source
from sources.resources import ExpertResource, SourceResource
from tests.test_forecasts.factories import QuestionFactory
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
PAST = datetime.date(2019, 1, 1)
FUTURE = datetime.date.today() + datetime.timedelta(days=30)


def test_the_admin_index_shows_how_many_questions_are_due_with_a_link(analyst_client):
    QuestionFactory(deadline=PAST, title="Overdue one")
    QuestionFactory(deadline=PAST - datetime.timedelta(days=10), title="Older overdue")
    QuestionFactory(deadline=FUTURE, title="Not due yet")
    resolved = QuestionFactory(deadline=PAST)
    services.resolve_question(question=resolved, outcome=Outcome.YES)
    html = analyst_client.get(reverse("admin:index")).content.decode()
    assert "2 questions</strong> past their deadline" in html
    assert "/admin/forecasts/question/?due=yes" in html


def test_the_due_filter_lists_overdue_questions_oldest_first_and_one_is_resolved_from_it(analyst_client, analyst):
    newer = QuestionFactory(deadline=PAST, title="Newer overdue")
    older = QuestionFactory(deadline=PAST - datetime.timedelta(days=10), title="Older overdue")
    QuestionFactory(deadline=FUTURE, title="Not due yet")
    changelist = reverse("admin:forecasts_question_changelist")
    page = analyst_client.get(changelist + "?due=yes")
    titles = [question.title for question in page.context["cl"].result_list]
    assert titles == ["Older overdue", "Newer overdue"]

    done = analyst_client.post(changelist + "?due=yes", {
        "action": "resolve_selected", "_selected_action": [older.pk], "apply": "1",
        "outcome": "no", "evidence_url": "https://example.org/evidence", "note": "Did not happen.",
    })
    assert done.status_code == 302
    assert Resolution.objects.get(question=older).resolved_by == analyst
    page = analyst_client.get(changelist + "?due=yes")
    assert [question.pk for question in page.context["cl"].result_list] == [newer.pk]


def test_due_questions_command_lists_id_title_deadline_and_claims(scale, capsys):
    question = QuestionFactory(deadline=PAST, title="Overdue one")
    services.record_claim(question=question, expert=ExpertFactory(), source=SourceFactory(), quote="q", hedge="likely")
    QuestionFactory(deadline=FUTURE)
    out = io.StringIO()
    call_command("due_questions", stdout=out)
    assert out.getvalue().splitlines() == [f"{question.pk}\t2019-01-01\t1 claim\tOverdue one", "1 question due for resolution."]


def test_the_resolve_form_shows_the_criteria_and_resolved_criteria_cannot_be_edited(analyst_client):
    question = QuestionFactory(resolution_criteria="YES if the bridge opens to traffic.")
    services.resolve_question(question=question, outcome=Outcome.YES)
    url = reverse("admin:forecasts_question_change", args=[question.pk])
    html = analyst_client.get(url).content.decode()
    assert 'id="resolution-criteria"' in html and "YES if the bridge opens to traffic." in html
    form = analyst_client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update({
        "title": question.title, "slug": question.slug, "deadline": question.deadline.isoformat(),
        "resolution_criteria": "YES if anything happens.", "topics": [],
        "resolution-TOTAL_FORMS": "1", "resolution-INITIAL_FORMS": "1", "resolution-MIN_NUM_FORMS": "0",
        "resolution-MAX_NUM_FORMS": "1", "resolution-0-id": question.resolution.pk, "resolution-0-question": question.pk,
        "resolution-0-outcome": "yes", "resolution-0-evidence_url": "", "resolution-0-note": "",
        "claims-TOTAL_FORMS": "0", "claims-INITIAL_FORMS": "0", "claims-2-TOTAL_FORMS": "0", "claims-2-INITIAL_FORMS": "0",
    })
    response = analyst_client.post(url, data)
    assert response.status_code == 200
    assert "Unresolve it first" in response.content.decode()
    question.refresh_from_db()
    assert question.resolution_criteria == "YES if the bridge opens to traffic."


def test_history_over_the_api_shows_who_changed_the_outcome_and_why(analyst_api):
    question = QuestionFactory()
    url = f"/api/questions/{question.pk}/resolve/"
    analyst_api.post(url, {"outcome": "yes", "evidence_url": "https://example.org/1"}, format="json")
    analyst_api.patch(url, {"outcome": "no", "reason": "The report was retracted."}, format="json")
    entries = analyst_api.get(f"/api/questions/{question.pk}/history/").json()
    resolution_entries = [entry for entry in entries if entry["record"] == "resolution"]
    assert [(e["action"], e["outcome"], e["by"], e["reason"]) for e in resolution_entries] == [
        ("changed", "no", "ana", "The report was retracted."), ("created", "yes", "ana", ""),
    ]
    assert {"field": "outcome", "old": "yes", "new": "no"} in resolution_entries[0]["changes"]
    assert entries[-1]["record"] == "question" and entries[-1]["action"] == "created"


def test_claim_history_over_the_api_lists_field_changes(analyst_api, scale):
    claim = services.record_claim(question=QuestionFactory(), expert=ExpertFactory(), source=SourceFactory(), quote="q", hedge="likely")
    analyst_api.patch(f"/api/claims/{claim.pk}/", {"hedge": "doubt"}, format="json")
    newest = analyst_api.get(f"/api/claims/{claim.pk}/history/").json()[0]
    assert (newest["action"], newest["by"], newest["probability"]) == ("changed", "ana", 0.25)
    assert {"field": "hedge", "old": "likely", "new": "doubt"} in newest["changes"]


def test_the_question_history_page_shows_the_resolution_history_with_the_analysts_name(analyst_client, analyst):
    question = QuestionFactory()
    services.resolve_question(question=question, outcome=Outcome.YES, resolved_by=analyst)
    services.change_resolution(question=question, outcome=Outcome.NO, reason="Misread the report.", changed_by=analyst)
    html = analyst_client.get(reverse("admin:forecasts_question_history", args=[question.pk])).content.decode()
    section = html[html.index('id="resolution-history"'):]
    assert "Misread the report." in section and "ana" in section and "No" in section


def _claims_csv(rows):
    header = "expert,question,source,quote,hedge,probability"
    return "\n".join([header, *rows]) + "\n"


def test_a_claims_csv_with_one_bad_row_writes_nothing_and_names_the_row(scale):
    expert = ExpertFactory(slug="lukin", name="Artyom Lukin")
    question, _ = QuestionFactory(), SourceFactory(slug="panel")
    data = tablib.Dataset().load(_claims_csv([
        f"lukin,{question.slug},panel,Good row.,likely,",
        f"Artyom Lukin,{question.slug},panel,By exact name.,,0.3",
        f"lukin,{question.slug},panel,Bad row.,perchance,",
    ]), format="csv")
    result = ClaimResource().import_data(data, dry_run=False)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 4  # the file's line: header = line 1
    assert "perchance" in invalid.error_dict["hedge"][0]
    assert Claim.objects.count() == 0
    assert expert.claims.count() == 0


def test_a_claims_csv_finds_experts_by_slug_or_name_and_derives_probabilities(scale):
    ExpertFactory(slug="lukin", name="Artyom Lukin")
    question, _ = QuestionFactory(), SourceFactory(slug="panel", published_on=datetime.date(2019, 4, 19))
    data = tablib.Dataset().load(_claims_csv([
        f"lukin,{question.slug},panel,Good row.,likely,",
        f"Artyom Lukin,{question.slug},panel,By exact name.,,0.3",
    ]), format="csv")
    result = ClaimResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    claims = Claim.objects.order_by("pk")
    assert [(c.expert.slug, c.probability, c.probability_origin, c.made_on) for c in claims] == [
        ("lukin", 0.675, "hedge", datetime.date(2019, 4, 19)),
        ("lukin", 0.3, "analyst", datetime.date(2019, 4, 19)),
    ]


def test_an_unknown_expert_in_a_claims_file_is_reported_by_column(scale):
    question, _ = QuestionFactory(), SourceFactory(slug="panel")
    data = tablib.Dataset().load(_claims_csv([f"nobody,{question.slug},panel,Words.,likely,"]), format="csv")
    result = ClaimResource().import_data(data, dry_run=False)
    [invalid] = result.invalid_rows
    assert "nobody" in invalid.error_dict["expert"][0]
    assert not Claim.objects.exists()


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_exporting_everything_and_importing_into_an_empty_database_reproduces_the_claims(seed_corpus, file_format):
    exported = {resource: resource().export() for resource in (ExpertResource, SourceResource, QuestionResource, ClaimResource)}
    files = {resource: getattr(dataset, file_format) for resource, dataset in exported.items()}

    def snapshot():
        return sorted(
            (c.expert.slug, c.source.slug, c.question.slug, c.quote, c.hedge, c.probability, c.probability_origin, c.made_on)
            for c in Claim.objects.select_related("expert", "source", "question")
        )

    before = snapshot()
    Claim.objects.all().delete()
    Resolution.objects.all().delete()
    Question.objects.update(condition=None, condition_outcome="")  # conditions protect their questions
    Question.objects.all().delete()
    Source.objects.all().delete()
    Expert.objects.all().delete()
    for resource, content in files.items():
        dataset = tablib.Dataset().load(content, format=file_format)
        result = resource().import_data(dataset, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), (resource, result.invalid_rows[:1])
    assert snapshot() == before


def test_the_admin_import_shows_a_preview_with_the_bad_row_before_anything_is_written(analyst_client, scale):
    ExpertFactory(slug="lukin")
    question, _ = QuestionFactory(), SourceFactory(slug="panel")

    def preview(rows):
        upload = io.BytesIO(_claims_csv(rows).encode())
        upload.name = "claims.csv"
        response = analyst_client.post(reverse("admin:forecasts_claim_import"), {
            "resource": "0", "format": "0", "import_file": upload,
        })
        assert response.status_code == 200
        return response.content.decode()

    good = f"lukin,{question.slug},panel,Good row.,likely,"
    html = preview([good])
    assert "process_import" in html and "Good row." in html  # a clean file is offered for confirmation
    html = preview([good, f"lukin,{question.slug},panel,Bad row.,perchance,"])
    assert "perchance" in html and "process_import" not in html  # a bad row: no confirm step
    assert not Claim.objects.exists()


def test_save_and_add_another_claim_from_this_source_prefills_the_source(analyst_client, scale):
    expert, question, source = ExpertFactory(), QuestionFactory(), SourceFactory()
    response = analyst_client.post(reverse("admin:forecasts_claim_add"), {
        "question": question.pk, "expert": expert.pk, "source": source.pk, "quote": "Likely so.",
        "statement": "", "hedge": "likely", "predicts": "yes", "probability": "", "probability_origin": "",
        "probability_note": "", "made_on": "", "external_id": "", "_addanother_same_source": "1",
    })
    assert response.status_code == 302
    assert response["Location"].endswith(f"?source={source.pk}&made_on={source.published_on:%Y-%m-%d}")
    form = analyst_client.get(response["Location"]).context["adminform"].form
    assert str(form.initial["source"]) == str(source.pk)
    assert Claim.objects.get().probability == 0.675


def test_the_admin_expert_page_shows_scores_a_calibration_point_per_bin_and_claims_with_brier(analyst_client, scale):
    expert, source = ExpertFactory(name="Calibrated Carla"), SourceFactory()
    forecasts = [(0.675, Outcome.YES), (0.675, Outcome.NO), (0.25, Outcome.NO)]  # bins [0.6, 0.7) and [0.2, 0.3)
    for probability, outcome in forecasts:
        question = QuestionFactory()
        services.record_claim(question=question, expert=expert, source=source, quote="q", probability=probability)
        services.resolve_question(question=question, outcome=outcome)
    html = analyst_client.get(reverse("admin:sources_expert_change", args=[expert.pk])).content.decode()
    assert html.count('<g class="bin"') == 2
    assert 'data-bin-low="0.6"' in html and 'data-n="2"' in html and 'data-bin-low="0.2"' in html
    brier = ((0.675 - 1) ** 2 + 0.675**2 + 0.25**2) / 3
    assert f"{brier:.3f}" in html  # the summary's mean Brier
    assert f"{0.25 ** 2:.3f}" in html  # a claim's own Brier in the claims list
    assert "Scored questions" in html


def test_the_admin_expert_list_ranks_or_says_insufficient_record(analyst_client, scale):
    ranked, newcomer = ExpertFactory(name="Ranked Rita"), ExpertFactory(name="New Ned")
    question = QuestionFactory()
    services.record_claim(question=question, expert=ranked, source=SourceFactory(), quote="q", probability=0.9)
    services.record_claim(question=QuestionFactory(), expert=newcomer, source=SourceFactory(), quote="q", probability=0.9)
    services.resolve_question(question=question, outcome=Outcome.YES)
    page = analyst_client.get(reverse("admin:sources_expert_changelist") + "?o=6")
    rows = {expert.name: expert for expert in page.context["cl"].result_list}
    assert rows["Ranked Rita"].rank == 1 and rows["Ranked Rita"].ranked
    html = page.content.decode()
    assert "insufficient record" in html and "0.010" in html  # (0.9 − 1)²


def test_reopening_a_resolved_question_asks_why_keeps_the_old_resolution_and_makes_it_due(analyst_client, analyst, scale):
    question, expert = QuestionFactory(deadline=PAST), ExpertFactory()
    services.record_claim(question=question, expert=expert, source=SourceFactory(), quote="q", probability=0.8)
    services.resolve_question(question=question, outcome=Outcome.YES)
    changelist = reverse("admin:forecasts_question_changelist")
    selection = {"action": "reopen_selected", "_selected_action": [question.pk]}
    page = analyst_client.post(changelist, selection)
    assert "Remove the resolution of these questions" in page.content.decode()
    refused = analyst_client.post(changelist, {**selection, "apply": "1", "reason": ""})
    assert refused.status_code == 200 and Resolution.objects.filter(question=question).exists()

    done = analyst_client.post(changelist, {**selection, "apply": "1", "reason": "Evidence was retracted."})
    assert done.status_code == 302
    assert not Resolution.objects.filter(question=question).exists()
    deleted = Resolution.history.filter(question_id=question.pk, history_type="-").get()
    assert (deleted.outcome, deleted.history_change_reason, deleted.history_user) == ("yes", "Evidence was retracted.", analyst)
    assert expert.score.__class__.objects.get(expert=expert).scored == 0
    due = analyst_client.get(changelist + "?due=yes").context["cl"].result_list
    assert [q.pk for q in due] == [question.pk]


def test_the_claim_list_filters_by_the_status_of_the_question(analyst_client, scale):
    open_question, closed_question, expert, source = QuestionFactory(), QuestionFactory(), ExpertFactory(), SourceFactory()
    for question in (open_question, closed_question):
        services.record_claim(question=question, expert=expert, source=source, quote=f"on {question.pk}", hedge="likely")
    services.resolve_question(question=closed_question, outcome=Outcome.NO)
    url = reverse("admin:forecasts_claim_changelist")
    open_claims = analyst_client.get(url + "?status=open").context["cl"].result_list
    resolved_claims = analyst_client.get(url + "?status=resolved").context["cl"].result_list
    assert [c.question_id for c in open_claims] == [open_question.pk]
    assert [c.question_id for c in resolved_claims] == [closed_question.pk]
