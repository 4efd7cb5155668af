"""Loads the seed corpus (seeds/*.yaml, format in seeds/README.md).

Every file is read and validated before anything is written; then the records are created or
updated in place through the services, in one transaction. Loading twice changes nothing.
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

from forecasts import services
from forecasts.constants import ConditionOutcome, Outcome, ProbabilityOrigin, Side
from forecasts.hedges import normalise_hedge, probability_of_yes
from forecasts.models import Claim, HedgeScale, Question, Resolution
from forecasts.score_table import deferred_rescoring
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

    @property
    def changed(self):
        return bool(+self.created or +self.updated or +self.deleted)

    def summary(self):
        totals = ", ".join(f"{self.totals[kind]} {kind}" for kind in ("sources", "experts", "questions", "claims"))
        if not self.changed:
            return f"Seeds: {totals}. Nothing changed."
        parts = [f"{sum(self.created.values())} created", f"{sum(self.updated.values())} updated",
                 f"{sum(self.unchanged.values())} unchanged"]
        if self.deleted:
            parts.append(f"{sum(self.deleted.values())} deleted")
        return f"Seeds: {totals}. " + ", ".join(parts) + "."


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
        scales.append(scale)
    if sum(scale["is_default"] for scale in scales) != 1:
        check.fail(HEDGES_FILE, "scales", "exactly one scale must be marked default: true")
    return scales


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
            article = normalize_text(article_path.read_text(encoding="utf-8"))
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
    for path in sorted(directory.glob("*.yaml")):
        if path.name == HEDGES_FILE:
            continue
        parsed = _parse_source_file(path, directory, check)
        if parsed:
            parsed["sources_list"] = [parsed["source"]]
            files.append(parsed)
    _check_references(files, scales, check)
    if check.problems:
        raise SeedError(check.problems)
    return scales, files


def _sync(report, kind, instance, wanted, update):
    """Update instance through update(**changes) when any wanted field differs."""
    changes = {name: value for name, value in wanted.items() if getattr(instance, name) != value}
    if changes:
        update(**changes)
        report.updated[kind] += 1
    else:
        report.unchanged[kind] += 1


def _load_hedges(scales, report):
    for scale in scales:
        record, created = HedgeScale.objects.get_or_create(
            slug=scale["slug"], defaults={"name": scale["name"], "citation": scale["citation"], "url": scale["url"]}
        )
        if created:
            report.created["hedge scales"] += 1
        wanted = {key: scale[key] for key in ("name", "citation", "url", "is_default")}
        if any(getattr(record, key) != value for key, value in wanted.items()):
            if wanted["is_default"]:
                HedgeScale.objects.exclude(pk=record.pk).update(is_default=False)
            HedgeScale.objects.filter(pk=record.pk).update(**wanted)
            if not created:
                report.updated["hedge scales"] += 1
        existing = {phrase.phrase: phrase for phrase in record.phrases.all()}
        for text, (probability, note) in scale["phrases"].items():
            current = existing.get(text)
            if current is None:
                services.set_hedge_phrase(scale=record, phrase=text, probability=probability, note=note)
                report.created["hedge phrases"] += 1
            elif (current.probability, current.note) != (probability, note):
                services.set_hedge_phrase(scale=record, phrase=text, probability=probability, note=note)
                report.updated["hedge phrases"] += 1
            else:
                report.unchanged["hedge phrases"] += 1


def _load_experts(files, report):
    experts = {expert.slug: expert for expert in Expert.objects.all()}
    for file in files:
        for record in file["experts"]:
            expert = experts.get(record["slug"])
            if expert is None:
                experts[record["slug"]] = source_services.create_expert(**record)
                report.created["experts"] += 1
            else:
                wanted = {k: v for k, v in record.items() if k != "slug"}
                _sync(report, "experts", expert, wanted,
                      lambda **changes: source_services.update_expert(expert, **changes))
    return experts


def _load_sources(files, experts, report):
    sources = {}
    for file in files:
        record = dict(file["source"])
        authors = [experts[slug] for slug in record.pop("authors")]
        source = Source.objects.filter(slug=record["slug"]).first()
        if source is None:
            source = source_services.create_source(**record, authors=authors)
            report.created["sources"] += 1
        else:
            wanted = {k: v for k, v in record.items() if k != "slug"}
            changed = {k: v for k, v in wanted.items() if getattr(source, k) != v}
            if changed or set(source.authors.all()) != set(authors):
                source_services.update_source(source, **changed, authors=authors)
                report.updated["sources"] += 1
            else:
                report.unchanged["sources"] += 1
        sources[file["file"]] = source
    return sources


def _load_resolution(question, wanted, report):
    current = Resolution.objects.filter(question=question).first()
    if wanted is None:
        if current is not None and current.automatic:  # follows the condition's resolution
            report.unchanged["resolutions"] += 1
        elif current is not None:
            services.unresolve_question(question=question, reason="Resolution removed from the seed file.")
            report.deleted["resolutions"] += 1
        return
    resolved_at = datetime.datetime.combine(wanted["resolved_on"], datetime.time(), tzinfo=datetime.timezone.utc)
    fields = {"outcome": wanted["outcome"], "evidence_url": wanted["evidence_url"], "note": wanted["note"]}
    if current is None:
        services.resolve_question(question=question, resolved_at=resolved_at, **fields)
        report.created["resolutions"] += 1
    elif any(getattr(current, k) != v for k, v in fields.items()) or current.resolved_at != resolved_at:
        services.change_resolution(question=question, reason="Seed file changed.", resolved_at=resolved_at, **fields)
        report.updated["resolutions"] += 1
    else:
        report.unchanged["resolutions"] += 1


def _load_questions(files, report):
    """Questions first, then their conditions, then the resolutions (conditions before conditionals)."""
    questions = {question.slug: question for question in Question.objects.prefetch_related("topics")}
    for file in files:
        for record in file["questions"]:
            record = dict(record)
            for key in ("resolution", "condition", "where"):
                record.pop(key)
            topics = services.topics_from_slugs(record.pop("topics"))
            question = questions.get(record["slug"])
            if question is None:
                question = services.create_question(**record, topics=topics)
                questions[question.slug] = question
                report.created["questions"] += 1
            else:
                wanted = {k: v for k, v in record.items() if k != "slug"}
                changed = {k: v for k, v in wanted.items() if getattr(question, k) != v}
                if changed or set(question.topics.all()) != set(topics):
                    question = services.update_question(question, **changed, topics=topics, override_resolved=True)
                    questions[question.slug] = question
                    report.updated["questions"] += 1
                else:
                    report.unchanged["questions"] += 1
    records = [record for file in files for record in file["questions"]]
    _load_conditions(records, questions, report)
    by_slug = {record["slug"]: record for record in records}
    for record in sorted(records, key=lambda record: _condition_depth(record, by_slug)):
        _load_resolution(questions[record["slug"]], record["resolution"], report)
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
        report.updated["conditions"] += 1


def _load_claims(files, experts, sources, questions, report):
    existing = {claim.external_id: claim for claim in Claim.objects.exclude(external_id="")}
    seen = set()
    for file in files:
        for record in file["claims"]:
            seen.add(record["key"])
            wanted = {
                "question": questions[record["question"]],
                "expert": experts[record["expert"]],
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
            if claim is None:
                services.record_claim(**wanted, external_id=record["key"])
                report.created["claims"] += 1
            else:
                _sync(report, "claims", claim, wanted, lambda **changes: services.update_claim(claim, **changes))
    seed_sources = [source.pk for source in sources.values()]
    for key, claim in existing.items():
        if key not in seen and claim.source_id in seed_sources:
            services.delete_claim(claim)
            report.deleted["claims"] += 1


def load_seed_directory(directory, *, check_only=False):
    """Validate every seed file, then (unless check_only) load them. Returns a SeedReport."""
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
    with transaction.atomic(), deferred_rescoring():
        _load_hedges(scales, report)
        experts = _load_experts(files, report)
        sources = _load_sources(files, experts, report)
        questions = _load_questions(files, report)
        _load_claims(files, experts, sources, questions, report)
    return report
