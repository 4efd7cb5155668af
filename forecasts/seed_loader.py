"""Loads the seed corpus (seeds/*.yaml, format in seeds/README.md).

Every file is read and validated before anything is written; then the records are created or
updated in place through the services, in one transaction. Loading twice changes nothing. The
seed ledger (seed_ledger.py) decides per record whether to write it, so that a record someone
changed in the database after the last load is kept unless the load is forced.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from forecasts import intake, services
from forecasts.constants import ConditionOutcome, Outcome, ProbabilityOrigin, Side
from forecasts.hedges import normalise_hedge, probability_of_yes
from forecasts.models import Claim, HedgeScale, Question, Resolution
from forecasts.score_table import deferred_rescoring
from forecasts.seed_ledger import CREATE, KEEP, OVERWRITE, UNCHANGED, UPDATE, SeedLedger, state
from config.jobs.progress import progress_bar, track
from sources import services as source_services
from sources.links import validate_links
from sources.models import Expert, Source

HEDGES_FILE = "hedges.yaml"
_SLUG = re.compile(r"^[-a-z0-9]+$")
_WHITESPACE = re.compile(r"\s+")
_url_validator = URLValidator()


class SeedError(Exception):
    """The seed files are invalid; ``problems`` lists each as "file: record: field: reason"."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    kept: list = field(default_factory=list)  # "kind key: field db → seed" of changes kept
    overwritten: list = field(default_factory=list)  # the same, of changes overwritten (--force)

    @property
    def changed(self):
        return bool(+self.created or +self.updated or +self.deleted)

    def summary(self):
        totals = ", ".join(f"{self.totals[kind]} {kind}" for kind in ("sources", "experts", "questions", "claims"))
        if not self.changed:
            line = f"Seeds: {totals}. Nothing changed."
        else:
            parts = [f"{sum(self.created.values())} created", f"{sum(self.updated.values())} updated",
                     f"{sum(self.unchanged.values())} unchanged"]
            if self.deleted:
                parts.append(f"{sum(self.deleted.values())} deleted")
            line = f"Seeds: {totals}. " + ", ".join(parts) + "."
        lines = [line]
        if self.kept:
            lines.append(f"Kept {len(self.kept)} change(s) made in the database since the last load "
                         "(database → seed file; use --force to overwrite them):")
            lines += [f"  kept analyst change: {item}" for item in self.kept]
        if self.overwritten:
            lines.append(f"Overwrote {len(self.overwritten)} change(s) made in the database since the last load "
                         "(database → seed file):")
            lines += [f"  overwrote: {item}" for item in self.overwritten]
        return "\n".join(lines)


def normalize_text(text):
    """Fold runs of white space to one space, for comparing quotes with article text."""
    return _WHITESPACE.sub(" ", text or "").strip()


class _Checker:
    """Collects validation problems with their file, record and field."""

    def __init__(self):
        self.problems = []

    def fail(self, where, name, reason):
        self.problems.append(f"{where}: {name}: {reason}")

    def text(self, record, where, name, *, required=True, max_length=None):
        value = record.get(name)
        if value is None or value == "":
            if required:
                self.fail(where, name, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(where, name, f"must be text, got {type(value).__name__}")
            return ""
        if max_length and len(value) > max_length:
            self.fail(where, name, f"is longer than {max_length} characters")
        return value.strip()

    def slug(self, record, where, name):
        value = self.text(record, where, name, max_length=120)
        if value and not _SLUG.match(value):
            self.fail(where, name, f"{value!r} is not a slug (lower-case letters, digits and hyphens)")
        return value

    def date(self, record, where, name, *, required=True):
        value = record.get(name)
        if value is None:
            if required:
                self.fail(where, name, "is required")
            return None
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            self.fail(where, name, f"must be a date (YYYY-MM-DD), got {value!r}")
            return None
        return value

    def url(self, record, where, name, *, required=False):
        value = self.text(record, where, name, required=required, max_length=500)
        if value:
            try:
                _url_validator(value)
            except ValidationError:
                self.fail(where, name, f"{value!r} is not a valid URL")
        return value

    def choice(self, record, where, name, choices, *, default=None):
        value = record.get(name, default)
        if isinstance(value, bool):  # YAML 1.1 reads an unquoted yes/no as a boolean
            value = "yes" if value else "no"
        if value not in choices:
            self.fail(where, name, f"must be one of {', '.join(choices)}, got {value!r}")
            return None
        return value

    def probability(self, value, where, name):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where, name, f"must be a number from 0 to 1, got {value!r}")
            return None
        if not 0 <= value <= 1:
            self.fail(where, name, f"must be between 0 and 1, got {value}")
            return None
        return float(value)


def _read_yaml(path, check):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        check.fail(path.name, "file", f"cannot be read as YAML: {error}")
        return None
    if not isinstance(data, dict):
        check.fail(path.name, "file", "must hold a mapping at the top level")
        return None
    return data


def _records(data, key, where, check):
    records = data.get(key) or []
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        check.fail(where, key, "must be a list of mappings")
        return []
    return records


def _parse_hedges(directory, check):
    path = directory / HEDGES_FILE
    if not path.exists():
        check.fail(HEDGES_FILE, "file", "is missing")
        return []
    data = _read_yaml(path, check) or {}
    scales = []
    for index, record in enumerate(_records(data, "scales", HEDGES_FILE, check)):
        where = f"{HEDGES_FILE}: scales[{index}]"
        scale = {
            "slug": check.slug(record, where, "slug"),
            "name": check.text(record, where, "name", max_length=200),
            "citation": check.text(record, where, "citation", required=False),
            "url": check.url(record, where, "url"),
            "is_default": bool(record.get("default", False)),
            "phrases": {},
        }
        for phrase_index, phrase in enumerate(_records(record, "phrases", where, check)):
            phrase_where = f"{where}.phrases[{phrase_index}]"
            text = normalise_hedge(check.text(phrase, phrase_where, "phrase", max_length=100))
            probability = check.probability(phrase.get("probability"), phrase_where, "probability")
            if text in scale["phrases"]:
                check.fail(phrase_where, "phrase", f"{text!r} appears twice in the scale")
            scale["phrases"][text] = (probability, check.text(phrase, phrase_where, "note", required=False))
        scale["aliases"] = _parse_aliases(record, scale, where, check)
        scales.append(scale)
    if sum(scale["is_default"] for scale in scales) != 1:
        check.fail(HEDGES_FILE, "scales", "exactly one scale must be marked default: true")
    else:
        _check_crosswalks(scales, check)
    return scales


def _parse_aliases(record, scale, where, check):
    """{phrase: (target phrase, note)}: phrases the scale's source does not list, each read as one it does."""
    aliases = {}
    for index, alias in enumerate(_records(record, "aliases", where, check)):
        alias_where = f"{where}.aliases[{index}]"
        text = normalise_hedge(check.text(alias, alias_where, "phrase", max_length=100))
        target = normalise_hedge(check.text(alias, alias_where, "same_as", max_length=100))
        note = check.text(alias, alias_where, "note")
        if scale["is_default"]:
            check.fail(alias_where, "phrase", "the default scale takes no aliases: give the phrase a probability")
        elif text in scale["phrases"] or text in aliases:
            check.fail(alias_where, "phrase", f"{text!r} is already in the scale")
        elif target and target not in scale["phrases"]:
            check.fail(alias_where, "same_as", f"{target!r} is not a phrase of the scale")
        aliases[text] = (target, note)
    return aliases


def _check_crosswalks(scales, check):
    """Every other scale gives every phrase of the default scale a value (its own phrase or an alias),
    so that a recompute under it never falls back on the default scale."""
    default = next(scale for scale in scales if scale["is_default"])
    for scale in scales:
        if scale["is_default"]:
            continue
        missing = [text for text in default["phrases"] if text not in scale["phrases"] and text not in scale["aliases"]]
        if missing:
            check.fail(f"{HEDGES_FILE}: {scale['slug']}", "aliases",
                       f"no value for the default scale's {', '.join(repr(text) for text in missing)}")


def _parse_source_file(path, directory, check):
    data = _read_yaml(path, check)
    if data is None:
        return None
    name = path.name
    raw_source = data.get("source")
    if not isinstance(raw_source, dict):
        check.fail(name, "source", "is required and must be a mapping")
        return None
    header = {
        "curated_by": check.text(data, name, "curated_by", max_length=200),
        "curated_on": check.date(data, name, "curated_on"),
    }
    where = f"{name}: source"
    source = {
        "slug": check.slug(raw_source, where, "slug"),
        "title": check.text(raw_source, where, "title", max_length=500),
        "publisher": check.text(raw_source, where, "publisher", required=False, max_length=200),
        "url": check.url(raw_source, where, "url"),
        "published_on": check.date(raw_source, where, "published_on"),
        "excerpt": check.text(raw_source, where, "excerpt", required=False),
        "notes": check.text(raw_source, where, "notes", required=False),
        "authors": list(raw_source.get("authors") or []),
    }
    article_name = check.text(raw_source, where, "article")
    article = ""
    if article_name:
        article_path = directory / article_name
        if article_path.is_file():
            source["article_text"] = article_path.read_text(encoding="utf-8").strip()
            article = normalize_text(source["article_text"])
        else:
            check.fail(where, "article", f"{article_name!r} does not exist")
    experts = []
    for index, record in enumerate(_records(data, "experts", name, check)):
        where = f"{name}: experts[{index}]"
        links = record.get("links") or []
        try:
            validate_links(links)
        except ValidationError as error:
            check.fail(where, "links", "; ".join(error.messages))
            links = []
        experts.append({
            "slug": check.slug(record, where, "slug"),
            "name": check.text(record, where, "name", max_length=200),
            "affiliation": check.text(record, where, "affiliation", required=False, max_length=300),
            "bio": check.text(record, where, "bio", required=False),
            "links": links,
        })
    questions = []
    for index, record in enumerate(_records(data, "questions", name, check)):
        where = f"{name}: questions[{index}] ({record.get('slug', '?')})"
        topics = record.get("topics") or []
        if not isinstance(topics, list) or not all(isinstance(t, str) and _SLUG.match(t) for t in topics):
            check.fail(where, "topics", "must be a list of topic slugs")
            topics = []
        question = {
            "slug": check.slug(record, where, "slug"),
            "title": check.text(record, where, "title", max_length=300),
            "resolution_criteria": check.text(record, where, "resolution_criteria"),
            "deadline": check.date(record, where, "deadline"),
            "deadline_inferred": bool(record.get("deadline_inferred", False)),
            "deadline_note": check.text(record, where, "deadline_note", required=False, max_length=500),
            "topics": topics,
            "resolution": None,
            "condition": None,
            "where": where,
        }
        condition = record.get("condition")
        if condition is not None:
            condition_where = f"{where}.condition"
            if not isinstance(condition, dict) or set(condition) - {"question", "outcome"}:
                check.fail(where, "condition", "must be a mapping with keys question (a slug) and outcome (yes or no)")
            else:
                question["condition"] = {
                    "question": check.slug(condition, condition_where, "question"),
                    "outcome": check.choice(condition, condition_where, "outcome", ConditionOutcome.values),
                }
        resolution = record.get("resolution")
        if resolution is not None:
            if not isinstance(resolution, dict):
                check.fail(where, "resolution", "must be a mapping")
            else:
                resolution_where = f"{where}.resolution"
                question["resolution"] = {
                    "outcome": check.choice(resolution, resolution_where, "outcome", Outcome.values),
                    "resolved_on": check.date(resolution, resolution_where, "resolved_on"),
                    "evidence_url": check.url(resolution, resolution_where, "evidence_url", required=True),
                    "note": check.text(resolution, resolution_where, "note"),
                }
        questions.append(question)
    claims = []
    for index, record in enumerate(_records(data, "claims", name, check)):
        where = f"{name}: claims[{index}] ({record.get('key', '?')})"
        claim = {
            "key": check.text(record, where, "key", max_length=100),
            "expert": check.text(record, where, "expert"),
            "question": check.text(record, where, "question"),
            "quote": check.text(record, where, "quote"),
            "statement": check.text(record, where, "statement"),
            "hedge": check.text(record, where, "hedge", required=False, max_length=100),
            "predicts": check.choice(record, where, "predicts", Side.values, default=Side.YES),
            "origin": check.choice(record, where, "probability_origin", ProbabilityOrigin.values),
            "probability": None,
            "reason": check.text(record, where, "reason", required=False, max_length=500),
            "made_on": check.date(record, where, "made_on", required=False) or source["published_on"],
            "second_claim_reason": check.text(record, where, "second_claim_reason", required=False, max_length=500),
            "where": where,
        }
        if claim["quote"] and article and normalize_text(claim["quote"]) not in article:
            check.fail(where, "quote", f"is not verbatim in {article_name}: {claim['quote'][:80]!r}")
        if claim["origin"] == ProbabilityOrigin.HEDGE:
            if "probability" in record:
                check.fail(where, "probability", "must be left out when probability_origin is hedge (it is derived)")
        elif claim["origin"] is not None:
            claim["probability"] = check.probability(record.get("probability"), where, "probability")
            if claim["origin"] == ProbabilityOrigin.ANALYST and not claim["reason"]:
                check.fail(where, "reason", "is required when probability_origin is analyst")
        claims.append(claim)
    _check_one_claim_per_expert_and_question(claims, check)
    return {"file": name, "header": header, "source": source, "experts": experts, "questions": questions,
            "claims": claims}


def _check_one_claim_per_expert_and_question(claims, check):
    """An expert has one claim per question in a source, unless a later one says why it is a second claim."""
    seen = set()
    for claim in claims:
        pair = (claim["expert"], claim["question"])
        if pair in seen and not claim["second_claim_reason"]:
            check.fail(claim["where"], "second_claim_reason", f"is required: {claim['expert']} already has a "
                       f"claim on {claim['question']!r} in this source (one claim per expert and question, "
                       "unless the expert really said two things)")
        elif pair not in seen and claim["second_claim_reason"]:
            check.fail(claim["where"], "second_claim_reason", "is only for an expert's second claim on a question "
                       "in the same source; this is the first")
        seen.add(pair)


def _check_references(files, scales, check):
    def unique(kind, records, key):
        seen = {}
        for file in files:
            for record in file[records]:
                value = record[key]
                if value and value in seen:
                    check.fail(file["file"], kind, f"{value!r} is defined in {seen[value]} already")
                seen.setdefault(value, file["file"])
        return seen

    experts = unique("experts", "experts", "slug")
    questions = unique("questions", "questions", "slug")
    unique("claims", "claims", "key")
    _check_conditions(files, check)
    unique("source", "sources_list", "slug")
    default = next((scale["phrases"] for scale in scales if scale["is_default"]), {})
    for file in files:
        for author in file["source"]["authors"]:
            if author not in experts:
                check.fail(f"{file['file']}: source", "authors", f"unknown expert {author!r}")
        for claim in file["claims"]:
            if claim["expert"] and claim["expert"] not in experts:
                check.fail(claim["where"], "expert", f"unknown expert {claim['expert']!r}")
            if claim["question"] and claim["question"] not in questions:
                check.fail(claim["where"], "question", f"unknown question {claim['question']!r}")
            if claim["origin"] == ProbabilityOrigin.HEDGE:
                phrase = normalise_hedge(claim["hedge"])
                if phrase not in default:
                    check.fail(claim["where"], "hedge", f"{claim['hedge']!r} is not in the default hedge scale")
                elif default[phrase][0] is not None:
                    value = default[phrase][0]
                    claim["probability"] = probability_of_yes(value, claim["predicts"])


def _check_conditions(files, check):
    """Conditions name a known question, form no cycle, and agree with the resolutions in the files."""
    by_slug = {question["slug"]: question for file in files for question in file["questions"] if question["slug"]}
    for question in by_slug.values():
        condition = question["condition"]
        if not condition or not condition["question"]:
            continue
        where = f"{question['where']}.condition"
        parent = by_slug.get(condition["question"])
        if parent is None:
            check.fail(where, "question", f"unknown question {condition['question']!r}")
            condition["question"] = None
            continue
        path, current = [question["slug"]], parent
        while current is not None and current["slug"] not in path:
            path.append(current["slug"])
            current = by_slug.get((current["condition"] or {}).get("question") or "")
        if current is not None and current["slug"] == question["slug"]:
            check.fail(where, "question", "conditions form a cycle: " + " → ".join([*path, question["slug"]]))
            condition["question"] = None
            continue
        own = (question["resolution"] or {}).get("outcome")
        required = condition["outcome"]
        if own in (None, Outcome.ANNULLED) or required is None:
            continue
        known = (parent["resolution"] or {}).get("outcome")
        if known is None and own in (Outcome.YES, Outcome.NO):
            check.fail(question["where"], "resolution", f"resolves {own} but its condition "
                       f"{parent['slug']!r} has no resolution; a conditional question resolves yes or no only "
                       "once its condition resolved the required way")
        elif known is not None and known != required:
            check.fail(question["where"], "resolution", f"resolves {own} but its condition {parent['slug']!r} "
                       f"resolves {known}, not {required}: the question is annulled automatically; "
                       "leave its resolution out (or make it annulled)")


def _condition_depth(question, by_slug):
    depth, condition = 0, question["condition"]
    while condition and condition["question"]:
        depth += 1
        condition = by_slug[condition["question"]]["condition"]
    return depth


def read_seed_directory(directory):
    """Parse and validate every seed file; raise SeedError listing every problem found."""
    directory = Path(directory)
    check = _Checker()
    scales = _parse_hedges(directory, check)
    files = []
    paths = [path for path in sorted(directory.glob("*.yaml")) if path.name != HEDGES_FILE]
    for path in track(paths, description="Reading seed files", unit="file"):
        parsed = _parse_source_file(path, directory, check)
        if parsed:
            parsed["sources_list"] = [parsed["source"]]
            files.append(parsed)
    _check_references(files, scales, check)
    if check.problems:
        raise SeedError(check.problems)
    return scales, files


def _count(report, decision):
    plural = f"{decision.kind}s"
    if decision.action == CREATE:
        report.created[plural] += 1
    elif decision.action in (UPDATE, OVERWRITE):
        report.updated[plural] += 1
    elif decision.action == UNCHANGED:
        report.unchanged[plural] += 1


def _changes(decision, wanted):
    """The raw wanted values of the fields the decision found different."""
    return {name: wanted[name] for name in decision.changed}


def _load_hedges(scales, ledger, report):
    existing = {scale.slug: scale for scale in HedgeScale.objects.prefetch_related("phrases")}
    for scale in scales:
        record = existing.get(scale["slug"])
        wanted = {key: scale[key] for key in ("name", "citation", "url", "is_default")}
        decision = ledger.decide(
            kind="hedge scale", key=scale["slug"], seed_file=HEDGES_FILE, record=scale,
            current=state(record, wanted), wanted=wanted,
        )
        if decision.writes:
            if wanted["is_default"]:
                HedgeScale.objects.exclude(slug=scale["slug"]).update(is_default=False)
            if record is None:
                record = HedgeScale.objects.create(slug=scale["slug"], **wanted)
            else:
                HedgeScale.objects.filter(pk=record.pk).update(**wanted)
        _count(report, decision)
        ledger.done(decision)
        if record is None:  # deleted in the database and kept so
            continue
        phrases = {phrase.phrase: phrase for phrase in record.phrases.all()}
        for text, (probability, note) in scale["phrases"].items():
            wanted = {"probability": probability, "note": note}
            decision = ledger.decide(
                kind="hedge phrase", key=f"{scale['slug']}: {text}", seed_file=HEDGES_FILE,
                record={"scale": scale["slug"], "phrase": text, **wanted},
                current=state(phrases.get(text), wanted), wanted=wanted,
            )
            if decision.writes:
                services.set_hedge_phrase(scale=record, phrase=text, probability=probability, note=note, alias_of="")
            _count(report, decision)
            ledger.done(decision)
        _load_aliases(scale, record, phrases, ledger, report)


def _load_aliases(scale, record, phrases, ledger, report):
    """The scale's aliases, as phrases taking their target's probability (a ledger kind of their own)."""
    for text, (target, note) in scale["aliases"].items():
        wanted = {"probability": scale["phrases"][target][0], "note": note, "alias_of": target}
        decision = ledger.decide(
            kind="hedge alias", key=f"{scale['slug']}: {text}", seed_file=HEDGES_FILE,
            record={"scale": scale["slug"], "phrase": text, "same_as": target, **wanted},
            current=state(phrases.get(text), wanted), wanted=wanted,
        )
        if decision.writes:
            services.set_hedge_phrase(scale=record, phrase=text, **wanted)
        _count(report, decision)
        ledger.done(decision)


def _load_experts(files, ledger, report):
    experts = {expert.slug: expert for expert in Expert.objects.all()}
    for file in files:
        for record in file["experts"]:
            expert = experts.get(record["slug"])
            wanted = {k: v for k, v in record.items() if k != "slug"}
            decision = ledger.decide(
                kind="expert", key=record["slug"], seed_file=file["file"], record=record,
                current=state(expert, wanted), wanted=wanted,
            )
            if decision.action == CREATE:
                expert = experts[record["slug"]] = source_services.create_expert(**record)
            elif decision.writes:
                expert = source_services.update_expert(expert, **_changes(decision, wanted))
            if decision.writes:
                ledger.stamp(Expert.history.filter(id=expert.pk), ledger.reason(decision))
            _count(report, decision)
            ledger.done(decision)
    return experts


def _load_sources(files, experts, ledger, report):
    existing = {source.slug: source for source in Source.objects.prefetch_related("authors")}
    sources = {}
    for file in files:
        record = file["source"]
        source = existing.get(record["slug"])
        wanted = {k: v for k, v in record.items() if k != "slug"}
        wanted["authors"] = [experts[slug] for slug in record["authors"] if slug in experts]
        decision = ledger.decide(
            kind="source", key=record["slug"], seed_file=file["file"], record=record,
            current=state(source, wanted), wanted=wanted,
        )
        if decision.action == CREATE:
            source = source_services.create_source(slug=record["slug"], **wanted)
        elif decision.writes:
            source = source_services.update_source(source, **_changes(decision, wanted))
        if decision.writes:
            ledger.stamp(Source.history.filter(id=source.pk), ledger.reason(decision))
        _count(report, decision)
        ledger.done(decision)
        sources[file["file"]] = source
    return sources


_RESOLUTION_FIELDS = ("outcome", "evidence_url", "note", "resolved_at")


def _load_resolution(question, record, seed_file, ledger, report):
    current = Resolution.objects.filter(question=question).first()
    if record is None and current is not None and current.automatic:  # follows the condition's resolution
        return
    wanted = None
    if record is not None:
        wanted = {name: record[name] for name in ("outcome", "evidence_url", "note")}
        wanted["resolved_at"] = datetime.datetime.combine(
            record["resolved_on"], datetime.time(), tzinfo=datetime.timezone.utc
        )
    # An automatic annulment follows the condition, not an analyst: the ledger treats it as no resolution.
    recorded = None if current is not None and current.automatic else current
    decision = ledger.decide(
        kind="resolution", key=question.slug, seed_file=seed_file, record=record,
        current=state(recorded, _RESOLUTION_FIELDS), wanted=wanted,
    )
    reason = ledger.reason(decision)
    if decision.writes and wanted is None:
        services.unresolve_question(question=question, reason=f"Resolution removed: {reason}")
        report.deleted["resolutions"] += 1
    elif decision.writes and current is None:
        services.resolve_question(question=question, **wanted)
        ledger.stamp(Resolution.history.filter(question_id=question.pk), reason)
    elif decision.writes:
        services.change_resolution(question=question, reason=reason, **wanted)
    if wanted is not None or not decision.writes:
        _count(report, decision)
    ledger.done(decision)


_NOT_QUESTION_FIELDS = ("slug", "resolution", "condition", "where")


def _load_questions(files, ledger, report):
    """Questions first, then their conditions, then the resolutions (conditions before conditionals)."""
    questions = {question.slug: question for question in Question.objects.prefetch_related("topics")}
    for file in files:
        for record in file["questions"]:
            question = questions.get(record["slug"])
            wanted = {k: v for k, v in record.items() if k not in _NOT_QUESTION_FIELDS}
            wanted["topics"] = services.topics_from_slugs(record["topics"])
            decision = ledger.decide(
                kind="question", key=record["slug"], seed_file=file["file"],
                record={k: v for k, v in record.items() if k not in ("resolution", "where")},
                current=state(question, wanted), wanted=wanted,
            )
            if decision.action == CREATE:
                question = services.create_question(slug=record["slug"], **wanted)
            elif decision.writes:
                question = services.update_question(question, **_changes(decision, wanted), override_resolved=True)
            if decision.writes:
                questions[question.slug] = question
                ledger.stamp(Question.history.filter(id=question.pk), ledger.reason(decision))
            _count(report, decision)
            ledger.done(decision)
    placed = [(file["file"], record) for file in files for record in file["questions"]]
    _load_conditions([record for _, record in placed], questions, report)
    by_slug = {record["slug"]: record for _, record in placed}
    for seed_file, record in sorted(placed, key=lambda item: _condition_depth(item[1], by_slug)):
        _load_resolution(questions[record["slug"]], record["resolution"], seed_file, ledger, report)
    return questions


def _load_conditions(records, questions, report):
    wanted = {}
    for record in records:
        condition = record["condition"]
        wanted[record["slug"]] = (
            (questions[condition["question"]].pk, condition["outcome"]) if condition else (None, "")
        )
    changed = [
        slug for slug, target in wanted.items()
        if (questions[slug].condition_id, questions[slug].condition_outcome) != target
    ]
    had_condition = {slug: questions[slug].condition_id is not None for slug in changed}
    # Clear the changed conditions first, so that no intermediate state forms a cycle.
    for slug in changed:
        if questions[slug].condition_id is not None:
            questions[slug] = services.update_question(questions[slug], condition=None, override_resolved=True)
    for slug in changed:
        condition_id, outcome = wanted[slug]
        if condition_id is not None:
            questions[slug] = services.update_question(
                questions[slug], condition=Question.objects.get(pk=condition_id), condition_outcome=outcome,
                override_resolved=True,
            )
        (report.updated if had_condition[slug] else report.created)["conditions"] += 1


_CLAIM_FIELDS = (
    "question", "expert", "source", "quote", "statement", "hedge", "predicts", "probability",
    "probability_origin", "probability_note", "made_on",
)


def _load_claims(files, experts, sources, questions, ledger, report):
    existing = {
        claim.external_id: claim
        for claim in Claim.objects.exclude(external_id="").select_related("question", "expert", "source")
    }
    seen = set()
    for file in files:
        for record in file["claims"]:
            seen.add(record["key"])
            wanted = {
                "question": questions.get(record["question"]),
                "expert": experts.get(record["expert"]),
                "source": sources[file["file"]],
                "quote": record["quote"],
                "statement": record["statement"],
                "hedge": record["hedge"],
                "predicts": record["predicts"],
                "probability": record["probability"],
                "probability_origin": record["origin"],
                "probability_note": record["reason"],
                "made_on": record["made_on"],
            }
            claim = existing.get(record["key"])
            decision = ledger.decide(
                kind="claim", key=record["key"], seed_file=file["file"],
                record={k: v for k, v in record.items() if k != "where"},
                current=state(claim, wanted), wanted=wanted,
            )
            if decision.writes and None in (wanted["question"], wanted["expert"], wanted["source"]):
                # its question, expert or source was deleted in the database and kept so
                ledger.kept.append(f"claim {record['key']}: its question, expert or source is missing in the database")
                continue
            if decision.action == CREATE:
                claim = services.record_claim(**wanted, external_id=record["key"])
            elif decision.writes:
                claim = services.update_claim(claim, **_changes(decision, wanted))
            if decision.writes:
                ledger.stamp(Claim.history.filter(id=claim.pk), ledger.reason(decision))
            _count(report, decision)
            ledger.done(decision)
    for key in ledger.keys("claim"):
        if key in seen:
            continue
        claim = existing.get(key)
        entry = ledger.entries[("claim", key)]
        decision = ledger.decide(
            kind="claim", key=key, seed_file=entry.seed_file, record=None,
            current=state(claim, _CLAIM_FIELDS), wanted=None,
        )
        if decision.writes:
            claim_id = claim.pk
            services.delete_claim(claim)
            ledger.stamp(Claim.history.filter(id=claim_id), f"Removed from {ledger.folder_name}/{entry.seed_file}")
            report.deleted["claims"] += 1
        if decision.action != KEEP:
            ledger.forget("claim", key)


def _locate_quotes(sources, ledger):
    """Give the seeded claims whose offsets are missing or stale (a source's text came or changed
    after them) the offsets of their quotes; a claim whose quote is no longer in the text is listed."""
    claims = Claim.objects.exclude(external_id="").filter(source__in=list(sources.values())).select_related("source")
    for claim in claims:
        try:
            intake.refresh_quote_offsets([claim])
        except ValidationError:
            ledger.kept.append(f"claim {claim.external_id}: its quote is not in its source's article text")


# hedges, experts, sources, questions, claims, quote offsets, rescoring
_LOAD_STEPS = 7


def load_seed_directory(directory, *, check_only=False, force=False):
    """Validate every seed file, then (unless check_only) load them. Returns a SeedReport.

    Only records that differ from the database are written. A record someone changed in the
    database since the last load is kept (and listed in the report) unless force is set.
    """
    scales, files = read_seed_directory(directory)
    report = SeedReport()
    report.totals.update(
        sources=len(files),
        experts=sum(len(file["experts"]) for file in files),
        questions=sum(len(file["questions"]) for file in files),
        claims=sum(len(file["claims"]) for file in files),
    )
    if check_only:
        return report
    with progress_bar(total=_LOAD_STEPS, description="Loading seeds", unit="step") as bar:
        with transaction.atomic():
            with deferred_rescoring():
                ledger = SeedLedger(Path(directory).name, force=force)
                _load_hedges(scales, ledger, report)
                bar.update()
                experts = _load_experts(files, ledger, report)
                bar.update()
                sources = _load_sources(files, experts, ledger, report)
                bar.update()
                questions = _load_questions(files, ledger, report)
                bar.update()
                _load_claims(files, experts, sources, questions, ledger, report)
                bar.update()
                _locate_quotes(sources, ledger)
                bar.update()
            bar.update()  # the scores of every question touched, rescored once
    report.kept, report.overwritten = ledger.kept, ledger.overwritten
    return report
