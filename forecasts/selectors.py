"""Reads behind the public pages and the leaderboard API: a fixed number of queries each.

Writes live in forecasts.services and the score tables in forecasts.score_table; this module only
reads them. The unfiltered leaderboard reads the precomputed ExpertScore rows and is paginated in
the database; a leaderboard filtered by topic or claim date re-aggregates the stored per-question
scores (QuestionScore) of that subset with forecasts.scoring.summarize_expert.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField, Case, Count, ExpressionWrapper, F, FloatField, OuterRef, Q, Subquery, Value, When, Window,
)
from django.db.models.functions import Rank

from forecasts import pseudo_expert, score_sql, score_table, scoring
from forecasts.intake import quote_offsets_hold
from forecasts.models import Claim, ExpertScore, PanelScore, Question, QuestionScore
from forecasts.quotes import highlight_spans, locate_quote
from forecasts.scoring import registry
# The helpers that build the stored ExpertScore rows, so that a filter matching every claim gives
# exactly the stored numbers.
from forecasts.score_table import expert_score_row, question_counts, results_by_expert
from sources.models import Expert, Source

# order parameter → (score field, True when higher is better); the first is the default. shrunk_brier
# is not stored: it depends on the shrink setting (see shrunk_brier_expression). The others are the
# rankable scores of the registry.
LEADERBOARD_ORDERS = {
    "shrunk_brier": ("shrunk_brier", False),
    **{score.name: (score.name, score.higher_is_better) for score in registry.SCORES if score.rankable},
}

# Track-record statuses. A claim is "right" when it is scored (the claim that counts on a question
# resolved YES or NO) and its Brier score is below 0.25, i.e. its probability was on the side that
# happened; "wrong" when scored with a Brier of 0.25 or more (the wrong side, or exactly 50 %,
# which commits to neither side). "unscored": the question was resolved but the claim is not
# scored (AMBIGUOUS or ANNULLED, made after the deadline, or superseded by a later claim).
CLAIM_STATUSES = ("open", "right", "wrong", "unscored")
RIGHT_BELOW_BRIER = 0.25


@dataclass(frozen=True)
class LeaderboardEntry:
    """One expert on the leaderboard: scores (a saved or computed ExpertScore) and rank."""

    expert: Expert
    scores: ExpertScore
    rank: int | None  # None when the record is too short to be ranked
    pseudo: bool = False  # the panel pseudo-expert: a reference row, never ranked

    @property
    def ranked(self):
        return self.rank is not None


def stored_score(expert):
    """The expert's ExpertScore row (joined in), or an unsaved all-zero row for an expert with no claims."""
    try:
        return expert.score
    except ExpertScore.DoesNotExist:
        return ExpertScore(expert=expert)


class RankedExperts:
    """The unfiltered leaderboard as a lazy sequence of LeaderboardEntry, ranked in the database.

    Slicing runs one query for that slice and count() one COUNT, so a Paginator pages it without
    loading every expert; iterating runs one query for all. A reference entry (the panel), when
    given with its position, is placed among the experts at that position.
    """

    def __init__(self, queryset, reference=None, position=None):
        self._queryset = queryset
        self._reference = reference
        self._position = position

    def count(self):
        # Every expert is listed, so a plain COUNT avoids counting over the window function.
        return Expert.objects.count() + (self._reference is not None)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop = index.start or 0, index.stop
        if self._reference is None:
            return [_stored_entry(expert) for expert in self._queryset[start:stop]]
        position = self._position
        shifted = lambda i: i if i is None or i <= position else i - 1  # noqa: E731
        entries = [_stored_entry(expert) for expert in self._queryset[shifted(start):shifted(stop)]]
        if start <= position and (stop is None or position < stop):
            entries.insert(position - start, self._reference)
        return entries

    def __iter__(self):
        return iter(self[0:None])


def _stored_entry(expert):
    scores = stored_score(expert)
    scores.shrunk_brier = expert.shrunk_brier
    return LeaderboardEntry(expert=expert, scores=scores, rank=expert.rank if expert.ranked else None)


def default_shrink_k():
    """How many questions at chance (Brier 0.25) an expert's Brier is shrunk with: settings.HINDSIGHT_SHRINK_K."""
    return settings.HINDSIGHT_SHRINK_K


def shrunk_brier_expression(k=None):
    """SQL for scoring.shrunk_brier of an expert's stored row: (n · brier + k · CHANCE_BRIER) / (n + k)."""
    k = default_shrink_k() if k is None else k
    return ExpressionWrapper(
        (F("score__scored") * F("score__brier") + Value(float(k) * scoring.CHANCE_BRIER))
        / (F("score__scored") + Value(float(k))),
        output_field=FloatField(),
    )


def ranked_experts(experts, *, min_scored=None, order="shrunk_brier"):
    """Annotate experts with `shrunk_brier`, `ranked` (enough scored questions) and `rank` (ties share a rank).

    Ranked experts come first, best first by `order`; the others follow, by name. An expert with
    nothing scored is never ranked, whatever min_scored is. Used by the leaderboard and the admin.
    """
    if min_scored is None:
        min_scored = default_min_scored()
    field, higher_is_better = LEADERBOARD_ORDERS[order]
    score = F("shrunk_brier") if field == "shrunk_brier" else F(f"score__{field}")
    ordering = score.desc(nulls_last=True) if higher_is_better else score.asc(nulls_last=True)
    ranked = Case(
        When(score__scored__gte=max(min_scored, 1), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return (
        experts.select_related("score")
        .annotate(shrunk_brier=shrunk_brier_expression(), ranked=ranked)
        .annotate(rank=Window(expression=Rank(), partition_by=[F("ranked")], order_by=ordering))
        .order_by(F("ranked").desc(), ordering, "name", "pk")
    )


def _rank_in_memory(experts_and_scores, min_scored, order):
    """Entries ordered and ranked as ranked_experts does in SQL: ties share a rank, empty scores last."""
    field, higher_is_better = LEADERBOARD_ORDERS[order]

    def score_key(scores):
        value = getattr(scores, field)
        if value is None:
            return (True, 0.0)
        return (False, -value if higher_is_better else value)

    pairs = sorted(experts_and_scores, key=lambda pair: (score_key(pair[1]), pair[0].name, pair[0].pk))
    threshold = max(min_scored, 1)
    entries, rank, previous_key = [], 0, None
    for position, (expert, scores) in enumerate((pair for pair in pairs if pair[1].scored >= threshold), start=1):
        if score_key(scores) != previous_key:
            rank, previous_key = position, score_key(scores)
        entries.append(LeaderboardEntry(expert, scores, rank))
    entries.extend(LeaderboardEntry(expert, scores, None) for expert, scores in pairs if scores.scored < threshold)
    return entries


def default_min_scored():
    """Fewest scored questions for an expert to be ranked: settings.HINDSIGHT_MIN_SCORED."""
    return settings.HINDSIGHT_MIN_SCORED


def leaderboard_entries(*, min_scored=None, order="shrunk_brier", topic=None, made_after=None, made_before=None):
    """Every expert ranked by `order`, best first; those below `min_scored` scored questions follow, unranked.

    Without filters: the stored ExpertScore rows, as a lazy RankedExperts sequence (one query per
    slice, one to count). With a topic (a Topic) or a claim date range (inclusive dates): the
    experts with a claim in that subset, their scores recomputed over the scored questions whose
    counting claim is in it — a list, from a fixed number of queries whatever the number of rows (on
    PostgreSQL the rows are computed in one statement).
    `min_scored` defaults to settings.HINDSIGHT_MIN_SCORED. Each entry's scores carry
    `shrunk_brier`, shrunk toward chance (scoring.shrunk_brier), as unfiltered.
    """
    if min_scored is None:
        min_scored = default_min_scored()
    if topic is None and made_after is None and made_before is None:
        # Columns the leaderboard never shows: without them the rows sorted for RANK() are ~10x
        # narrower (calibration is ~1.7 kB of JSON) and the sort stays in work_mem instead of spilling to disk.
        reference = _panel_entry(PanelScore.objects.all(), order)
        position = _stored_position(reference.scores, min_scored, order) if reference else None
        return RankedExperts(
            ranked_experts(Expert.objects.all(), min_scored=min_scored, order=order).defer(
                "bio", "links", "created_at", "updated_at", "score__calibration", "score__updated_at"
            ),
            reference, position,
        )
    rows = _subset_expert_scores(topic, made_after, made_before)
    pairs = []
    for expert in Expert.objects.filter(pk__in=list(rows)).order_by():
        scores = rows[expert.pk]
        scores.expert = expert
        pairs.append((expert, scores))
    k = default_shrink_k()
    for _, scores in pairs:
        scores.shrunk_brier = scoring.shrunk_brier(scores.brier, scores.scored, k)
    entries = _rank_in_memory(pairs, min_scored, order)
    # The panel is recomputed over a topic's questions; claim dates select claims, not questions, so
    # a date-filtered leaderboard has no panel row.
    if made_after is None and made_before is None:
        reference = _panel_entry(PanelScore.objects.filter(question__topics=topic), order)
        if reference is not None:
            field, higher_is_better = LEADERBOARD_ORDERS[order]
            value = getattr(reference.scores, field)
            entries.insert(sum(_beats(entry, field, value, higher_is_better) for entry in entries), reference)
    return entries


def _subset_expert_scores(topic, made_after, made_before):
    """{expert_id: unsaved ExpertScore} over the claims of a topic and/or date range: computed by PostgreSQL in
    one statement (forecasts.score_sql), elsewhere in Python from the stored per-question scores."""
    if score_table.set_based():
        return score_sql.subset_expert_rows(topic=topic, made_after=made_after, made_before=made_before)
    claims = Claim.objects.all()
    question_scores = QuestionScore.objects.all()
    if topic is not None:
        claims = claims.filter(question__topics=topic)
        question_scores = question_scores.filter(question__topics=topic)
    if made_after is not None:
        claims = claims.filter(made_on__gte=made_after)
        question_scores = question_scores.filter(claim__made_on__gte=made_after)
    if made_before is not None:
        claims = claims.filter(made_on__lte=made_before)
        question_scores = question_scores.filter(claim__made_on__lte=made_before)
    results = results_by_expert(question_scores)
    counts = question_counts(claims)
    # question_counts has a row for every expert with a claim in the subset, and only for those.
    return {
        expert_id: expert_score_row(expert_id, results.get(expert_id, []), expert_counts)
        for expert_id, expert_counts in counts.items()
    }


def _beats(entry, field, value, higher_is_better):
    """Whether a ranked entry goes before a reference row with this value (better, or tied)."""
    own = getattr(entry.scores, field)
    if not entry.ranked or own is None:
        return False
    return own >= value if higher_is_better else own <= value


def _panel_entry(panel_scores, order):
    """The panel's LeaderboardEntry over these PanelScore rows, or None (no panel, or no value for the order)."""
    scores = pseudo_expert.panel_aggregate(panel_scores, shrink_k=default_shrink_k())
    if scores is None or getattr(scores, LEADERBOARD_ORDERS[order][0]) is None:
        return None
    return LeaderboardEntry(expert=pseudo_expert.panel_expert(), scores=scores, rank=None, pseudo=True)


def _stored_position(scores, min_scored, order):
    """Where a row with these scores falls among the ranked experts: after every one better or tied."""
    field, higher_is_better = LEADERBOARD_ORDERS[order]
    value = getattr(scores, field)
    lookup = "shrunk_brier" if field == "shrunk_brier" else f"score__{field}"
    comparison = "gte" if higher_is_better else "lte"
    return (
        Expert.objects.filter(score__scored__gte=max(min_scored, 1))
        .annotate(shrunk_brier=shrunk_brier_expression())
        .filter(**{f"{lookup}__{comparison}": value})
        .count()
    )


def _with_claim_scores(claims):
    """Claims annotated with the Brier and peer score they earned (None unless the claim counts)."""
    score = QuestionScore.objects.filter(claim_id=OuterRef("pk"))
    return claims.annotate(
        score_brier=Subquery(score.values("brier")[:1]),
        score_peer=Subquery(score.values("peer_score")[:1]),
    )


_STATUS_FILTERS = {
    "open": Q(question__resolution__isnull=True),
    "right": Q(score_brier__lt=RIGHT_BELOW_BRIER),
    "wrong": Q(score_brier__gte=RIGHT_BELOW_BRIER),
    "unscored": Q(question__resolution__isnull=False, score_brier__isnull=True),
}


def claim_status(claim):
    """open, right, wrong or unscored (see CLAIM_STATUSES) for a claim read through this module."""
    if not claim.question.is_resolved:
        return "open"
    if claim.score_brier is None:
        return "unscored"
    return "right" if claim.score_brier < RIGHT_BELOW_BRIER else "wrong"


def _claims_with_status(claims):
    claims = list(claims)
    for claim in claims:
        claim.status = claim_status(claim)
    return claims


def expert_status_counts(expert):
    """{status: number of the expert's claims} for every status in CLAIM_STATUSES, in one query."""
    claims = _with_claim_scores(Claim.objects.filter(expert=expert))
    return claims.aggregate(**{status: Count("pk", filter=_STATUS_FILTERS[status]) for status in CLAIM_STATUSES})


def expert_track_record(expert, *, status=None):
    """The expert's claims, newest first, each with its question, resolution, source, score and status.

    `status` (one of CLAIM_STATUSES) keeps only those claims. One query.
    """
    claims = _with_claim_scores(
        Claim.objects.filter(expert=expert).select_related("source", "question", "question__resolution")
    )
    if status is not None:
        claims = claims.filter(_STATUS_FILTERS[status])
    return _claims_with_status(claims.order_by("-made_on", "-pk"))


def expert_for_page(slug):
    """The expert with the given slug and its score row: a queryset for get_object_or_404."""
    return Expert.objects.with_score().filter(slug=slug)


def question_for_page():
    """Questions with their resolution, condition (and its resolution) and topics: for get_object_or_404
    (two queries)."""
    return Question.objects.with_resolution().select_related("condition__resolution").prefetch_related("topics")


def question_claims(question):
    """Every claim on the question by expert name, latest first, each with its score and why it
    does or does not count: `counts` (True for the scored claim), `late` (made after the deadline)."""
    claims = _with_claim_scores(question.claims.select_related("expert", "source")).order_by(
        "expert__name", "expert_id", "-made_on", "-pk"
    )
    claims = list(claims)
    for claim in claims:
        claim.question = question  # already loaded; saves a query per claim
        claim.status = claim_status(claim)
        claim.counts = claim.score_brier is not None
        claim.late = claim.made_on > question.deadline
    return claims


def source_for_page():
    """Sources with their authors: for get_object_or_404 (two queries)."""
    return Source.objects.with_authors()


def article_pieces(source, groups):
    """The source's article text cut into (text, claim or None) pieces, each claim's quote one piece.

    Stored offsets are used while they still frame the quote; otherwise (the text was edited) the
    quote is found again, and a quote no longer in the text is simply not highlighted.
    """
    text = source.article_text or ""
    if not text.strip():
        return []
    spans = []
    for _, claims in groups:
        for claim in claims:
            span = (claim.quote_start, claim.quote_end) if quote_offsets_hold(claim, text) else locate_quote(text, claim.quote)
            if span:
                spans.append((span[0], span[1], claim))
    return highlight_spans(text, spans)


def source_claims(source):
    """Every claim taken from the source, grouped by expert (by name), in recorded order within
    each expert: [(expert, [claims])], each claim with its question, resolution, score and status."""
    claims = _with_claim_scores(
        source.claims.select_related("expert", "question", "question__resolution")
    ).order_by("expert__name", "expert_id", "pk")
    grouped = defaultdict(list)
    for claim in _claims_with_status(claims):
        grouped[claim.expert].append(claim)
    return list(grouped.items())
