"""Intake benchmark: the suggestion engine against the curated seed claims.

Runs `forecasts.suggest.suggest_claims` on every seed article (seeds/*.yaml with their texts in
seeds/articles/) and compares with the curated claims as gold, matched by quote overlap. Prints
one row per article and a total: recall, precision, speaker right, side right, deadline right,
time per article, and an anchor (pysbd segmentation alone) with the engine/anchor ratio.

    python bench/intake.py            # all seed articles
    python bench/intake.py --tiny     # one article, for CI
"""

import argparse
import pathlib
import re
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forecasts.suggest import normalise_hedge, suggest_claims  # noqa: E402
from forecasts.suggest import seed_reader  # noqa: E402
from forecasts.suggest.sentences import SEGMENTER, paragraphs  # noqa: E402

TARGETS = {"recall": 0.90, "precision": 0.50, "speaker": 0.95, "side": 0.90, "seconds": 1.0}
DEADLINE_TOLERANCE_DAYS = 31
# A suggestion matches a gold claim when they share at least this share of the shorter quote.
MIN_OVERLAP = 0.5
# Loads pysbd's and dateparser's data once (about 0.5 s) before anything is timed.
WARM_UP = "Warm-up. It will rain next week, on Thursday, by May 2020 and on December 22, 2019."
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})


def quote_span(text, quote):
    """(start, end) of a curated quote in the article, matching white space and quote marks loosely."""
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = [re.escape(word.translate(_FOLD)) for word in quote.split()]
    pattern = re.compile(r"\s+".join(words))
    match = pattern.search(text.translate(_FOLD))
    return (match.start(), match.end()) if match else None


def gold_probability(claim, scale):
    """p(YES) of a curated claim: stated, or derived from its hedge as the seed loader does."""
    if claim.get("probability") is not None:
        return float(claim["probability"])
    phrase = normalise_hedge(claim.get("hedge") or "will")
    value = scale.get(phrase)
    if value is None:
        value = scale.get(re.sub(r"^(?:i|we) ", "", phrase))
    if value is None:
        return None
    return 1 - value if claim.get("predicts") == "no" else value


def overlap(a_start, a_end, b_start, b_end):
    """Shared characters as a share of the shorter span."""
    shared = min(a_end, b_end) - max(a_start, b_start)
    return max(shared, 0) / max(min(a_end - a_start, b_end - b_start), 1)


def time_call(function, repeats):
    """Median wall time and median CPU time of `repeats` calls, and the last result.

    CPU time (this process only) is shown beside wall time because the machine's cores are
    shared: wall time grows with other processes' load, CPU time much less.
    """
    wall, cpu, result = [], [], None
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def measure(source, scale, experts, questions, deadlines, repeats):
    """One article's counts and timings."""
    seconds, cpu, suggestions = time_call(
        lambda: suggest_claims(
            source.text, published=source.published, hedges=scale, experts=experts,
            questions=questions, authors=source.authors,
        ),
        repeats,
    )
    # The anchor: pysbd alone on every paragraph of the article, what any pipeline must pay.
    anchor, _, _ = time_call(lambda: [list(SEGMENTER.segment(p.text)) for p in paragraphs(source.text)], repeats)
    row = {"article": source.slug, "gold": 0, "found": 0, "suggested": len(suggestions), "useful": 0,
           "speaker": 0, "side": 0, "side_n": 0, "deadline": 0, "deadline_n": 0, "question": 0, "question_n": 0,
           "seconds": seconds, "cpu": cpu, "anchor": anchor, "missed": []}
    useful = set()
    for claim in source.claims:
        span = quote_span(source.text, claim["quote"])
        if span is None:
            continue
        row["gold"] += 1
        scored = [(overlap(*span, s.start, s.end), index) for index, s in enumerate(suggestions)]
        matches = [(share, index) for share, index in scored if share >= MIN_OVERLAP]
        if not matches:
            row["missed"].append(claim["quote"])
            continue
        row["found"] += 1
        useful.update(index for _, index in matches)
        best = suggestions[max(matches)[1]]
        row["speaker"] += bool(best.speaker and best.speaker.slug == claim["expert"])
        gold_p = gold_probability(claim, scale)
        if gold_p is not None and gold_p != 0.5 and best.probability is not None:
            row["side_n"] += 1
            row["side"] += (best.probability > 0.5) == (gold_p > 0.5)
        if claim.get("question") in {question.slug for question in questions}:
            row["question_n"] += 1
            row["question"] += bool(best.question and best.question.slug == claim["question"])
        gold_deadline = deadlines.get(claim.get("question"))
        if gold_deadline:
            row["deadline_n"] += 1
            row["deadline"] += bool(best.deadline and abs((best.deadline - gold_deadline).days) <= DEADLINE_TOLERANCE_DAYS)
    row["useful"] = len(useful)
    return row


def _share(part, whole):
    return f"{100 * part / whole:5.1f} %" if whole else "    – "


def print_table(rows):
    """The per-article table and the total line."""
    header = (f"{'article':48} {'gold':>4} {'sugg':>4} {'recall':>8} {'precision':>9} {'speaker':>8} "
              f"{'side':>8} {'deadline':>8} {'question':>8} {'ms':>6} {'cpu ms':>6} {'pysbd ms':>8} {'ratio':>5}")
    print(header)
    print("-" * len(header))
    total = {key: 0 for key in ("gold", "found", "suggested", "useful", "speaker", "side", "side_n", "deadline", "deadline_n",
                                     "question", "question_n")}
    for row in rows + [None]:
        if row is None:
            row = {**total, "article": "TOTAL", "seconds": max(r["seconds"] for r in rows), "cpu": max(r["cpu"] for r in rows),
                   "anchor": max(r["anchor"] for r in rows)}
            print("-" * len(header))
        else:
            for key in total:
                total[key] += row[key]
        print(
            f"{row['article'][:48]:48} {row['gold']:>4} {row['suggested']:>4} {_share(row['found'], row['gold']):>8} "
            f"{_share(row['useful'], row['suggested']):>9} {_share(row['speaker'], row['found']):>8} "
            f"{_share(row['side'], row['side_n']):>8} {_share(row['deadline'], row['deadline_n']):>8} "
            f"{_share(row['question'], row['question_n']):>8} "
            f"{1000 * row['seconds']:>6.0f} {1000 * row['cpu']:>6.0f} {1000 * row['anchor']:>8.0f} {row['seconds'] / max(row['anchor'], 1e-9):>5.1f}"
        )
    print("ms = wall time, cpu ms = this process's CPU time (medians); TOTAL shows the slowest article's.")
    print("pysbd ms = the anchor, pysbd alone on every paragraph; ratio = engine wall time / anchor wall time.")
    print("question = matched to the gold question, where that question was raised by an earlier source.")
    met = {
        "recall": total["found"] / max(total["gold"], 1) >= TARGETS["recall"],
        "precision": total["useful"] / max(total["suggested"], 1) >= TARGETS["precision"],
        "speaker": total["speaker"] / max(total["found"], 1) >= TARGETS["speaker"],
        "side": total["side"] / max(total["side_n"], 1) >= TARGETS["side"],
        "seconds": max(r["cpu"] for r in rows) < TARGETS["seconds"],
    }
    print("targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in met.items()))
    return all(met.values())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default=str(ROOT / "seeds"), help="folder of the seed files (default: seeds/)")
    parser.add_argument("--tiny", action="store_true", help="one article only (CI)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per article; the median is shown")
    parser.add_argument("--missed", action="store_true", help="list the gold quotes no suggestion matched")
    args = parser.parse_args(argv)

    scale = seed_reader.default_hedge_scale(args.seeds)
    experts = seed_reader.known_experts(args.seeds)
    sources = seed_reader.seed_sources(args.seeds)
    deadlines = {question.slug: question.deadline for question in seed_reader.known_questions(args.seeds)}
    if args.tiny:
        sources = sources[:1]
    # Warm-up: the first call loads pysbd's and dateparser's data.
    suggest_claims(WARM_UP, published=sources[0].published, hedges=scale)
    rows = []
    for source in sources:
        # Known questions are those raised by earlier sources, as the database would hold them
        # when this article arrives; the article's own questions are the gold, not an input.
        questions = seed_reader.known_questions(args.seeds, published_before=source.published)
        rows.append(measure(source, scale, experts, questions, deadlines, args.repeats))
    met = print_table(rows)
    if args.missed:
        for row in rows:
            for quote in row["missed"]:
                print(f"missed [{row['article']}]: {quote[:140]}")
    return 0 if met or args.tiny else 1


if __name__ == "__main__":
    sys.exit(main())
