"""Admin imports at real sizes and with hostile files: natural keys, line numbers, bulk writes."""

import datetime
import io

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Claim, ExpertScore, Question
from forecasts.resources import ClaimResource, QuestionResource
from sources.models import Expert
from sources.resources import PREVIEW_ROWS, ExpertResource
from tests.test_forecasts.factories import QuestionFactory
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db
HUGE_ID = 9223372036854775807  # the largest bigint: a sequence set past it can never give another id


def _load(text):
    return tablib.Dataset().load(text, format="csv")


def _import(resource, text, dry_run=False, **kwargs):
    return resource().import_data(_load(text), dry_run=dry_run, **kwargs)


def _clean(result):
    assert not result.base_errors, [error.error for error in result.base_errors]
    assert not result.invalid_rows, [(row.number, row.error_dict) for row in result.invalid_rows]
    return result


# Primary keys never come from the file


def test_a_question_file_with_the_largest_id_imports_and_later_questions_still_get_ids():
    _clean(_import(QuestionResource, (
        "id,slug,title,resolution_criteria,deadline\n"
        f"{HUGE_ID},summit,Will they meet?,YES if they meet.,2019-12-31\n"
    )))
    imported = Question.objects.get(slug="summit")
    assert imported.pk != HUGE_ID
    later = services.create_question(title="Later", resolution_criteria="YES if.", deadline=datetime.date(2020, 1, 1))
    assert later.pk == imported.pk + 1  # the sequence was not moved


def test_a_question_file_matches_questions_by_slug_not_by_id():
    question = QuestionFactory(slug="summit", title="Old title", resolution_criteria="YES if.")
    other = QuestionFactory(slug="other", title="Other")
    _clean(_import(QuestionResource, (
        "id,slug,title,resolution_criteria,deadline\n"
        f"{other.pk},summit,New title,YES if.,{question.deadline}\n"
    )))
    assert Question.objects.get(pk=question.pk).title == "New title"
    assert Question.objects.get(pk=other.pk).title == "Other"


def test_a_claim_file_with_the_largest_id_imports_and_later_claims_still_get_ids(scale):
    ExpertFactory(slug="lukin")
    SourceFactory(slug="panel")
    question = QuestionFactory(slug="summit")
    _clean(_import(ClaimResource, f"id,expert,question,source,quote,hedge\n{HUGE_ID},lukin,summit,panel,Likely so.,likely\n"))
    [claim] = Claim.objects.all()
    assert claim.pk != HUGE_ID
    later = services.record_claim(question=question, expert=claim.expert, source=claim.source, quote="Again.", hedge="likely")
    assert later.pk == claim.pk + 1


def test_an_expert_file_with_an_id_column_ignores_it():
    result = _clean(_import(ExpertResource, f"id,slug,name\n{HUGE_ID},lukin,Artyom Lukin\n"))
    expert = Expert.objects.get(slug="lukin")
    assert expert.pk != HUGE_ID and expert.name == "Artyom Lukin"
    assert any("id column is ignored" in note for note in result.notes)


def test_importing_an_export_of_the_claims_again_changes_nothing(scale):
    expert, source, question = ExpertFactory(slug="lukin"), SourceFactory(slug="panel"), QuestionFactory(slug="summit")
    services.record_claim(question=question, expert=expert, source=source, quote="Likely so.", hedge="likely")
    services.record_claim(question=question, expert=expert, source=source, quote="Keyed.", probability=0.2, external_id="k-1")
    exported = ClaimResource().export().csv
    result = _clean(_import(ClaimResource, exported))
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 0, 2)
    assert Claim.objects.count() == 2


def test_a_claim_row_with_a_known_external_id_updates_that_claim(scale):
    expert, source, question = ExpertFactory(slug="lukin"), SourceFactory(slug="panel"), QuestionFactory(slug="summit")
    claim = services.record_claim(question=question, expert=expert, source=source, quote="Old words.", probability=0.2, external_id="k-1")
    result = _clean(_import(ClaimResource, "external_id,expert,question,source,quote,probability\nk-1,lukin,summit,panel,New words.,0.4\n"))
    assert result.totals["update"] == 1
    claim.refresh_from_db()
    assert (claim.quote, claim.probability, Claim.objects.count()) == ("New words.", 0.4, 1)


def test_quotes_with_tabs_newlines_and_backslashes_are_stored_as_written(scale):
    ExpertFactory(slug="lukin")
    SourceFactory(slug="panel")
    QuestionFactory(slug="summit")
    quote = 'He said:\t"no"\r\nthen C:\\path \\N'
    dataset = tablib.Dataset(headers=["expert", "question", "source", "quote", "hedge"])
    dataset.append(["lukin", "summit", "panel", quote, "likely"])
    _clean(ClaimResource().import_data(dataset, dry_run=False))
    assert Claim.objects.get().quote == quote
    assert Claim.objects.get().history.get().quote == quote


# Error messages: column, reason, the file's line


def test_a_probability_outside_0_to_1_is_reported_on_the_probability_column(scale):
    ExpertFactory(slug="lukin")
    SourceFactory(slug="panel")
    QuestionFactory(slug="summit")
    result = _import(ClaimResource, "expert,question,source,quote,probability\nlukin,summit,panel,Sure.,1.5\n")
    [invalid] = result.invalid_rows
    assert (invalid.number, invalid.error_dict) == (2, {"probability": ["A probability is between 0 and 1 (not 1.5)."]})
    assert not Claim.objects.exists()


def test_line_numbers_are_the_files_lines_even_after_a_quote_spanning_lines(scale):
    ExpertFactory(slug="lukin")
    SourceFactory(slug="panel")
    QuestionFactory(slug="summit")
    text = (
        "expert,question,source,quote,hedge\n"            # line 1
        'lukin,summit,panel,"First line\nsecond line",likely\n'  # lines 2-3
        "lukin,summit,panel,Bad.,perchance\n"            # line 4
    )
    [invalid] = _import(ClaimResource, text).invalid_rows
    assert invalid.number == 4


def test_a_file_without_the_key_column_names_it_without_a_traceback():
    result = _import(ClaimResource, "expert,source,quote\nlukin,panel,Words.\n")
    [error] = result.base_errors
    assert str(error.error) == "The file has no 'question' column (its columns are: expert, source, quote)."
    assert error.traceback == ""


def test_an_expert_slug_twice_in_one_file_names_both_lines():
    result = _import(ExpertResource, "slug,name\nlukin,A\nkim,B\nlukin,C\n")
    [invalid] = result.invalid_rows
    assert (invalid.number, invalid.error_dict) == (4, {"slug": ["'lukin' is also on line 2."]})
    assert not Expert.objects.exists()


def test_experts_are_matched_by_slug_updated_or_added():
    ExpertFactory(slug="lukin", name="A. Lukin", affiliation="FEFU")
    result = _clean(_import(ExpertResource, "slug,name,affiliation\nlukin,Artyom Lukin,FEFU\nkim,Kim,\n"))
    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    assert sorted(Expert.objects.values_list("slug", "name")) == [("kim", "Kim"), ("lukin", "Artyom Lukin")]
    assert Expert.objects.get(slug="lukin").history.count() == 2  # created, then changed by the import


# Size: a constant number of queries, score tables kept current


def _claim_file(count, question_slugs):
    lines = ["expert,question,source,quote,hedge,probability"]
    for number in range(count):
        expert = f"expert-{number % 7}" if number % 2 else f"Expert {number % 7}"  # by slug, then by name
        lines.append(f"{expert},{question_slugs[number % len(question_slugs)]},panel,Quote {number}.,likely,")
    return "\n".join(lines) + "\n"


def test_a_claims_import_runs_the_same_queries_for_10_rows_as_for_40(scale):
    for number in range(7):
        ExpertFactory(slug=f"expert-{number}", name=f"Expert {number}")
    SourceFactory(slug="panel")
    slugs = [QuestionFactory(slug=f"q-{number}").slug for number in range(5)]

    def queries(count):
        with CaptureQueriesContext(connection) as captured:
            result = _import(ClaimResource, _claim_file(count, slugs), dry_run=True)
        assert not result.invalid_rows and result.totals["new"] == count
        return len(captured.captured_queries)

    # 40 rows stay within one insert batch even on SQLite (999 parameters a statement).
    assert queries(10) == queries(40)
    assert not Claim.objects.exists()  # a preview writes nothing


def test_importing_claims_updates_the_score_tables(scale):
    expert, source = ExpertFactory(slug="lukin"), SourceFactory(slug="panel")
    question = QuestionFactory(slug="summit", deadline=datetime.date(2030, 1, 1))
    services.resolve_question(question=question, outcome=Outcome.NO)
    _clean(_import(ClaimResource, "expert,question,source,quote,hedge\nlukin,summit,panel,Likely.,likely\n"))
    score = ExpertScore.objects.get(expert=expert)
    assert score.scored == 1
    assert score.brier == pytest.approx(0.675 ** 2)  # (p - o)² with o = 0


def test_a_claims_import_writes_history_with_the_importing_analyst(scale, analyst):
    ExpertFactory(slug="lukin")
    SourceFactory(slug="panel")
    QuestionFactory(slug="summit")
    _clean(_import(ClaimResource, "expert,question,source,quote,hedge\nlukin,summit,panel,Likely.,likely\n", user=analyst))
    [entry] = Claim.objects.get().history.all()
    assert (entry.history_type, entry.history_user) == ("+", analyst)


# The admin pages


def _upload(client, url_name, content, name="claims.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse(url_name), {"resource": "0", "format": "0", "import_file": upload})


def test_the_admin_preview_says_the_id_column_is_ignored_and_shows_the_first_rows(analyst_client, scale):
    ExpertFactory(slug="lukin")
    SourceFactory(slug="panel")
    QuestionFactory(slug="summit")
    rows = [f"{HUGE_ID - n},lukin,summit,panel,Quote {n}.,likely" for n in range(PREVIEW_ROWS + 5)]
    content = ("id,expert,question,source,quote,hedge\n" + "\n".join(rows) + "\n").encode()
    html = _upload(analyst_client, "admin:forecasts_claim_import", content).content.decode()
    assert "An id column is ignored" in html
    assert f"The preview shows the first {PREVIEW_ROWS} of {PREVIEW_ROWS + 5} rows." in html
    assert "Quote 0." in html and f"Quote {PREVIEW_ROWS + 4}." not in html
    assert "process_import" in html
    assert not Claim.objects.exists()


def test_the_admin_names_the_encoding_when_a_file_is_not_utf8(analyst_client):
    content = "slug,name\nmuller,Müller\n".encode("latin-1")
    response = _upload(analyst_client, "admin:sources_expert_import", content, name="experts.csv")
    html = response.content.decode()
    assert "The file is not UTF-8 text" in html and "UnicodeDecodeError" not in html
    assert not Expert.objects.exists()


def test_the_admin_names_a_missing_key_column_without_a_traceback(analyst_client):
    html = _upload(analyst_client, "admin:sources_expert_import", b"name\nLukin\n", name="experts.csv").content.decode()
    assert "The file has no &#x27;slug&#x27; column (its columns are: name)." in html
    assert "Traceback" not in html



# Conditional questions: the condition as its question's slug, with the outcome it requires


def test_a_question_export_names_its_condition_by_slug_and_the_outcome_it_requires():
    summit = QuestionFactory(slug="summit")
    QuestionFactory(slug="treaty", condition=summit, condition_outcome="yes")
    rows = {row["slug"]: row for row in QuestionResource().export().dict}
    assert (rows["treaty"]["condition"], rows["treaty"]["condition_outcome"]) == ("summit", "yes")
    assert (rows["summit"]["condition"], rows["summit"]["condition_outcome"]) == ("", "")


def test_importing_a_question_export_again_keeps_its_conditions_and_changes_nothing():
    summit = QuestionFactory(slug="summit")
    QuestionFactory(slug="treaty", condition=summit, condition_outcome="no")
    exported = QuestionResource().export().csv
    Question.objects.filter(slug="treaty").update(condition=None, condition_outcome="")
    _clean(_import(QuestionResource, exported))
    treaty = Question.objects.get(slug="treaty")
    assert (treaty.condition, treaty.condition_outcome) == (summit, "no")
    result = _clean(_import(QuestionResource, exported))
    assert result.totals["update"] == 0 and result.totals["new"] == 0


def test_a_new_question_whose_condition_already_failed_is_annulled_on_import(analyst):
    summit = QuestionFactory(slug="summit")
    services.resolve_question(question=summit, outcome=Outcome.NO, resolved_by=analyst)
    _clean(_import(QuestionResource, (
        "slug,title,resolution_criteria,deadline,condition,condition_outcome\n"
        "treaty,Will they sign?,YES if signed.,2020-06-30,summit,yes\n"
    )))
    treaty = Question.objects.get(slug="treaty")
    assert treaty.condition == summit
    assert (treaty.resolution.outcome, treaty.resolution.automatic) == (Outcome.ANNULLED, True)


@pytest.mark.parametrize("condition, outcome, column, reason", [
    ("nowhere", "yes", "condition", "No question has the slug 'nowhere'"),
    ("summit", "", "condition_outcome", "Say which outcome"),
    ("summit", "maybe", "condition_outcome", "not a valid choice"),
])
def test_a_bad_condition_in_a_question_file_names_its_column_and_writes_nothing(condition, outcome, column, reason):
    QuestionFactory(slug="summit")
    result = _import(QuestionResource, (
        "slug,title,resolution_criteria,deadline,condition,condition_outcome\n"
        "fine,A fine one,YES if fine.,2020-06-30,,\n"
        f"treaty,Will they sign?,YES if signed.,2020-06-30,{condition},{outcome}\n"
    ))
    [row] = result.invalid_rows
    assert row.number == 2 and column in row.error_dict and reason in str(row.error_dict[column])
    assert not Question.objects.filter(slug__in=["fine", "treaty"]).exists()


def test_a_question_file_cannot_make_a_question_its_own_condition():
    QuestionFactory(slug="summit", title="Will they meet?", resolution_criteria="YES if they meet.")
    result = _import(QuestionResource, (
        "slug,title,resolution_criteria,deadline,condition,condition_outcome\n"
        "summit,Will they meet?,YES if they meet.,2019-12-31,summit,yes\n"
    ))
    [row] = result.invalid_rows
    assert "condition" in row.error_dict
    assert Question.objects.get(slug="summit").condition is None


def test_a_question_export_puts_each_condition_before_its_questions_so_it_imports_anywhere():
    treaty = QuestionFactory(slug="treaty")
    summit = QuestionFactory(slug="summit")  # the condition, made after the question that depends on it
    services.update_question(treaty, condition=summit, condition_outcome="yes")
    exported = QuestionResource().export().csv
    slugs = [row["slug"] for row in QuestionResource().export().dict]
    assert slugs.index("summit") < slugs.index("treaty")
    Question.objects.filter(slug="treaty").delete()
    Question.objects.filter(slug="summit").delete()
    _clean(_import(QuestionResource, exported))
    assert Question.objects.get(slug="treaty").condition == Question.objects.get(slug="summit")


def _queries_to_export(resource, queryset=None):
    with CaptureQueriesContext(connection) as captured:
        resource().export(queryset=queryset)
    return len(captured)


def test_a_question_export_runs_the_same_queries_however_many_questions_it_has(analyst):
    def add_questions():
        condition = QuestionFactory()
        services.resolve_question(question=condition, outcome=Outcome.NO, resolved_by=analyst)
        services.update_question(QuestionFactory(), condition=condition, condition_outcome="yes")

    add_questions()
    few = _queries_to_export(QuestionResource), _queries_to_export(QuestionResource, Question.objects.order_by("-pk"))
    for _ in range(5):
        add_questions()
    many = _queries_to_export(QuestionResource), _queries_to_export(QuestionResource, Question.objects.order_by("-pk"))
    assert many == few and few[0] <= 3, few  # questions with resolution and condition joined, topics prefetched


def test_a_claim_export_runs_the_same_queries_however_many_claims_it_has(scale):
    def add_claim():
        services.record_claim(question=QuestionFactory(), expert=ExpertFactory(), source=SourceFactory(),
                              quote="Likely so.", hedge="likely")

    add_claim()
    few = _queries_to_export(ClaimResource)
    for _ in range(5):
        add_claim()
    assert _queries_to_export(ClaimResource) == few == 1


def test_a_claim_file_naming_an_expert_with_a_huge_cell_quotes_only_its_start(scale):
    QuestionFactory(slug="summit")
    SourceFactory(slug="panel")
    result = _import(ClaimResource, f"expert,question,source,quote,hedge\n{'z' * 5000},summit,panel,Likely.,likely\n")
    [row] = result.invalid_rows
    [message] = row.error_dict["expert"]
    assert message == f"No expert has the slug or name {repr('z' * 80)}…."
