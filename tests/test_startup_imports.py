"""What a process imports to start. Every web process and `flask` command imports the app; the
committee's drawing libraries (matplotlib, WeasyPrint) and the
office-file libraries (openpyxl, python-docx, odfdo) more than doubled what each one costs to start (CPU, and 297 MB
of memory against 133 MB), so they are imported by the functions that build a summary's analyses, draw its charts,
make its files or read an uploaded file, in the few processes that do (a Celery worker, which builds the
summaries, imports the charts' library when it starts: tasks/summaries.py). The committee's analyses no longer use
scikit-learn, statsmodels or SciPy, which no process of the app imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.processes import PROJECT

LIBRARIES_IMPORTED_WHEN_USED = (
    "sklearn", "statsmodels", "scipy", "matplotlib", "weasyprint", "openpyxl", "docx", "odfdo"
)

# Run in a new interpreter: the test process has imported everything already.
START_AND_SERVE = f"""
import json, sys
from pedt_participation import create_app
client = create_app().test_client()
answers = [client.get(path).status_code for path in sys.argv[1:]]
imported = sorted({{name.split(".")[0] for name in sys.modules}} & set({LIBRARIES_IMPORTED_WHEN_USED!r}))
print(json.dumps({{"answers": answers, "imported": imported}}))
"""


def test_starting_the_app_and_serving_pages_imports_none_of_them(app, database_url):
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key"}
    pages = ["/", "/auth/login", "/comment-ca-marche"]
    started = subprocess.run([sys.executable, "-c", START_AND_SERVE, *pages], env=environment, cwd=PROJECT,
                             capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr
    result = json.loads(started.stdout.splitlines()[-1])
    assert result["answers"] == [200] * len(pages)
    assert result["imported"] == [], f"imported when the app starts: {result['imported']}"


def _printed_by_a_worker_process(code: str):
    """What `code` prints last (JSON), run in a new interpreter after importing what a worker imports."""
    started = subprocess.run(
        [sys.executable, "-c", f"import json, sys, tasks.summaries\n{code}"],
        env={**os.environ, "SECRET_KEY": "test-secret-key"}, cwd=PROJECT, capture_output=True, text=True, timeout=300,
    )
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout.splitlines()[-1])


@pytest.mark.same_on_any_database
def test_a_worker_builds_the_opinion_groups_and_the_division_without_scikit_learn_statsmodels_or_scipy():
    """They held 116 MB of a worker's memory for k-means, principal components and four formulas of proportions,
    now written in numpy (committee/clustering.py, proportions.py)."""
    status, divisive, imported = _printed_by_a_worker_process(
        "from pedt_participation.committee.division import division\n"
        "from pedt_participation.committee.opinion_groups import opinion_groups\n"
        "votes = [(person, action, (person + action) % 3 - 1) for person in range(60) for action in range(10)]\n"
        "groups = opinion_groups(votes, 5)\n"
        "gaps = division({1: {'a': (30, 40), 'b': (5, 40)}}, ['a', 'b'], 5)\n"
        "print(json.dumps([groups['status'], gaps['actions'][0]['divisive'],\n"
        "                  sorted({name.split('.')[0] for name in sys.modules} & {'sklearn', 'statsmodels', 'scipy'})]))"
    )
    assert (status, divisive, imported) == ("found", True, [])


@pytest.mark.same_on_any_database
def test_a_worker_reads_the_word_lists_of_the_comments_themes_when_it_starts():
    """As it imports the summaries' modules: its first summary then takes no longer than the next ones (half a second
    less at 100,000 comments). The lemmas are simplemma's compact dictionary (3 MB), not its dict of every word
    (23 MB)."""
    assert _printed_by_a_worker_process(
        "from pedt_participation.committee.person_names import first_names\n"
        "from simplemma.strategies.dictionaries import DEFAULT_DICTIONARY_FACTORY, LOW_MEMORY_DICTIONARY_FACTORY\n"
        "print(json.dumps([first_names.cache_info().currsize,\n"
        "                  LOW_MEMORY_DICTIONARY_FACTORY._get_dictionary.cache_info().currsize,\n"
        "                  DEFAULT_DICTIONARY_FACTORY._get_dictionary.cache_info().currsize]))"
    ) == [1, 1, 0]
