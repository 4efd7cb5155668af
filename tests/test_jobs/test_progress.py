"""Progress bars: drawn on a terminal with the work's real totals, silent anywhere else."""

import io
import re

import pytest
from django.core.management import call_command

from forecasts.corpus import CORPUS_MODELS
from config.jobs.progress import progress_bar, reporting_to, terminal, track


class FakeTerminal(io.StringIO):
    """A stream that says it is a TTY, as a terminal does."""

    def isatty(self):
        return True


def final_counts(text, description):
    """{(done, total)} of every redraw of the bar named `description`."""
    return set(re.findall(rf"{re.escape(description)}:.*?\| *(\d+)/(\d+) ", text))


def run(command, *args):
    out, err = io.StringIO(), FakeTerminal()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_bar_counts_each_update_toward_its_total_on_a_terminal():
    stream = FakeTerminal()
    with reporting_to(terminal(stream)):
        for _ in track(range(3), description="Counting"):
            pass
    assert ("3", "3") in final_counts(stream.getvalue(), "Counting")
    assert "Counting:   0%" in stream.getvalue()


def test_a_bar_prints_nothing_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with reporting_to(terminal(stream)), progress_bar(total=5, description="Counting") as bar:
        bar.update(5)
    assert stream.getvalue() == ""


def test_a_bar_outside_any_reporting_block_is_silent_and_harmless(capsys):
    assert list(track([1, 2], description="Nobody listens")) == [1, 2]
    assert capsys.readouterr() == ("", "")


@pytest.mark.django_db
def test_load_seeds_shows_files_read_and_load_steps_on_a_terminal():
    out, err = run("load_seeds")
    assert ("5", "5") in final_counts(err, "Reading seed files")  # the five article files
    assert ("7", "7") in final_counts(err, "Loading seeds")
    assert out.startswith("Seeds: 5 sources") and "%" not in out  # the summary stays on stdout, unchanged


@pytest.mark.django_db
def test_export_and_import_corpus_count_every_record(tmp_path, seed_corpus):
    from tests.test_forecasts.test_corpus import _empty_database

    backup = tmp_path / "corpus.json"
    _, err = run("export_corpus", str(backup))
    claims = CORPUS_MODELS[-1].objects.count()
    assert ("102", "102") in final_counts(err, "Reading claims") and claims == 102
    assert ("1", "1") in final_counts(err, "Writing the file")
    records = sum(model.objects.count() for model in CORPUS_MODELS)
    _empty_database()
    out, err = run("import_corpus", str(backup))
    assert (str(records), str(records)) in final_counts(err, "Restoring records")
    assert ("1", "1") in final_counts(err, "Rebuilding scores")
    assert out.startswith("Restored ")


@pytest.mark.django_db
def test_recompute_scores_shows_its_steps_on_a_terminal_and_nothing_elsewhere(seed_corpus):
    out, err = run("recompute_scores")
    assert ("1", "1") in final_counts(err, "Recomputing scores")
    quiet = io.StringIO()
    call_command("recompute_scores", stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""
