"""`manage.py suggest_claims` runs the engine on a file and never touches the database."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from .articles import ROUNDUP

HEDGES_YAML = """
scales:
  - slug: test
    default: true
    phrases:
      - {phrase: will, probability: 0.9}
      - {phrase: probably, probability: 0.675}
      - {phrase: likely, probability: 0.675}
      - {phrase: doubt, probability: 0.25}
      - {phrase: could, probability: 0.4}
"""
SOURCE_YAML = """
source: {slug: a-source, published_on: 2019-04-19}
experts:
  - {slug: fyodor-tertitskiy, name: Fyodor Tertitskiy}
  - {slug: jane-roe, name: Jane Roe}
questions:
  - slug: kim-putin-summit-held-by-april-2019
    title: "Will Kim Jong Un and Vladimir Putin hold their announced summit by 30 April 2019?"
    deadline: 2019-04-30
"""


@pytest.fixture
def seeds(tmp_path):
    """A seed folder of its own, so the tests do not depend on the curated corpus."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "hedges.yaml").write_text(HEDGES_YAML, encoding="utf-8")
    (folder / "2019-a-source.yaml").write_text(SOURCE_YAML, encoding="utf-8")
    return folder


def run_command(*args, seeds=None):
    out = io.StringIO()
    call_command("suggest_claims", *args, *(["--seeds", str(seeds)] if seeds else []), stdout=out)
    return out.getvalue()


def test_json_lines_carry_every_field(tmp_path, seeds):
    article = tmp_path / "article.txt"
    article.write_text(ROUNDUP, encoding="utf-8")
    # No database fixture: any query would fail this test.
    lines = [json.loads(line) for line in run_command(str(article), "--published", "2019-04-19", "--json", seeds=seeds).splitlines()]
    assert len(lines) == 6
    first = lines[0]
    assert set(first) >= {"quote", "start", "end", "speaker", "hedge", "probability", "predicts", "deadline", "conditional", "question", "reasons"}
    assert first["quote"] == "I doubt that Putin will let the North Korean workers stay past the deadline."
    assert ROUNDUP[first["start"]:first["end"]] == first["quote"]
    assert (first["hedge"], first["probability"], first["predicts"]) == ("doubt", 0.25, "no")
    assert first["speaker"] == {"name": "Jane Roe", "slug": "jane-roe"}
    summit = lines[1]
    assert summit["deadline"] == "2019-04-28"
    assert summit["question"] is None
    assert lines[3]["conditional"] is True


def test_question_is_matched_against_the_seed_questions(tmp_path, seeds):
    article = tmp_path / "article.txt"
    article.write_text("Vladimir Putin and Kim Jong Un will hold their announced summit by 30 April 2019.", encoding="utf-8")
    line = json.loads(run_command(str(article), "--published", "2019-04-19", "--json", seeds=seeds))
    assert line["question"]["slug"] == "kim-putin-summit-held-by-april-2019"
    assert line["question"]["score"] >= 75
    assert line["deadline"] == "2019-04-30"


def test_text_output_ends_with_a_count(tmp_path, seeds):
    article = tmp_path / "article.txt"
    article.write_text("By Fyodor Tertitskiy\n\nPutin will not yield.\n", encoding="utf-8")
    output = run_command(str(article), "--published", "2019-04-19", seeds=seeds)
    assert "speaker fyodor-tertitskiy; hedge 'will'; p(YES) 0.1; predicts no" in output
    assert output.strip().endswith("1 suggestion(s).")


def test_default_seed_folder_is_the_repositorys(tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Russia will ease sanctions by 2020.", encoding="utf-8")
    line = json.loads(run_command(str(article), "--published", "2019-04-19", "--json"))
    assert (line["hedge"], line["probability"], line["deadline"]) == ("will", 0.9, "2020-12-31")


def test_bad_date_and_missing_file_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="--published: '19/04/2019' is not a date"):
        run_command(str(tmp_path / "a.txt"), "--published", "19/04/2019")
    with pytest.raises(CommandError, match="Cannot read"):
        run_command(str(tmp_path / "missing.txt"))
