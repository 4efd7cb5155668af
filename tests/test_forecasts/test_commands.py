"""Management commands, run as an operator would (call_command), on the real seed corpus."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from forecasts.models import Claim, ExpertScore, HedgePhrase, Question, QuestionScore, Resolution
from sources.models import Expert, Source

pytestmark = pytest.mark.django_db
SEEDS = Path(settings.BASE_DIR) / "seeds"


def _run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _snapshot():
    return {
        "experts": sorted(Expert.objects.values_list("slug", "name", "affiliation", "bio")),
        "sources": sorted(Source.objects.values_list("slug", "title", "url", "published_on")),
        "questions": sorted(Question.objects.values_list("slug", "title", "resolution_criteria", "deadline")),
        "claims": sorted(Claim.objects.values_list("external_id", "quote", "probability", "made_on", "question__slug")),
        "resolutions": sorted(Resolution.objects.values_list("question__slug", "outcome", "evidence_url", "resolved_at")),
        "history": Claim.history.count() + Resolution.history.count() + Question.history.count(),
        "scores": sorted(ExpertScore.objects.values_list("expert__slug", "scored", "brier", "peer_score")),
    }


def test_load_seeds_twice_leaves_the_same_rows_and_says_so():
    first = _run("load_seeds")
    assert "created" in first
    before = _snapshot()
    assert before["claims"] and before["resolutions"]
    second = _run("load_seeds")
    assert "Nothing changed." in second
    assert _snapshot() == before


def test_load_seeds_updates_an_edited_record_in_place(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    _run("load_seeds", "--path", str(copy))
    claims = Claim.objects.count()
    path = copy / "2019-04-19-nknews-kim-heads-to-russia.yaml"
    text = path.read_text()
    path.write_text(text.replace("name: Fyodor Tertitskiy", "name: Fyodor Tertitskiy (NK News)", 1))
    output = _run("load_seeds", "--path", str(copy))
    assert "1 updated" in output
    assert Expert.objects.get(slug="fyodor-tertitskiy").name == "Fyodor Tertitskiy (NK News)"
    assert Claim.objects.count() == claims


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("expert: fyodor-tertitskiy", "expert: nobody-at-all", "expert"),
        ("probability_origin: hedge", "probability_origin: analyst\n    probability: 1.3", "probability"),
        ("quote: ", "quote_was: ", "quote"),
    ],
)
def test_a_broken_seed_file_is_refused_naming_file_and_field_and_nothing_is_written(tmp_path, old, new, field):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    path = copy / "2019-04-19-nknews-kim-heads-to-russia.yaml"
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(CommandError) as error:
        call_command("load_seeds", "--path", str(copy))
    message = str(error.value)
    assert "2019-04-19-nknews-kim-heads-to-russia.yaml: claims[" in message
    assert f": {field}: " in message
    assert "nothing was written" in message
    assert not Claim.objects.exists() and not Expert.objects.exists() and not HedgePhrase.objects.exists()


def test_recompute_scores_rebuilds_identical_numbers(seed_corpus):
    before = sorted(ExpertScore.objects.values_list(
        "expert_id", "scored", "open", "unscorable", "brier", "brier_ci_low", "log_score", "peer_score", "calibration"
    ))
    question_scores = sorted(QuestionScore.objects.values_list("question_id", "expert_id", "brier", "peer_score"))
    ExpertScore.objects.all().delete()
    output = _run("recompute_scores")
    assert f"Recomputed scores of {Expert.objects.filter(claims__isnull=False).distinct().count()} experts" in output
    after = sorted(ExpertScore.objects.values_list(
        "expert_id", "scored", "open", "unscorable", "brier", "brier_ci_low", "log_score", "peer_score", "calibration"
    ))
    assert after == before
    assert sorted(QuestionScore.objects.values_list("question_id", "expert_id", "brier", "peer_score")) == question_scores


def test_recompute_scores_leaves_no_row_for_an_expert_without_claims_as_loading_does(seed_corpus):
    assert not Claim.objects.filter(expert__slug="dennis-p-halpin").exists()  # a source author with no claim
    assert not ExpertScore.objects.filter(expert__slug="dennis-p-halpin").exists()
    output = _run("recompute_scores")
    assert "Recomputed scores of 12 experts" in output
    assert not ExpertScore.objects.filter(expert__slug="dennis-p-halpin").exists()


def test_create_demo_analyst_makes_an_analyst_who_can_log_in(client):
    output = _run("create_demo_analyst")
    assert "password 'analyst'" in output
    user = get_user_model().objects.get(username="analyst")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name="Analysts").exists()
    assert client.login(username="analyst", password="analyst")
    assert "exists already" in _run("create_demo_analyst")


def test_create_demo_analyst_restores_a_missing_analysts_group_with_its_permissions():
    from django.contrib.auth.models import Group

    from forecasts.constants import ANALYST_PERMISSIONS

    Group.objects.filter(name="Analysts").delete()
    _run("create_demo_analyst")
    group = Group.objects.get(name="Analysts")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert granted == {(app, codename) for app, codenames in ANALYST_PERMISSIONS.items() for codename in codenames}
