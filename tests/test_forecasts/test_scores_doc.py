"""The worked example of docs/scores.md: three experts, four questions, every number by hand.

The example is data (EXAMPLE_*), every number the document shows is written below as plain
arithmetic from the formulas (EXPECTED), and the tests check EXPECTED against (a) the tables of
docs/scores.md, so the document cannot drift, and (b) the pure functions of forecasts.scoring.
API-level tests can build the same example through the factories from EXAMPLE_QUESTIONS and
EXAMPLE_CLAIMS (with EXAMPLE_SCALE as the default hedge scale) and compare with EXPECTED.
No database.
"""

import datetime
import math
import re
from pathlib import Path

import pytest
from django.conf import settings

from forecasts import scoring

DOC = Path(__file__).resolve().parents[2] / "docs" / "scores.md"

# Constants of the formulas, written out here rather than read from the code under test.
K = 5  # HINDSIGHT_SHRINK_K, its default
CHANCE = 0.25  # Brier of always saying 50 %
SD_FLOOR = 0.1  # smallest spread a mean-Brier interval is built from
Z = 1.959963984540054  # the normal 97.5 % quantile (Wilson)
T95 = {1: 12.706, 2: 4.303, 3: 3.182}  # Student t, two-sided 95 %, by degrees of freedom

# The hedge phrases of the default scale that the example uses.
EXAMPLE_SCALE = {"likely": 0.675, "unlikely": 0.325, "very likely": 0.875, "roughly even chance": 0.5, "doubt": 0.25}
# Scale X of the sensitivity example: illustrative, not a shipped scale.
EXAMPLE_SCALE_X = {"likely": 0.7, "unlikely": 0.4, "very likely": 0.9, "roughly even chance": 0.5, "doubt": 0.2}

EXAMPLE_EXPERTS = ["A", "B", "C"]
EXAMPLE_QUESTIONS = {
    "Q1": {"deadline": datetime.date(2019, 12, 31), "outcome": "yes"},
    "Q2": {"deadline": datetime.date(2020, 6, 30), "outcome": "no"},
    "Q3": {"deadline": datetime.date(2020, 12, 31), "outcome": "yes"},
    "Q4": {"deadline": datetime.date(2021, 6, 30), "outcome": "no"},
}
EXAMPLE_OUTCOMES = {"Q1": 1, "Q2": 0, "Q3": 1, "Q4": 0}

# In the order recorded (id = position + 1). Every probability comes from the hedge (origin "hedge");
# a NO-side claim stores 1 − p, rounded to 10 places as forecasts.hedges.probability_of_yes does.
EXAMPLE_CLAIMS = [
    # 1: superseded by claim 2 (A's later claim on Q1): never counts.
    {"id": 1, "expert": "A", "question": "Q1", "hedge": "doubt", "predicts": "yes", "probability": 0.25,
     "probability_origin": "hedge", "made_on": datetime.date(2019, 1, 15)},
    {"id": 2, "expert": "A", "question": "Q1", "hedge": "likely", "predicts": "yes", "probability": 0.675,
     "probability_origin": "hedge", "made_on": datetime.date(2019, 3, 1)},
    {"id": 3, "expert": "B", "question": "Q1", "hedge": "very likely", "predicts": "yes", "probability": 0.875,
     "probability_origin": "hedge", "made_on": datetime.date(2019, 3, 10)},
    {"id": 4, "expert": "C", "question": "Q1", "hedge": "roughly even chance", "predicts": "yes", "probability": 0.5,
     "probability_origin": "hedge", "made_on": datetime.date(2019, 4, 2)},
    {"id": 5, "expert": "A", "question": "Q2", "hedge": "unlikely", "predicts": "yes", "probability": 0.325,
     "probability_origin": "hedge", "made_on": datetime.date(2019, 5, 6)},
    {"id": 6, "expert": "B", "question": "Q2", "hedge": "doubt", "predicts": "yes", "probability": 0.25,
     "probability_origin": "hedge", "made_on": datetime.date(2019, 5, 20)},
    {"id": 7, "expert": "C", "question": "Q2", "hedge": "very likely", "predicts": "no",
     "probability": round(1 - 0.875, 10), "probability_origin": "hedge", "made_on": datetime.date(2019, 6, 3)},
    {"id": 8, "expert": "A", "question": "Q3", "hedge": "likely", "predicts": "yes", "probability": 0.675,
     "probability_origin": "hedge", "made_on": datetime.date(2020, 2, 11)},
    {"id": 9, "expert": "B", "question": "Q3", "hedge": "unlikely", "predicts": "yes", "probability": 0.325,
     "probability_origin": "hedge", "made_on": datetime.date(2020, 3, 4)},
    # 10: made after Q3's deadline: kept, never scored, unscorable for falsifiability.
    {"id": 10, "expert": "C", "question": "Q3", "hedge": "very likely", "predicts": "yes", "probability": 0.875,
     "probability_origin": "hedge", "made_on": datetime.date(2021, 1, 15)},
    {"id": 11, "expert": "A", "question": "Q4", "hedge": "likely", "predicts": "no",
     "probability": round(1 - 0.675, 10), "probability_origin": "hedge", "made_on": datetime.date(2020, 9, 14)},
]
COUNTING_CLAIM_IDS = {"Q1": {"A": 2, "B": 3, "C": 4}, "Q2": {"A": 5, "B": 6, "C": 7}, "Q3": {"A": 8, "B": 9}, "Q4": {"A": 11}}


def _ln(x):
    return math.log(x)


def _baseline(p_o):
    return 100 * (math.log2(p_o) + 1)


def _sd(values, mean):
    """Sample standard deviation, written out: √(Σ (x − mean)² / (n − 1))."""
    return math.sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))


# Per counting claim: p(YES), p_o (the probability given to what happened), Brier, log, baseline.
CLAIM_SCORES = {
    ("A", "Q1"): {"probability": 0.675, "p_o": 0.675, "brier": (0.675 - 1) ** 2},
    ("B", "Q1"): {"probability": 0.875, "p_o": 0.875, "brier": (0.875 - 1) ** 2},
    ("C", "Q1"): {"probability": 0.5, "p_o": 0.5, "brier": (0.5 - 1) ** 2},
    ("A", "Q2"): {"probability": 0.325, "p_o": 1 - 0.325, "brier": (0.325 - 0) ** 2},
    ("B", "Q2"): {"probability": 0.25, "p_o": 1 - 0.25, "brier": (0.25 - 0) ** 2},
    ("C", "Q2"): {"probability": 0.125, "p_o": 1 - 0.125, "brier": (0.125 - 0) ** 2},
    ("A", "Q3"): {"probability": 0.675, "p_o": 0.675, "brier": (0.675 - 1) ** 2},
    ("B", "Q3"): {"probability": 0.325, "p_o": 0.325, "brier": (0.325 - 1) ** 2},
    ("A", "Q4"): {"probability": 0.325, "p_o": 1 - 0.325, "brier": (0.325 - 0) ** 2},
}
for _scores in CLAIM_SCORES.values():
    _scores["log_score"] = _ln(_scores["p_o"])
    _scores["baseline_score"] = _baseline(_scores["p_o"])

# Peer: 100 · (ln p_o(i) − mean of the others' ln p_o). Q4 has A alone: no peer score.
PEER = {
    ("A", "Q1"): 100 * (_ln(0.675) - (_ln(0.875) + _ln(0.5)) / 2),
    ("B", "Q1"): 100 * (_ln(0.875) - (_ln(0.675) + _ln(0.5)) / 2),
    ("C", "Q1"): 100 * (_ln(0.5) - (_ln(0.675) + _ln(0.875)) / 2),
    ("A", "Q2"): 100 * (_ln(0.675) - (_ln(0.75) + _ln(0.875)) / 2),
    ("B", "Q2"): 100 * (_ln(0.75) - (_ln(0.675) + _ln(0.875)) / 2),
    ("C", "Q2"): 100 * (_ln(0.875) - (_ln(0.675) + _ln(0.75)) / 2),
    ("A", "Q3"): 100 * (_ln(0.675) - _ln(0.325)),
    ("B", "Q3"): 100 * (_ln(0.325) - _ln(0.675)),
    ("A", "Q4"): None,
}
for _key, _peer in PEER.items():
    CLAIM_SCORES[_key]["peer_score"] = _peer

# The panel of each question: n, median, mean of the counting p(YES), and the panel median's Brier.
PANEL = {
    "Q1": {"n": 3, "median": 0.675, "mean": (0.675 + 0.875 + 0.5) / 3, "median_brier": (0.675 - 1) ** 2},
    "Q2": {"n": 3, "median": 0.25, "mean": (0.325 + 0.25 + 0.125) / 3, "median_brier": (0.25 - 0) ** 2},
    # n = 2: the median is the mean of the two middle values.
    "Q3": {"n": 2, "median": (0.675 + 0.325) / 2, "mean": (0.675 + 0.325) / 2, "median_brier": (0.5 - 1) ** 2},
    # n = 1: not in the pseudo-expert's record nor in anyone's relative Brier; its median's Brier is not used.
    "Q4": {"n": 1, "median": 0.325, "mean": 0.325, "median_brier": None},
}

BRIERS = {
    "A": [(0.675 - 1) ** 2, 0.325**2, (0.675 - 1) ** 2, 0.325**2],
    "B": [(0.875 - 1) ** 2, 0.25**2, (0.325 - 1) ** 2],
    "C": [(0.5 - 1) ** 2, 0.125**2],
    "panel": [(0.675 - 1) ** 2, 0.25**2, (0.5 - 1) ** 2],  # the pseudo-expert on Q1, Q2, Q3
}


def _mean_brier_steps(briers):
    """n, mean, s, the spread used (never below 0.1), t, half-width and the interval clipped to [0, 1]."""
    n = len(briers)
    mean = sum(briers) / n
    if n == 1:
        return {"n": 1, "mean": mean, "ci95": (0.0, 1.0)}
    spread = _sd(briers, mean)
    used = max(spread, SD_FLOOR)
    half = T95[n - 1] * used / math.sqrt(n)
    return {"n": n, "mean": mean, "s": spread, "s_used": used, "t": T95[n - 1], "half_width": half,
            "ci95": (max(0.0, mean - half), min(1.0, mean + half))}


def _difference_steps(differences):
    """Mean of differences with its Student-t interval: no spread floor, no clipping; none below n = 2."""
    n = len(differences)
    mean = sum(differences) / n
    if n < 2:
        return {"n": n, "mean": mean, "ci95": None}
    spread = _sd(differences, mean)
    half = T95[n - 1] * spread / math.sqrt(n)
    return {"n": n, "mean": mean, "s": spread, "t": T95[n - 1], "half_width": half,
            "ci95": (mean - half, mean + half)}


MEAN_BRIER_STEPS = {who: _mean_brier_steps(briers) for who, briers in BRIERS.items()}

# own Brier − panel-median Brier on the questions whose panel has n ≥ 2 and includes the expert.
RELATIVE_DIFFERENCES = {
    "A": [(0.675 - 1) ** 2 - (0.675 - 1) ** 2, 0.325**2 - 0.25**2, (0.675 - 1) ** 2 - (0.5 - 1) ** 2],
    "B": [(0.875 - 1) ** 2 - (0.675 - 1) ** 2, 0.25**2 - 0.25**2, (0.325 - 1) ** 2 - (0.5 - 1) ** 2],
    "C": [(0.5 - 1) ** 2 - (0.675 - 1) ** 2, 0.125**2 - 0.25**2],
}
RELATIVE_STEPS = {who: _difference_steps(differences) for who, differences in RELATIVE_DIFFERENCES.items()}

# Head to head A vs B: Brier of A − Brier of B on Q1, Q2, Q3 (Q4: B has no claim).
VERSUS_DIFFERENCES = [(0.675 - 1) ** 2 - (0.875 - 1) ** 2, 0.325**2 - 0.25**2, (0.675 - 1) ** 2 - (0.325 - 1) ** 2]
VERSUS_STEPS = _difference_steps(VERSUS_DIFFERENCES)


def _shrunk(n, brier):
    return (n * brier + K * CHANCE) / (n + K)


EXPERT_SUMMARY = {
    "A": {
        "scored": 4,
        "brier": (4 * (0.675 - 1) ** 2) / 4,  # the same Brier on all four questions
        "brier_skill": 1 - (0.675 - 1) ** 2 / 0.25,
        "log_score": (4 * _ln(0.675)) / 4,  # p_o = 0.675 on all four
        "baseline_score": _baseline(0.675),
        "peer_score": (PEER[("A", "Q1")] + PEER[("A", "Q2")] + PEER[("A", "Q3")]) / 3,
        "peer_scored": 3,
    },
    "B": {
        "scored": 3,
        "brier": ((0.875 - 1) ** 2 + 0.25**2 + (0.325 - 1) ** 2) / 3,
        "brier_skill": 1 - (((0.875 - 1) ** 2 + 0.25**2 + (0.325 - 1) ** 2) / 3) / 0.25,
        "log_score": (_ln(0.875) + _ln(0.75) + _ln(0.325)) / 3,
        "baseline_score": (_baseline(0.875) + _baseline(0.75) + _baseline(0.325)) / 3,
        "peer_score": (PEER[("B", "Q1")] + PEER[("B", "Q2")] + PEER[("B", "Q3")]) / 3,
        "peer_scored": 3,
    },
    "C": {
        "scored": 2,
        "brier": ((0.5 - 1) ** 2 + 0.125**2) / 2,
        "brier_skill": 1 - (((0.5 - 1) ** 2 + 0.125**2) / 2) / 0.25,
        "log_score": (_ln(0.5) + _ln(0.875)) / 2,
        "baseline_score": (_baseline(0.5) + _baseline(0.875)) / 2,
        "peer_score": (PEER[("C", "Q1")] + PEER[("C", "Q2")]) / 2,
        "peer_scored": 2,
    },
}
for _who, _summary in EXPERT_SUMMARY.items():
    _summary["brier_ci95"] = MEAN_BRIER_STEPS[_who]["ci95"]
    _summary["shrunk_brier"] = _shrunk(_summary["scored"], _summary["brier"])
    _summary["relative_brier"] = {"value": RELATIVE_STEPS[_who]["mean"], "n": RELATIVE_STEPS[_who]["n"],
                                  "ci95": RELATIVE_STEPS[_who]["ci95"]}

# Wilson 95 % interval in closed form for the two cases of the example:
# all n came true: (n / (n + z²), 1); none of n came true: (0, z² / (n + z²)).
HEDGES_A = [
    {"phrase": "likely", "side": "yes", "n": 2, "successes": 2, "scale_probability": 0.675, "observed": 2 / 2,
     "ci95": (2 / (2 + Z**2), 1.0), "implied_probability": (2 + K * 0.675) / (2 + K)},
    {"phrase": "likely", "side": "no", "n": 1, "successes": 1, "scale_probability": 0.675, "observed": 1 / 1,
     "ci95": (1 / (1 + Z**2), 1.0), "implied_probability": (1 + K * 0.675) / (1 + K)},
    {"phrase": "unlikely", "side": "yes", "n": 1, "successes": 0, "scale_probability": 0.325, "observed": 0 / 1,
     "ci95": (0.0, Z**2 / (1 + Z**2)), "implied_probability": (0 + K * 0.325) / (1 + K)},
]

# A's calibration (ten bins) and Murphy decomposition over (0.675, 1) ×2 and (0.325, 0) ×2.
CALIBRATION_A = [
    {"bin_low": 0.3, "bin_high": 0.4, "n": 2, "mean_forecast": 0.325, "observed": 0 / 2, "ci95": (0.0, Z**2 / (2 + Z**2))},
    {"bin_low": 0.6, "bin_high": 0.7, "n": 2, "mean_forecast": 0.675, "observed": 2 / 2, "ci95": (2 / (2 + Z**2), 1.0)},
]
MURPHY_A = {
    "reliability": (2 * (0.325 - 0) ** 2 + 2 * (0.675 - 1) ** 2) / 4,
    "resolution": (2 * (0 - 0.5) ** 2 + 2 * (1 - 0.5) ** 2) / 4,
    "uncertainty": 0.5 * (1 - 0.5),
}

# Falsifiability: unscorable claims / claims on resolved questions (the superseded claim 1 counts in the denominator).
FALSIFIABILITY = {
    "A": {"unscorable": 0, "resolved_claims": 5, "share": 0 / 5},
    "B": {"unscorable": 0, "resolved_claims": 3, "share": 0 / 3},
    "C": {"unscorable": 1, "resolved_claims": 3, "share": 1 / 3},  # claim 10, made after Q3's deadline
}

# Sensitivity: every hedge-derived p(YES) re-derived under scale X (a NO-side claim gets 1 − p).
SENSITIVITY_BRIERS_X = {
    "A": [(0.7 - 1) ** 2, 0.4**2, (0.7 - 1) ** 2, (1 - 0.7) ** 2],
    "B": [(0.9 - 1) ** 2, 0.2**2, (0.4 - 1) ** 2],
    "C": [(0.5 - 1) ** 2, (1 - 0.9) ** 2],
}
SENSITIVITY = {}
for _who, _briers in SENSITIVITY_BRIERS_X.items():
    _brier_x = sum(_briers) / len(_briers)
    SENSITIVITY[_who] = {
        "default": {"brier": EXPERT_SUMMARY[_who]["brier"], "shrunk_brier": EXPERT_SUMMARY[_who]["shrunk_brier"]},
        "x": {"brier": _brier_x, "shrunk_brier": _shrunk(len(_briers), _brier_x)},
    }
# Ranked by shrunk Brier (the leaderboard's default order): default 0.1858 < 0.2165 < 0.2230, X 0.1867 < 0.2075 < 0.2157.
SENSITIVITY_RANKS = {"A": {"default": 1, "x": 1}, "B": {"default": 3, "x": 2}, "C": {"default": 2, "x": 3}}

# Everything an API-level test can compare with, grouped by where it will appear.
EXPECTED = {
    "claims": CLAIM_SCORES,  # {(expert, question): {probability, brier, log_score, baseline_score, peer_score}}
    "panel": PANEL,  # GET /api/questions/{id}/ "panel"
    "experts": EXPERT_SUMMARY,  # GET /api/experts/{slug}/scores/ (with "relative_brier")
    "pseudo": {"scored": 3, "brier": MEAN_BRIER_STEPS["panel"]["mean"], "brier_ci95": MEAN_BRIER_STEPS["panel"]["ci95"],
               "shrunk_brier": _shrunk(3, MEAN_BRIER_STEPS["panel"]["mean"])},  # the leaderboard's reference row
    "versus": {("A", "B"): {"n": 3, "mean_difference": VERSUS_STEPS["mean"], "ci95": VERSUS_STEPS["ci95"],
                            "a_closer": 1, "b_closer": 2, "ties": 0}},  # GET /api/experts/a/versus/b/
    "hedges": {"A": HEDGES_A},  # GET /api/experts/a/hedges/
    "calibration": {"A": CALIBRATION_A},
    "decomposition": {"A": MURPHY_A},
    "falsifiability": FALSIFIABILITY,
    "sensitivity": SENSITIVITY,  # GET /api/sensitivity/ with scale X loaded beside the default
    "sensitivity_ranks": SENSITIVITY_RANKS,
}


# --- reading the document ----------------------------------------------------------------------

def _doc_tables():
    """{name: [row dicts]} for every table of docs/scores.md preceded by an `<!-- example: name -->` marker."""
    tables, name, rows, header = {}, None, [], None
    for line in DOC.read_text(encoding="utf-8").splitlines() + [""]:
        marker = re.fullmatch(r"<!-- example: ([\w-]+) -->", line.strip())
        if marker:
            name, rows, header = marker.group(1), [], None
        elif name and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            elif not set("".join(cells)) <= set("-: "):
                rows.append(dict(zip(header, cells)))
        elif name and header is not None:
            tables[name] = rows
            name = None
    return tables


def _number(cell):
    """The value a cell shows: after its last "=" or "≈", with the typographic minus read as "-"."""
    text = re.split(r"[=≈]", cell)[-1].strip().replace("−", "-").replace(" ", "")
    return None if text in {"—", "none"} else float(text)


def _interval(cell):
    """An interval cell "… = [low, high]" as a pair of floats, or None for "—"/"none"."""
    text = re.split(r"=", cell)[-1].strip()
    if text in {"—", "none"}:
        return None
    low, high = text.strip("[]").split(",")
    return (_number(low), _number(high))


class _Shown:
    """A value as the document may show it: equal to 6 decimals (0.1328125 as 0.1328125, 0.132812 or 0.132813)."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, shown):
        if self.value is None or shown is None:
            return self.value is None and shown is None
        return abs(shown - self.value) <= 5e-7 + 1e-12

    def __repr__(self):
        return f"{self.value!r} (to 6 decimals)"


def _shown(value):
    return _Shown(value)


def _shown_pair(pair):
    return None if pair is None else (_Shown(pair[0]), _Shown(pair[1]))


@pytest.fixture(scope="module")
def doc():
    return _doc_tables()


def test_the_document_has_every_table_of_the_example(doc):
    assert set(doc) == {
        "claims", "peer", "panel", "experts", "mean-brier-interval", "relative", "pseudo", "versus",
        "hedges-a", "calibration-a", "murphy-a", "falsifiability", "sensitivity",
    }


def test_the_claims_table_shows_each_claims_brier_log_and_baseline(doc):
    rows = doc["claims"]
    assert [int(row["Claim"]) for row in rows] == [claim["id"] for claim in EXAMPLE_CLAIMS]
    for row, claim in zip(rows, EXAMPLE_CLAIMS):
        assert (row["Expert"], row["Question"], row["Hedge"], row["Side"]) == (
            claim["expert"], claim["question"], claim["hedge"], claim["predicts"].upper())
        assert row["Made on"] == claim["made_on"].isoformat()
        assert _number(row["p(YES)"]) == _shown(claim["probability"])
        counts = COUNTING_CLAIM_IDS[claim["question"]].get(claim["expert"]) == claim["id"]
        scores = CLAIM_SCORES[(claim["expert"], claim["question"])] if counts else {}
        assert row["Counts"].startswith("yes" if counts else "no")
        assert _number(row["Brier"]) == _shown(scores.get("brier"))
        assert _number(row["Log"]) == _shown(scores.get("log_score"))
        assert _number(row["Baseline"]) == _shown(scores.get("baseline_score"))


def test_the_peer_table_shows_each_peer_score(doc):
    shown = {(row["Expert"], row["Question"]): _number(row["Peer score"]) for row in doc["peer"]}
    assert shown == {key: _shown(scores["peer_score"]) for key, scores in CLAIM_SCORES.items()}


def test_the_panel_table_shows_median_mean_n_and_median_brier(doc):
    shown = {
        row["Question"]: {"n": int(row["n"]), "median": _number(row["Median"]), "mean": _number(row["Mean"]),
                          "median_brier": _number(row["Panel-median Brier"])}
        for row in doc["panel"]
    }
    assert shown == {
        question: {key: value if key == "n" else _shown(value) for key, value in panel.items()}
        for question, panel in PANEL.items()
    }


def test_the_experts_table_shows_each_experts_means(doc):
    for row in doc["experts"]:
        summary = EXPERT_SUMMARY[row["Expert"]]
        assert int(row["n"]) == summary["scored"]
        assert _number(row["Brier"]) == _shown(summary["brier"])
        assert _number(row["Brier skill"]) == _shown(summary["brier_skill"])
        assert _number(row["Log"]) == _shown(summary["log_score"])
        assert _number(row["Baseline"]) == _shown(summary["baseline_score"])
        assert _number(row["Peer"]) == _shown(summary["peer_score"])
        assert int(row["Peer n"]) == summary["peer_scored"]
        assert _number(row["Shrunk Brier (k = 5)"]) == _shown(summary["shrunk_brier"])
    assert [row["Expert"] for row in doc["experts"]] == EXAMPLE_EXPERTS


def test_the_interval_table_shows_each_step_of_the_mean_brier_interval(doc):
    names = {"A": "A", "B": "B", "C": "C", "panel": "Panel pseudo-expert"}
    rows = {row["Expert"]: row for row in doc["mean-brier-interval"]}
    assert set(rows) == set(names.values())
    for who, steps in MEAN_BRIER_STEPS.items():
        row = rows[names[who]]
        assert int(row["n"]) == steps["n"]
        assert _number(row["Mean"]) == _shown(steps["mean"])
        assert _number(row["s"]) == _shown(steps["s"])
        assert _number(row["s used"]) == _shown(steps["s_used"])
        assert _number(row["t"]) == steps["t"]
        assert _number(row["Half-width"]) == _shown(steps["half_width"])
        assert _interval(row["95 % interval"]) == _shown_pair(steps["ci95"])


def test_the_relative_table_shows_value_n_and_interval(doc):
    rows = {row["Expert"]: row for row in doc["relative"]}
    assert set(rows) == set(RELATIVE_STEPS)
    for who, steps in RELATIVE_STEPS.items():
        row = rows[who]
        shown_differences = [_number(cell) for cell in row["Differences"].split(";")]
        assert shown_differences == [_shown(value) for value in RELATIVE_DIFFERENCES[who]]
        assert int(row["n"]) == steps["n"]
        assert _number(row["Relative Brier"]) == _shown(steps["mean"])
        assert _number(row["s"]) == _shown(steps["s"])
        assert _number(row["Half-width"]) == _shown(steps["half_width"])
        assert _interval(row["95 % interval"]) == _shown_pair(steps["ci95"])


def test_the_pseudo_expert_table_shows_its_record(doc):
    (row,) = doc["pseudo"]
    pseudo = EXPECTED["pseudo"]
    assert int(row["n"]) == pseudo["scored"]
    assert _number(row["Brier"]) == _shown(pseudo["brier"])
    assert _interval(row["95 % interval"]) == _shown_pair(pseudo["brier_ci95"])
    assert _number(row["Shrunk Brier (k = 5)"]) == _shown(pseudo["shrunk_brier"])


def test_the_versus_table_shows_a_against_b(doc):
    versus = EXPECTED["versus"][("A", "B")]
    rows = {row["Question"]: row for row in doc["versus"]}
    assert [_number(rows[q]["A − B"]) for q in ("Q1", "Q2", "Q3")] == [_shown(d) for d in VERSUS_DIFFERENCES]
    assert [rows[q]["Closer"] for q in ("Q1", "Q2", "Q3")] == ["B", "B", "A"]
    summary = rows["Mean (n = 3)"]
    assert _number(summary["A − B"]) == _shown(versus["mean_difference"])
    assert _number(summary["s"]) == _shown(VERSUS_STEPS["s"])
    assert _number(summary["Half-width"]) == _shown(VERSUS_STEPS["half_width"])
    assert _interval(summary["95 % interval"]) == _shown_pair(versus["ci95"])


def test_the_hedges_table_shows_expert_a_verbal_calibration(doc):
    rows = doc["hedges-a"]
    assert [(row["Phrase"], row["Side"]) for row in rows] == [(h["phrase"], h["side"].upper()) for h in HEDGES_A]
    for row, hedge in zip(rows, HEDGES_A):
        assert (int(row["n"]), int(row["Came true"])) == (hedge["n"], hedge["successes"])
        assert _number(row["Scale p"]) == hedge["scale_probability"]
        assert _number(row["Observed"]) == _shown(hedge["observed"])
        assert _interval(row["Wilson 95 %"]) == _shown_pair(hedge["ci95"])
        assert _number(row["Implied p (k = 5)"]) == _shown(hedge["implied_probability"])


def test_the_calibration_and_murphy_tables_show_expert_a_record(doc):
    for row, expected in zip(doc["calibration-a"], CALIBRATION_A, strict=True):
        assert int(row["n"]) == expected["n"]
        assert _number(row["Mean forecast"]) == _shown(expected["mean_forecast"])
        assert _number(row["Observed"]) == _shown(expected["observed"])
        assert _interval(row["Wilson 95 %"]) == _shown_pair(expected["ci95"])
    shown = {row["Term"]: _number(row["Value"]) for row in doc["murphy-a"]}
    assert shown == {
        "Reliability": _shown(MURPHY_A["reliability"]), "Resolution": _shown(MURPHY_A["resolution"]),
        "Uncertainty": _shown(MURPHY_A["uncertainty"]),
        "Brier = reliability − resolution + uncertainty": _shown(EXPERT_SUMMARY["A"]["brier"]),
    }


def test_the_falsifiability_table_shows_each_share(doc):
    shown = {row["Expert"]: (int(row["Unscorable"]), int(row["Claims on resolved questions"]), _number(row["Share"]))
             for row in doc["falsifiability"]}
    assert shown == {who: (f["unscorable"], f["resolved_claims"], _shown(f["share"])) for who, f in FALSIFIABILITY.items()}


def test_the_sensitivity_table_shows_brier_shrunk_and_rank_under_both_scales(doc):
    for row in doc["sensitivity"]:
        who = row["Expert"]
        assert _number(row["Brier, default"]) == _shown(SENSITIVITY[who]["default"]["brier"])
        assert _number(row["Shrunk, default"]) == _shown(SENSITIVITY[who]["default"]["shrunk_brier"])
        assert _number(row["Brier, scale X"]) == _shown(SENSITIVITY[who]["x"]["brier"])
        assert _number(row["Shrunk, scale X"]) == _shown(SENSITIVITY[who]["x"]["shrunk_brier"])
        assert (int(row["Rank, default"]), int(row["Rank, scale X"])) == (
            SENSITIVITY_RANKS[who]["default"], SENSITIVITY_RANKS[who]["x"])
    assert [row["Expert"] for row in doc["sensitivity"]] == EXAMPLE_EXPERTS


# --- the pure functions of forecasts.scoring reproduce the hand arithmetic ----------------------

def _records(question):
    return [
        scoring.ClaimRecord(claim_id=claim["id"], expert_id=claim["expert"], probability=claim["probability"],
                            made_on=claim["made_on"])
        for claim in EXAMPLE_CLAIMS if claim["question"] == question
    ]


def test_the_constants_of_the_example_are_the_codes():
    assert K == settings.HINDSIGHT_SHRINK_K
    assert (CHANCE, SD_FLOOR, Z) == (scoring.CHANCE_BRIER, scoring.BRIER_SD_FLOOR, scoring.Z_95)
    assert {df: scoring.t_critical_95(df) for df in T95} == T95


@pytest.mark.parametrize("question", list(EXAMPLE_QUESTIONS))
def test_counting_claims_drop_the_superseded_and_the_late_claim(question):
    chosen = scoring.counting_claims(_records(question), EXAMPLE_QUESTIONS[question]["deadline"])
    assert {expert: record.claim_id for expert, record in chosen.items()} == COUNTING_CLAIM_IDS[question]


def test_claim_scores_match_brier_log_and_baseline():
    for (expert, question), expected in CLAIM_SCORES.items():
        outcome = EXAMPLE_OUTCOMES[question]
        assert scoring.brier_score(expected["probability"], outcome) == pytest.approx(expected["brier"], abs=1e-15)
        assert scoring.log_score(expected["probability"], outcome) == pytest.approx(expected["log_score"], rel=1e-12)
        assert scoring.baseline_score(expected["probability"], outcome) == pytest.approx(
            expected["baseline_score"], rel=1e-12)


@pytest.mark.parametrize("question", ["Q1", "Q2", "Q3"])
def test_peer_scores_match_and_sum_to_zero(question):
    experts = sorted(COUNTING_CLAIM_IDS[question])
    probabilities = [CLAIM_SCORES[(expert, question)]["probability"] for expert in experts]
    peers = scoring.peer_scores(probabilities, EXAMPLE_OUTCOMES[question])
    assert peers == pytest.approx([PEER[(expert, question)] for expert in experts], rel=1e-12)
    assert sum(PEER[(expert, question)] for expert in experts) == pytest.approx(0, abs=1e-12)


def test_mean_brier_interval_and_shrunk_brier_match_for_experts_and_the_pseudo_expert():
    for who, briers in BRIERS.items():
        steps = MEAN_BRIER_STEPS[who]
        assert scoring.mean_brier_interval(briers) == pytest.approx(steps["ci95"], abs=1e-12)
        assert scoring.brier_spread(briers) == pytest.approx(steps["s_used"], abs=1e-12)
    for who, summary in EXPERT_SUMMARY.items():
        assert scoring.shrunk_brier(summary["brier"], summary["scored"], K) == pytest.approx(summary["shrunk_brier"])
        assert scoring.brier_skill(summary["brier"]) == pytest.approx(summary["brier_skill"])
    pseudo = EXPECTED["pseudo"]
    assert scoring.shrunk_brier(pseudo["brier"], pseudo["scored"], K) == pytest.approx(pseudo["shrunk_brier"])


def test_summarize_expert_reproduces_each_experts_means_calibration_and_decomposition():
    for who, expected in EXPERT_SUMMARY.items():
        results = []
        for question, chosen in COUNTING_CLAIM_IDS.items():
            if who in chosen:
                claims = [record for record in _records(question) if record.claim_id in chosen.values()]
                results += [r for r in scoring.score_question(claims, EXAMPLE_OUTCOMES[question]) if r.expert_id == who]
        summary = scoring.summarize_expert(results)
        assert summary.scored == expected["scored"]
        assert summary.peer_scored == expected["peer_scored"]
        for field in ("brier", "brier_skill", "log_score", "baseline_score", "peer_score"):
            assert getattr(summary, field) == pytest.approx(expected[field], rel=1e-12), (who, field)
        assert summary.brier_ci95 == pytest.approx(expected["brier_ci95"], abs=1e-12)
    a_pairs = [(CLAIM_SCORES[("A", q)]["probability"], EXAMPLE_OUTCOMES[q]) for q in ("Q1", "Q2", "Q3", "Q4")]
    bins = [b.as_dict() for b in scoring.calibration_bins(a_pairs)]
    for shown, expected in zip(bins, CALIBRATION_A, strict=True):
        assert (shown["bin_low"], shown["bin_high"], shown["n"]) == (expected["bin_low"], expected["bin_high"], expected["n"])
        assert shown["mean_forecast"] == pytest.approx(expected["mean_forecast"])
        assert shown["observed"] == expected["observed"]
        assert shown["ci95"] == pytest.approx(list(expected["ci95"]), abs=1e-12)
    assert scoring.murphy_decomposition(a_pairs).as_dict() == pytest.approx(MURPHY_A, abs=1e-15)


def test_wilson_interval_matches_the_verbal_calibration_rows():
    for hedge in HEDGES_A:
        assert scoring.wilson_interval(hedge["successes"], hedge["n"]) == pytest.approx(hedge["ci95"], abs=1e-12)


def test_relative_brier_and_head_to_head_use_t_without_the_floor():
    # The spread of A's relative differences (0.0982) is below 0.1 and is used as it is.
    assert RELATIVE_STEPS["A"]["s"] < SD_FLOOR
    assert RELATIVE_STEPS["A"]["half_width"] == pytest.approx(
        scoring.t_critical_95(2) * RELATIVE_STEPS["A"]["s"] / math.sqrt(3))
    # The pseudo-expert's Briers have the same spread, but a mean-Brier interval floors it at 0.1.
    assert MEAN_BRIER_STEPS["panel"]["s"] == pytest.approx(RELATIVE_STEPS["A"]["s"])
    assert MEAN_BRIER_STEPS["panel"]["s_used"] == SD_FLOOR
