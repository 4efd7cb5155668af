"""Public pages and their CSV downloads: plain views reading through forecasts.selectors.

Every page does a fixed number of queries whatever the number of rows, and may be cached by
browsers and proxies for a minute (the scores change only when an analyst writes).
"""

import csv
import math
from statistics import fmean

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from forecasts import (
    charts, read_model, score_display, scoring, selectors, selectors_claims, selectors_hedges, selectors_panel,
    selectors_record,
)
from forecasts.charts import calibration_chart, interval_bar, read_decomposition
from forecasts.models import Topic
from forecasts.serializers import LeaderboardQuerySerializer
from sources.spreadsheets import csv_cell

public_page = cache_control(public=True, max_age=60)
LEADERBOARD_PAGE_SIZE = 100
LEADERBOARD_BAR_WIDTH = 160  # SVG units of the Brier interval bar, drawn 10rem wide
# The leading sortable columns (lower is better); the registry's other scores follow (score_display).
LEADING_COLUMNS = [("shrunk_brier", "Ranking Brier"), ("brier", "Brier")]


@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, which browsers ask for on every page (the admin's too): a redirect to the static icon."""
    return redirect(static("forecasts/favicon.ico"))


def _leaderboard_params(request):
    """The validated leaderboard parameters (the API's), or None and the errors by parameter."""
    params = LeaderboardQuerySerializer(data=request.GET)
    if params.is_valid():
        return params.validated_data, {}
    return None, params.errors


@public_page
def leaderboard(request):
    """Experts ranked by a score (the shrunk Brier by default); filterable by topic and claim dates; paginated."""
    topics = list(Topic.objects.order_by("name"))
    params, errors = _leaderboard_params(request)
    context = {
        "topics": topics,
        "errors": errors,
        "filters": request.GET,
        "order": request.GET.get("order") or next(iter(selectors.LEADERBOARD_ORDERS)),
        "columns": LEADING_COLUMNS,
        "secondary": score_display.SECONDARY_SCORES,
        "min_scored": selectors.default_min_scored(),
        "shrink_k": selectors.default_shrink_k(),
    }
    if errors:
        return render(request, "forecasts/leaderboard.html", context, status=400)
    page = _leaderboard_page(params, request.GET.get("page"))
    brier = scoring.registry.get("brier")
    rows = [
        (
            entry,
            interval_bar(entry.scores.brier, entry.scores.brier_ci_low, entry.scores.brier_ci_high, width=LEADERBOARD_BAR_WIDTH)
            if entry.ranked or entry.pseudo else None,
            score_display.score_cells(entry.scores),
            score_display.verdict_text(brier, entry.scores.brier),
        )
        for entry in page
    ]
    context.update(
        page=page,
        rows=rows,
        min_scored=params.get("min_scored", context["min_scored"]),
        topic=params.get("topic"),
        made_after=params.get("made_after"),
        made_before=params.get("made_before"),
        filtered=any(name in params for name in ("topic", "made_after", "made_before")),
    )
    return render(request, "forecasts/leaderboard.html", context)


def _leaderboard_page(params, number):
    """The page of leaderboard entries, from the read model (one cache round trip) while no score changes; a
    filtered one (topic, claim dates) is computed once per score version and filter."""

    def compute():
        page = Paginator(selectors.leaderboard_entries(**params), LEADERBOARD_PAGE_SIZE).get_page(number)
        return page.paginator.count, page.number, list(page.object_list)

    named = {**params, "topic": params["topic"].slug} if params.get("topic") is not None else params
    key = read_model.answer_key(
        "leaderboard-page", sorted(named.items()), number, settings.HINDSIGHT_MIN_SCORED, settings.HINDSIGHT_SHRINK_K
    )
    count, number, entries = read_model.cached(key, compute)
    return Page(entries, number, Paginator(_Counted(count), LEADERBOARD_PAGE_SIZE))


class _Counted:
    """Stands for a sequence of `count` items whose page is already known (for a Paginator's page count)."""

    def __init__(self, count):
        self._count = count

    def count(self):
        return self._count


LEADERBOARD_CSV_COLUMNS = [
    "rank", "expert", "expert_slug", "affiliation", "scored_questions", "shrunk_brier", *score_display.csv_header(),
    "open_questions", "unscorable_questions", "late_questions",
]


def _csv_response(filename, header, rows):
    """A CSV download; every cell through csv_cell (no formulas, floats rounded to 6 decimals)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return response


def _bad_request(request, errors):
    return render(request, "forecasts/bad_request.html", {"errors": errors}, status=400)


@public_page
def leaderboard_csv(request):
    """The leaderboard (same parameters as the page, every row) as a CSV download."""
    params, errors = _leaderboard_params(request)
    if errors:
        return _bad_request(request, errors)
    rows = (_leaderboard_csv_row(entry) for entry in selectors.leaderboard_entries(**params))
    return _csv_response("hindsight-leaderboard.csv", LEADERBOARD_CSV_COLUMNS, rows)


def _leaderboard_csv_row(entry):
    scores = entry.scores
    if entry.pseudo:
        rank = "reference"
    else:
        rank = entry.rank if entry.ranked else "insufficient record"
    return [
        rank, entry.expert.name, entry.expert.slug, entry.expert.affiliation,
        scores.scored, scores.shrunk_brier, *score_display.csv_values(scores),
        scores.open, scores.unscorable, scores.late,
    ]


def _status_param(request):
    """The track record's ?status= (None for all claims), or an error naming the parameter."""
    status = request.GET.get("status") or None
    if status is not None and status not in selectors.CLAIM_STATUSES:
        return None, {"status": [f"Must be one of: {', '.join(selectors.CLAIM_STATUSES)}."]}
    return status, {}


@public_page
def expert_detail(request, slug):
    """An expert's scores, calibration chart, Murphy decomposition in words and track record."""
    expert = get_object_or_404(selectors.expert_for_page(slug))
    status, errors = _status_param(request)
    if errors:
        return _bad_request(request, errors)
    score = selectors.stored_score(expert)
    reading = None
    if score.reliability is not None:
        reading = read_decomposition(
            reliability=score.reliability, resolution=score.resolution, uncertainty=score.uncertainty,
            bins=score.calibration, scored=score.scored,
        )
    counts = selectors.expert_status_counts(expert)
    return render(request, "forecasts/expert_detail.html", {
        "expert": expert,
        "score": score,
        "cards": score_display.score_cards(score),
        "interval": interval_bar(score.brier, score.brier_ci_low, score.brier_ci_high) if score.scored else None,
        "chart": calibration_chart(score.calibration),
        "reading": reading,
        "claims": selectors.expert_track_record(expert, status=status),
        "status": status,
        "status_tabs": [(None, "All", sum(counts.values()))]
        + [(name, name.capitalize(), counts[name]) for name in selectors.CLAIM_STATUSES],
        "right_below": selectors.RIGHT_BELOW_BRIER,
        "record": selectors_record.expert_record(expert),
        "versus_candidates": selectors_panel.versus_candidates(expert),
        "hedges": selectors_hedges.hedge_table(expert) if score.scored else None,
    })


EXPERT_CLAIMS_CSV_COLUMNS = [
    "made_on", "expert_slug", "question_id", "question", "source_id", "source", "source_url", "quote",
    "hedge", "probability_yes", "probability_origin", "outcome", "status", "brier", "peer_score",
]


@public_page
def expert_claims_csv(request, slug):
    """An expert's track record (optionally ?status=) as a CSV download."""
    expert = get_object_or_404(selectors.expert_for_page(slug))
    status, errors = _status_param(request)
    if errors:
        return _bad_request(request, errors)
    rows = (
        [
            claim.made_on.isoformat(), expert.slug, claim.question_id, claim.question.title,
            claim.source_id, claim.source.title, claim.source.url, claim.quote,
            claim.hedge, claim.probability, claim.probability_origin,
            claim.question.resolution.outcome if claim.question.is_resolved else "",
            claim.status, claim.score_brier, claim.score_peer,
        ]
        for claim in selectors.expert_track_record(expert, status=status)
    )
    return _csv_response(f"hindsight-{expert.slug}-claims.csv", EXPERT_CLAIMS_CSV_COLUMNS, rows)


@public_page
def question_detail(request, pk):
    """A question: criteria, deadline, outcome with evidence, and every expert's claim and score on it."""
    question = get_object_or_404(selectors.question_for_page(), pk=pk)
    claims = selectors.question_claims(question)
    return render(
        request, "forecasts/question_detail.html",
        {"question": question, "claims": claims, "panel": selectors_panel.panel_of_claims(claims, question.deadline)},
    )


# A source page with more claims than this, or with several experts, shows each expert's claims and the
# article text collapsed (a line per expert, with counts): the NK News roundup (nine experts, 67 claims) is
# 1,400 px tall on a desktop and 2,200 px on a 390 px phone, where it was 10,200 px with everything shown.
SOURCE_CLAIMS_SHOWN_OPEN = 8


def _collapse_claims(groups):
    return len(groups) > 1 or sum(len(claims) for _, claims in groups) > SOURCE_CLAIMS_SHOWN_OPEN


@public_page
def source_detail(request, pk):
    """A source's metadata, its article text and every claim taken from it, by expert."""
    source = get_object_or_404(selectors.source_for_page(), pk=pk)
    groups = selectors.source_claims(source)
    pieces = selectors.article_pieces(source, groups)
    return render(request, "forecasts/source_detail.html", {
        "source": source,
        "groups": selectors_claims.claim_groups(groups),
        "pieces": pieces,
        "claim_count": sum(len(claims) for _, claims in groups),
        "collapse": _collapse_claims(groups),
    })


# The worked example on "How scores work": three experts on one question, then one expert's record.
EXAMPLE_OUTCOME = 1
EXAMPLE_FORECASTS = [("A", "very likely", 0.875), ("B", "roughly even chance", 0.5), ("C", "unlikely", 0.325)]
EXAMPLE_RECORD = [
    (0.875, 1), (0.875, 1), (0.875, 1), (0.875, 0), (0.675, 1),
    (0.675, 0), (0.675, 0), (0.325, 0), (0.125, 0), (0.125, 0),
]
# The ranking example: a newcomer's one lucky call against a steady record of seven questions with a
# mean Brier of 0.10, both shrunk toward chance (scoring.CHANCE_BRIER).
EXAMPLE_LUCKY = [(0.97, 1)]
EXAMPLE_STEADY = (7, 0.10)
# Two identical per-question scores (p = 0.675 twice, both YES): s = 0, so the floor sets the width.
EXAMPLE_IDENTICAL = [(0.675, 1), (0.675, 1)]


def worked_example():
    """The numbers of the worked example, every one computed by forecasts.scoring."""
    probabilities = [p for _, _, p in EXAMPLE_FORECASTS]
    peers = scoring.peer_scores(probabilities, EXAMPLE_OUTCOME)
    relatives = scoring.registry.get("relative_brier").per_question(probabilities, EXAMPLE_OUTCOME)
    panel_median = scoring.median(probabilities)
    question = [
        {
            "expert": name, "hedge": hedge, "p": p,
            "p_outcome": scoring.probability_of_outcome(p, EXAMPLE_OUTCOME),
            "brier": scoring.brier_score(p, EXAMPLE_OUTCOME),
            "skill": scoring.brier_skill(scoring.brier_score(p, EXAMPLE_OUTCOME)),
            "log": scoring.log_score(p, EXAMPLE_OUTCOME),
            "baseline": scoring.baseline_score(p, EXAMPLE_OUTCOME),
            "peer": peer,
            "relative": relative,
        }
        for (name, hedge, p), peer, relative in zip(EXAMPLE_FORECASTS, peers, relatives)
    ]
    briers = [scoring.brier_score(p, outcome) for p, outcome in EXAMPLE_RECORD]
    mean_brier = sum(briers) / len(briers)
    low, high = scoring.mean_brier_interval(briers)
    bins = scoring.calibration_bins(EXAMPLE_RECORD)
    decomposition = scoring.murphy_decomposition(EXAMPLE_RECORD)
    k = selectors.default_shrink_k()
    lucky_brier = fmean(scoring.brier_score(p, outcome) for p, outcome in EXAMPLE_LUCKY)
    identical = [scoring.brier_score(p, outcome) for p, outcome in EXAMPLE_IDENTICAL]
    return {
        "outcome": "YES" if EXAMPLE_OUTCOME else "NO",
        "question": question,
        "panel": {"median": panel_median, "brier": scoring.brier_score(panel_median, EXAMPLE_OUTCOME)},
        "log_half": math.log(0.5),
        "record": [{"p": p, "outcome": "YES" if o else "NO", "brier": b} for (p, o), b in zip(EXAMPLE_RECORD, briers)],
        "record_brier": mean_brier,
        "record_skill": scoring.brier_skill(mean_brier),
        "record_interval": (low, high),
        "record_t": scoring.t_critical_95(len(briers) - 1),
        "record_n": len(briers),
        "ranking": {
            "k": k,
            "chance": scoring.CHANCE_BRIER,
            "steady_n": EXAMPLE_STEADY[0],
            "steady_brier": EXAMPLE_STEADY[1],
            "steady_shrunk": scoring.shrunk_brier(EXAMPLE_STEADY[1], EXAMPLE_STEADY[0], k),
            "record_shrunk": scoring.shrunk_brier(mean_brier, len(briers), k),
            "lucky_p": EXAMPLE_LUCKY[0][0],
            "lucky_brier": lucky_brier,
            "lucky_shrunk": scoring.shrunk_brier(lucky_brier, len(EXAMPLE_LUCKY), k),
        },
        "identical": {"brier": identical[0], "n": len(identical), "interval": scoring.mean_brier_interval(identical)},
        "sd_floor": scoring.BRIER_SD_FLOOR,
        "bins": bins,
        "chart": calibration_chart(bins, dom_id="example-calibration"),
        "decomposition": decomposition,
        "decomposition_total": decomposition.reliability - decomposition.resolution + decomposition.uncertainty,
        "reading": read_decomposition(
            reliability=decomposition.reliability, resolution=decomposition.resolution,
            uncertainty=decomposition.uncertainty, bins=bins, scored=len(briers),
        ),
        # The same thresholds applied to the ten questions anyway, to show the words a longer record gets.
        "reading_anyway": read_decomposition(
            reliability=decomposition.reliability, resolution=decomposition.resolution,
            uncertainty=decomposition.uncertainty, bins=bins, scored=len(briers), min_scored=0,
        ),
    }


def _widest_half_width(n):
    """Half the width of the 95 % Wilson interval of a 50 % frequency over n questions (its widest)."""
    low, high = scoring.wilson_interval(n / 2, n)
    return (high - low) / 2


@public_page
def how_scores_work(request):
    """What each score means, with a worked example computed by forecasts.scoring."""
    return render(request, "forecasts/how_scores_work.html", {
        "example": worked_example(),
        "min_scored": selectors.default_min_scored(),
        "right_below": selectors.RIGHT_BELOW_BRIER,
        "thresholds": {
            "well_calibrated": charts.WELL_CALIBRATED_RELIABILITY,
            "direction": charts.CONSISTENT_DIRECTION,
            "discriminates_well": charts.DISCRIMINATES_WELL_SHARE,
            "discriminates_somewhat": charts.DISCRIMINATES_SOMEWHAT_SHARE,
            "reading_min": charts.READING_MIN_SCORED,
            "reading_half_width": _widest_half_width(charts.READING_MIN_SCORED),
        },
    })
