"""load_seeds applies only what changed in the seed files and keeps what analysts changed since."""

import datetime
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Claim, Question, Resolution, SeedRecord
from forecasts.seed_ledger import content_hash, plain
from sources.models import Expert

SEEDS = Path(settings.BASE_DIR) / "seeds"
NK_NEWS = "2019-04-19-nknews-kim-heads-to-russia.yaml"
SUMMIT = "kim-putin-summit-held-by-april-2019"  # resolved YES in the seed file


def _run(*args):
    out = StringIO()
    call_command("load_seeds", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeds(tmp_path, db, seed_corpus):
    """A loaded copy of the seed folder that a test may edit.

    seed_corpus holds the rows of a first load_seeds of seeds/ (tests/conftest.py); the ledger names the folder,
    not its path, so they are the rows a first `load_seeds --path <copy>` writes, as the ledger tests start from.
    """
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


def _edit(folder, old, new):
    path = folder / NK_NEWS
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _reresolve_as_analyst(analyst):
    question = Question.objects.get(slug=SUMMIT)
    services.change_resolution(
        question=question, changed_by=analyst, outcome=Outcome.NO, reason="Analyst: the meeting was not a summit."
    )


def _resolution_reasons():
    question = Question.objects.get(slug=SUMMIT)
    return list(
        Resolution.history.filter(question_id=question.pk).order_by("history_id").values_list("history_change_reason", flat=True)
    )


def test_a_first_load_records_where_each_record_came_from(seeds):
    expert = Expert.objects.get(slug="fyodor-tertitskiy")
    assert list(Expert.history.filter(id=expert.pk).values_list("history_change_reason", flat=True)) == [
        f"Loaded from seeds/{NK_NEWS}"
    ]
    assert _resolution_reasons() == [f"Loaded from seeds/{NK_NEWS}"]
    assert SeedRecord.objects.get(kind="resolution", key=SUMMIT).applied["outcome"] == "yes"


def test_an_analysts_resolution_survives_a_rerun_and_the_report_says_so(seeds, analyst):
    _reresolve_as_analyst(analyst)
    output = _run("--path", str(seeds))
    resolution = Resolution.objects.get(question__slug=SUMMIT)
    assert (resolution.outcome, resolution.resolved_by) == (Outcome.NO, analyst)
    assert "Nothing changed." in output
    assert f"kept analyst change: resolution {SUMMIT}: outcome 'no' → 'yes'" in output
    assert "use --force" in output
    assert _resolution_reasons() == [f"Loaded from seeds/{NK_NEWS}", "Analyst: the meeting was not a summit."]


def test_an_analysts_resolution_survives_an_edit_of_the_same_record_in_the_seed_file(seeds, analyst):
    _reresolve_as_analyst(analyst)
    _edit(seeds, "met Putin on 25 April 2019 at Far Eastern", "met Putin on 25 April 2019 (a Thursday) at Far Eastern")
    output = _run("--path", str(seeds))
    assert Resolution.objects.get(question__slug=SUMMIT).outcome == Outcome.NO
    assert f"kept analyst change: resolution {SUMMIT}: outcome 'no' → 'yes'; note " in output


def test_force_overwrites_the_analysts_change_and_names_it(seeds, analyst):
    _reresolve_as_analyst(analyst)
    output = _run("--path", str(seeds), "--force")
    resolution = Resolution.objects.get(question__slug=SUMMIT)
    assert (resolution.outcome, resolution.resolved_by) == (Outcome.YES, None)
    assert resolution.resolved_at == datetime.datetime(2019, 4, 25, tzinfo=datetime.timezone.utc)
    assert f"overwrote: resolution {SUMMIT}: outcome 'no' → 'yes'" in output
    assert _resolution_reasons()[-1] == f"Restored from seeds/{NK_NEWS} over a later change (--force)"
    assert "Nothing changed." in _run("--path", str(seeds))


def test_an_edited_seed_file_applies_only_the_changed_record(seeds, analyst):
    _reresolve_as_analyst(analyst)
    tertitskiy = Expert.objects.get(slug="fyodor-tertitskiy")
    before = Expert.history.filter(id=tertitskiy.pk).count()
    lukin = Expert.objects.get(slug="artyom-lukin")
    _edit(seeds, "name: Fyodor Tertitskiy", "name: Fyodor Tertitskiy (NK News)")
    output = _run("--path", str(seeds))
    assert "1 updated" in output
    assert Expert.objects.get(slug="fyodor-tertitskiy").name == "Fyodor Tertitskiy (NK News)"
    assert Expert.history.filter(id=tertitskiy.pk).count() == before + 1
    assert Expert.history.filter(id=tertitskiy.pk).latest("history_id").history_change_reason == (
        f"Seed file changed: seeds/{NK_NEWS}"
    )
    assert Expert.history.filter(id=lukin.pk).count() == 1
    assert Resolution.objects.get(question__slug=SUMMIT).outcome == Outcome.NO


def test_a_reopened_seeded_question_stays_open(seeds, analyst):
    services.unresolve_question(question=Question.objects.get(slug=SUMMIT), reason="Evidence disputed.", user=analyst)
    output = _run("--path", str(seeds))
    assert not Resolution.objects.filter(question__slug=SUMMIT).exists()
    assert f"kept analyst change: resolution {SUMMIT}: missing in the database" in output


def test_a_claim_removed_from_the_seed_file_is_deleted_unless_an_analyst_changed_it(seeds, analyst):
    claims = Claim.objects.filter(source__slug=NK_NEWS.removesuffix(".yaml")).order_by("external_id")
    untouched, edited = claims[0], claims[1]
    services.update_claim(edited, statement="Reworded by an analyst.", user=analyst)
    path = seeds / NK_NEWS
    text = path.read_text()
    for claim in (untouched, edited):
        start = text.index(f"  - key: {claim.external_id}\n")
        end = text.find("\n  - key: ", start + 1)
        text = text[:start] + (text[end + 1:] if end != -1 else "")
    path.write_text(text)
    output = _run("--path", str(seeds))
    assert not Claim.objects.filter(pk=untouched.pk).exists()
    assert Claim.objects.get(pk=edited.pk).statement == "Reworded by an analyst."
    assert f"kept analyst change: claim {edited.external_id}: not in the seed file" in output
    assert "1 deleted" in output


def test_an_analysts_claim_edit_is_kept_when_the_seed_file_is_unchanged(seeds, analyst):
    claim = Claim.objects.filter(source__slug=NK_NEWS.removesuffix(".yaml")).first()
    services.update_claim(claim, probability=0.9, probability_origin="analyst", probability_note="Re-read.", user=analyst)
    _run("--path", str(seeds))
    assert Claim.objects.get(pk=claim.pk).probability == 0.9


def test_the_content_hash_ignores_key_order_and_sees_every_key():
    record = {"slug": "q", "deadline": datetime.date(2019, 4, 30), "topics": ["summit"]}
    same = {"topics": ["summit"], "deadline": datetime.date(2019, 4, 30), "slug": "q"}
    assert content_hash(record) == content_hash(same)
    assert content_hash(record) != content_hash({**record, "condition": "other-question"})
    assert len(content_hash(record)) == 64


def test_plain_values_compare_dates_as_text_and_keep_list_order():
    assert plain({"on": datetime.date(2019, 4, 30), "links": ["b", "a"]}) == {"on": "2019-04-30", "links": ["b", "a"]}
