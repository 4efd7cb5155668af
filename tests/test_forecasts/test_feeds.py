"""The Atom feeds: new resolutions, an expert's claims and outcomes, a topic; parsed as XML."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from forecasts import services
from forecasts.constants import Outcome
from tests.test_forecasts.factories import QuestionFactory
from tests.test_forecasts.queries import queries_of
from tests.test_forecasts.test_views import _grow, panel  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def _entries(root):
    """[{id, title, link, updated, author}] of the feed's entries, checking the elements Atom requires."""
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text, f"an entry without {required}"
        links = entry.findall(f"{ATOM}link[@rel='alternate']")
        assert len(links) == 1
        author = entry.find(f"{ATOM}author/{ATOM}name")
        entries.append({
            "id": entry.find(f"{ATOM}id").text,
            "title": entry.find(f"{ATOM}title").text,
            "link": links[0].get("href"),
            "updated": datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text),
            "author": author.text if author is not None else None,
            "summary": entry.find(f"{ATOM}summary").text,
        })
    return entries


def _check_feed_head(root, feed_id, self_path):
    """Atom's required feed elements: id, title, updated, an author (here the feed's), a self link."""
    assert root.find(f"{ATOM}id").text == feed_id
    assert root.find(f"{ATOM}title").text
    datetime.datetime.fromisoformat(root.find(f"{ATOM}updated").text)
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Hindsight"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"http://testserver{self_path}"


def test_the_resolutions_feed_lists_each_resolved_question_newest_first(client, panel):
    summit, sanctions = panel["summit"], panel["sanctions"]
    services.change_resolution(question=sanctions, resolved_at=datetime.datetime(2020, 3, 1, tzinfo=datetime.UTC))
    root = _feed(client, "/feeds/resolutions.atom")
    _check_feed_head(root, "tag:testserver,2019:feed/resolutions", "/feeds/resolutions.atom")
    entries = _entries(root)
    # The summit was resolved just now, the sanctions question (as changed) on 1 March 2020.
    assert [entry["title"] for entry in entries] == [
        "Resolved YES: Will the summit happen?", "Resolved NO: Will sanctions be eased?",
    ]
    by_title = {entry["title"]: entry for entry in entries}
    sanctions_entry = by_title["Resolved NO: Will sanctions be eased?"]
    assert sanctions_entry["id"] == f"tag:testserver,2019:resolution/{sanctions.pk}"
    assert sanctions_entry["link"] == f"http://testserver/questions/{sanctions.pk}/"
    assert sanctions_entry["updated"] == datetime.datetime(2020, 3, 1, tzinfo=datetime.UTC)
    assert entries == sorted(entries, key=lambda entry: entry["updated"], reverse=True)
    summit_entry = by_title["Resolved YES: Will the summit happen?"]
    assert "They met on 25 April. Evidence: https://example.org/met" in summit_entry["summary"]
    assert summit_entry["link"] == f"http://testserver/questions/{summit.pk}/"


def test_a_changed_resolution_updates_its_entry_rather_than_adding_one(client, panel):
    before = {entry["id"]: entry for entry in _entries(_feed(client, "/feeds/resolutions.atom"))}
    later = datetime.datetime(2021, 6, 1, tzinfo=datetime.UTC)
    services.change_resolution(question=panel["summit"], outcome=Outcome.NO, resolved_at=later, reason="Misread.")
    after = {entry["id"]: entry for entry in _entries(_feed(client, "/feeds/resolutions.atom"))}
    assert after.keys() == before.keys()
    changed = after[f"tag:testserver,2019:resolution/{panel['summit'].pk}"]
    assert changed["title"] == "Resolved NO: Will the summit happen?" and changed["updated"] == later


def test_feeds_never_show_who_resolved_a_question(client, panel, django_user_model):
    insider = django_user_model.objects.create_user("secret-login-name", password="x-pass-1")
    question = QuestionFactory(title="Will they talk?")
    services.resolve_question(question=question, outcome=Outcome.YES, resolved_by=insider)
    for url in ("/feeds/resolutions.atom", f"/experts/{panel['ann'].slug}/feed.atom", "/topics/summit/feed.atom"):
        body = client.get(url).content.decode()
        assert "secret-login-name" not in body and "<entry>" in body


def test_an_experts_feed_has_their_claims_and_their_scored_outcomes_authored_by_them(client, panel):
    ann = panel["ann"]
    root = _feed(client, f"/experts/{ann.slug}/feed.atom")
    _check_feed_head(root, f"tag:testserver,2019:feed/expert/{ann.pk}", f"/experts/{ann.slug}/feed.atom")
    entries = _entries(root)
    claims = panel["claims"]
    ids = {entry["id"] for entry in entries}
    # Three claims and two scored outcomes (summit YES, sanctions NO); the open question has no outcome yet.
    assert ids == {
        *(f"tag:testserver,2019:claim/{claims[key].pk}" for key in ("ann-summit", "ann-sanctions", "ann-open")),
        f"tag:testserver,2019:outcome/{panel['summit'].pk}/{ann.pk}",
        f"tag:testserver,2019:outcome/{panel['sanctions'].pk}/{ann.pk}",
    }
    assert {entry["author"] for entry in entries} == {"Ann Archer"}
    assert entries == sorted(entries, key=lambda entry: entry["updated"], reverse=True)
    by_id = {entry["id"]: entry for entry in entries}
    # Brier (p − o)²: summit (0.875 − 1)² = 0.015625; sanctions, "likely" about the NO side: p(YES) = 1 − 0.675
    # = 0.325, (0.325 − 0)² = 0.105625.
    summit = by_id[f"tag:testserver,2019:outcome/{panel['summit'].pk}/{ann.pk}"]
    assert summit["title"] == "Ann Archer: Brier 0.016 on Will the summit happen? (resolved YES)"
    assert "Brier (p − o)² = 0.0156" in summit["summary"]
    assert summit["updated"] == panel["summit"].resolution.resolved_at
    sanctions_claim = by_id[f"tag:testserver,2019:claim/{claims['ann-sanctions'].pk}"]
    assert sanctions_claim["title"] == "Ann Archer: 32 % on Will sanctions be eased?"
    assert "about the NO side: p(YES) = 1 − p" in sanctions_claim["summary"]
    assert sanctions_claim["link"] == f"http://testserver/claims/{claims['ann-sanctions'].pk}/"


def test_a_topic_feed_has_the_claims_and_resolutions_of_its_questions_only(client, panel):
    root = _feed(client, "/topics/summit/feed.atom")
    entries = _entries(root)
    summit = panel["summit"]
    assert sorted(entry["title"] for entry in entries) == sorted([
        "Resolved YES: Will the summit happen?",
        "Ann Archer: 88 % on Will the summit happen?",
        "Ben Baker: 40 % on Will the summit happen?",
        "Cal Clark: 50 % on Will the summit happen?",
    ])
    assert all(str(summit.pk) in entry["link"] or "/claims/" in entry["link"] for entry in entries)
    assert client.get("/topics/no-such-topic/feed.atom").status_code == 404
    assert client.get("/experts/no-such-expert/feed.atom").status_code == 404


def test_a_quote_with_markup_is_text_in_the_feed(client, panel):
    services.record_claim(
        question=panel["open"], expert=panel["ben"], source=panel["source"], quote="<b>Surely</b> & soon",
        probability=0.7,
    )
    summaries = [entry["summary"] for entry in _entries(_feed(client, f"/experts/{panel['ben'].slug}/feed.atom"))]
    # The summary is type="html": after XML parsing, the markup is still escaped once.
    assert any("&lt;b&gt;Surely&lt;/b&gt; &amp; soon" in summary for summary in summaries)


def test_pages_link_their_feeds_in_the_head(client, panel):
    html = client.get(f"/experts/{panel['ann'].slug}/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" title="Hindsight: new resolutions" href="/feeds/resolutions.atom">' in html
    assert f'type="application/atom+xml" title="This expert&#x27;s claims and outcomes" href="/experts/{panel["ann"].slug}/feed.atom">' in html
    board = client.get("/?topic=summit").content.decode()
    assert 'href="/topics/summit/feed.atom"' in board


@pytest.mark.parametrize("url, expected", [
    # the resolutions with their questions
    ("/feeds/resolutions.atom", 1),
    # the expert + their latest claims (expert, source, question joined) + their scored outcomes
    ("/experts/{ann}/feed.atom", 3),
    # the topic + claims on its questions + resolutions of its questions
    ("/topics/summit/feed.atom", 3),
])
def test_feeds_run_a_fixed_number_of_queries(client, panel, url, expected):
    url = url.format(ann=panel["ann"].slug)
    assert len(queries_of(client, url)) == expected
    _grow(panel, 6)
    assert len(queries_of(client, url)) == expected
