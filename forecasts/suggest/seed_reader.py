"""Read the engine's inputs (hedge scale, experts, questions, sources) from seeds/*.yaml, without Django."""

import dataclasses
import datetime
import pathlib

import yaml

from forecasts.suggest.hedging import normalise_hedge
from forecasts.suggest.types import KnownExpert, KnownQuestion

# The C loader when PyYAML was built with libyaml: the pure-Python one takes ~0.3 s a file.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclasses.dataclass
class SeedSource:
    """One seed file: its source record, article text and curated claims."""

    path: pathlib.Path
    slug: str
    published: datetime.date
    authors: list
    text: str
    claims: list
    question_slugs: list


def _load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LOADER) or {}


def default_hedge_scale(directory):
    """{phrase: probability} of the scale marked default in hedges.yaml."""
    data = _load(pathlib.Path(directory) / "hedges.yaml")
    for scale in data.get("scales", []):
        if scale.get("default"):
            return {normalise_hedge(row["phrase"]): float(row["probability"]) for row in scale.get("phrases", [])}
    return {}


def source_files(directory):
    """The seed source files (every *.yaml but hedges.yaml), in name order."""
    return sorted(path for path in pathlib.Path(directory).glob("*.yaml") if path.name != "hedges.yaml")


def known_experts(directory):
    """Every expert of every seed file."""
    found = {}
    for path in source_files(directory):
        for row in _load(path).get("experts") or []:
            found[row["slug"]] = KnownExpert(row["name"], row["slug"], tuple(row.get("aliases") or ()))
    return list(found.values())


def known_questions(directory, published_before=None):
    """Every question of the seed files; with `published_before`, only those raised by earlier sources."""
    found = {}
    for path in source_files(directory):
        data = _load(path)
        published = (data.get("source") or {}).get("published_on")
        if isinstance(published, str):
            published = datetime.date.fromisoformat(published)
        if published_before and not (published and published < published_before):
            continue
        for row in data.get("questions") or []:
            deadline = row.get("deadline")
            if isinstance(deadline, str):
                deadline = datetime.date.fromisoformat(deadline)
            found[row["slug"]] = KnownQuestion(row["slug"], row["title"], deadline)
    return list(found.values())


def seed_sources(directory):
    """Each seed file's source with its article text and curated claims."""
    directory = pathlib.Path(directory)
    result = []
    for path in source_files(directory):
        data = _load(path)
        source = data.get("source") or {}
        published = source.get("published_on")
        if isinstance(published, str):
            published = datetime.date.fromisoformat(published)
        text = (directory / source["article"]).read_text(encoding="utf-8") if source.get("article") else ""
        result.append(
            SeedSource(
                path=path,
                slug=source.get("slug", path.stem),
                published=published,
                authors=list(source.get("authors") or []),
                text=text,
                claims=list(data.get("claims") or []),
                question_slugs=[row["slug"] for row in data.get("questions") or []],
            )
        )
    return result
