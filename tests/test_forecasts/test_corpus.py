"""Backup and restore: export_corpus then import_corpus into an empty database gives the same record."""

import json

import pytest
from django.core.management import CommandError, call_command

from forecasts.corpus import CORPUS_MODELS
from forecasts.models import Claim, ExpertScore, Question, QuestionScore, Resolution

pytestmark = pytest.mark.django_db

SCORE_FIELDS = [
    "expert__slug", "scored", "open", "unscorable", "late", "brier", "brier_ci_low", "brier_ci_high", "brier_skill",
    "log_score", "baseline_score", "peer_score", "peer_scored", "calibration", "reliability", "resolution", "uncertainty",
]


def _to_12_places(value):
    """Scores to 12 decimal places: the database sums in its own order (the set-based SQL on PostgreSQL), so
    a rebuild may differ from the incremental rows in the last bit of a float."""
    if isinstance(value, float):
        return round(value, 12)
    if isinstance(value, (list, tuple)):
        return type(value)(_to_12_places(item) for item in value)
    if isinstance(value, dict):
        return {key: _to_12_places(item) for key, item in value.items()}
    return value


def _everything():
    rows = {model._meta.label: sorted(model.objects.values_list(), key=repr) for model in CORPUS_MODELS}
    rows["scores"] = sorted(_to_12_places(row) for row in ExpertScore.objects.values_list(*SCORE_FIELDS))
    rows["question scores"] = sorted(
        _to_12_places(row)
        for row in QuestionScore.objects.values_list("question_id", "expert_id", "claim_id", "brier", "peer_score")
    )
    return rows


def _empty_database():
    Question.objects.update(condition=None, condition_outcome="")  # conditions protect their questions
    for model in reversed(CORPUS_MODELS):
        model.objects.all().delete()
    ExpertScore.objects.all().delete()


def test_restoring_a_backup_into_an_empty_database_reproduces_records_and_scores(tmp_path, seed_corpus, analyst):
    resolution = Resolution.objects.first()
    Resolution.objects.filter(pk=resolution.pk).update(resolved_by=analyst)
    before = _everything()
    assert before["forecasts.Claim"] and any(score[1] for score in before["scores"])
    backup = tmp_path / "corpus.json"
    call_command("export_corpus", str(backup), verbosity=0)

    _empty_database()
    call_command("import_corpus", str(backup), verbosity=0)

    assert _everything() == before
    assert Resolution.objects.get(pk=resolution.pk).resolved_by == analyst


def test_a_backup_that_fails_half_way_writes_nothing(tmp_path, seed_corpus):
    backup = tmp_path / "corpus.json"
    call_command("export_corpus", str(backup), verbosity=0)
    records = json.loads(backup.read_text())
    last_claim = max(i for i, record in enumerate(records) if record["model"] == "forecasts.claim")
    records[last_claim]["fields"]["probability"] = 1.5
    backup.write_text(json.dumps(records))

    _empty_database()
    with pytest.raises(CommandError) as error:
        call_command("import_corpus", str(backup))
    assert "probability" in str(error.value) and "Nothing was written" in str(error.value)
    assert not any(model.objects.exists() for model in CORPUS_MODELS if model._meta.label != "forecasts.Topic")
    assert not Claim.objects.exists()


def test_restoring_over_an_existing_corpus_is_refused(tmp_path, seed_corpus):
    backup = tmp_path / "corpus.json"
    call_command("export_corpus", str(backup), verbosity=0)
    claims = Claim.objects.count()
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_corpus", str(backup))
    assert Claim.objects.count() == claims


def test_a_question_conditional_on_a_later_one_survives_backup_and_restore(tmp_path):
    from forecasts import services

    aid = services.create_question(title="Aid?", resolution_criteria="…", deadline="2019-12-31")
    visit = services.create_question(title="Visit?", resolution_criteria="…", deadline="2019-05-01")
    services.update_question(aid, condition=visit, condition_outcome="yes")
    services.resolve_question(question=visit, outcome="no")
    before = _everything()
    backup = tmp_path / "corpus.json"
    call_command("export_corpus", str(backup), verbosity=0)

    _empty_database()
    call_command("import_corpus", str(backup), verbosity=0)

    assert _everything() == before
    assert Resolution.objects.get(question=aid).automatic
