import datetime
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from forecasts.suggest import seed_reader, suggest_claims


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--published: {value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Suggest the claims an article makes, without touching the database: the hedge scale, experts "
        "and questions come from the seed files."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The article as a UTF-8 text file.")
        parser.add_argument("--published", type=_date, help="Publication date YYYY-MM-DD (default: today); relative dates are read against it.")
        parser.add_argument("--json", action="store_true", help="One JSON object per suggestion and line.")
        parser.add_argument("--author", action="append", default=[], help="The article's author (expert slug or name); repeatable.")
        parser.add_argument("--seeds", default=str(settings.BASE_DIR / "seeds"), help="Seed folder (default: seeds/).")

    def handle(self, *args, path, published, json, author, seeds, **options):
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        suggestions = suggest_claims(
            text,
            published=published or datetime.date.today(),
            hedges=seed_reader.default_hedge_scale(seeds),
            experts=seed_reader.known_experts(seeds),
            questions=seed_reader.known_questions(seeds),
            authors=author,
        )
        for suggestion in suggestions:
            self.stdout.write(_json_line(suggestion) if json else _text_block(suggestion))
        if not json:
            self.stdout.write(f"{len(suggestions)} suggestion(s).")


def _json_line(suggestion):
    return json.dumps(suggestion.to_dict(), ensure_ascii=False)


def _text_block(suggestion):
    data = suggestion.to_dict()
    speaker = data["speaker"]["slug"] or data["speaker"]["name"] if data["speaker"] else "-"
    question = f"{data['question']['slug']} ({data['question']['score']})" if data["question"] else f"new: {data['proposed_title']}"
    lines = [
        f"[{data['start']}:{data['end']}] {data['quote']}",
        f"  speaker {speaker}; hedge {data['hedge']!r}; p(YES) {data['probability']}; predicts {data['predicts']}; "
        f"deadline {data['deadline'] or 'none'}; conditional {data['conditional']}",
        f"  question {question}",
        *(f"  - {reason}" for reason in data["reasons"]),
    ]
    return "\n".join(lines)
