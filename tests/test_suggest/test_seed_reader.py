"""The engine's inputs read from seed files, without Django."""

import datetime

from forecasts.suggest.seed_reader import default_hedge_scale, known_experts, known_questions, seed_sources

HEDGES = """
scales:
  - {slug: other, phrases: [{phrase: will, probability: 0.5}]}
  - slug: main
    default: true
    phrases:
      - {phrase: "  Don’t   Think ", probability: 0.325}
      - {phrase: will, probability: 0.9}
"""
EARLY = """
source: {slug: early, published_on: 2015-01-20, article: articles/early.txt, authors: [ann-lee]}
experts: [{slug: ann-lee, name: Ann Lee, aliases: [Annie Lee]}]
questions: [{slug: q-early, title: "Will it rain?", deadline: 2015-12-31}]
claims: [{key: k, expert: ann-lee, question: q-early, quote: "It will rain."}]
"""
LATE = """
source: {slug: late, published_on: 2019-04-19}
experts: [{slug: bob-roe, name: Bob Roe}]
questions: [{slug: q-late, title: "Will it snow?"}]
"""


def test_seed_files_give_scale_experts_questions_and_sources(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "early.txt").write_text("It will rain.", encoding="utf-8")
    (tmp_path / "hedges.yaml").write_text(HEDGES, encoding="utf-8")
    (tmp_path / "2015-early.yaml").write_text(EARLY, encoding="utf-8")
    (tmp_path / "2019-late.yaml").write_text(LATE, encoding="utf-8")

    assert default_hedge_scale(tmp_path) == {"don't think": 0.325, "will": 0.9}
    assert [(e.slug, e.aliases) for e in known_experts(tmp_path)] == [("ann-lee", ("Annie Lee",)), ("bob-roe", ())]
    assert [(q.slug, q.deadline) for q in known_questions(tmp_path)] == [
        ("q-early", datetime.date(2015, 12, 31)), ("q-late", None)
    ]
    assert [q.slug for q in known_questions(tmp_path, published_before=datetime.date(2019, 4, 19))] == ["q-early"]
    early, late = seed_sources(tmp_path)
    assert (early.slug, early.published, early.authors, early.text) == ("early", datetime.date(2015, 1, 20), ["ann-lee"], "It will rain.")
    assert early.claims[0]["quote"] == "It will rain."
    assert (late.text, late.claims) == ("", [])
