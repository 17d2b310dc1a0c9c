"""Many writers at once through real gunicorn (4 workers): no verdict lost, none doubled,
one source per name. On SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, func, select

from service.db import upgrade
from service.tables import Source, Verdict

from .test_gunicorn import call, free_port, gunicorn

KEY = "concurrency-test-key"
PROCESSES = 8
VERDICTS_EACH = 250
# One writer process: posts a verdict on each assessment id it is given, prints the statuses.
WRITER = """
import json, sys, urllib.error, urllib.request
base, key, ids = sys.argv[1], sys.argv[2], json.loads(sys.stdin.read())
statuses = {}
for assessment_id in ids:
    request = urllib.request.Request(
        f"{base}/v1/assessments/{assessment_id}/verdict", method="POST",
        data=json.dumps({"verdict": "false", "reviewer": "desk-3"}).encode(),
        headers={"Content-Type": "application/json", "X-API-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    statuses[status] = statuses.get(status, 0) + 1
print(json.dumps(statuses))
"""


@pytest.fixture
def gunicorn_on(any_database, model_registry_dir, scorer, tmp_path):
    """gunicorn with 4 workers over `any_database`; yields (base URL, database URL)."""
    upgrade(any_database)
    port = free_port()
    (tmp_path / "metrics").mkdir()
    env = {**os.environ, "DATABASE_URL": any_database, "PORT": str(port),
           "HOST": "127.0.0.1", "GUNICORN_WORKERS": "4", "API_KEYS": KEY,
           "MODEL_REGISTRY": str(model_registry_dir),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
           "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_APPLICATION": "1000000 per minute"}
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        yield base, any_database


def database_counts(url, source_id):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            source = connection.execute(select(Source).where(Source.id == source_id)).one()
            verdicts = connection.execute(select(func.count()).select_from(Verdict)).scalar()
            sources = connection.execute(select(func.count()).select_from(Source)).scalar()
    finally:
        engine.dispose()
    return source, verdicts, sources


def race_to_register_one_name(base):
    """8 processes register one name at once: one 201, seven 409, one source."""
    script = """
import json, sys, urllib.error, urllib.request
request = urllib.request.Request(sys.argv[1] + "/v1/sources", method="POST",
    data=json.dumps({"name": "The Same Ministry", "aliases": ["TSM"]}).encode(),
    headers={"Content-Type": "application/json", "X-API-Key": sys.argv[2]})
try:
    with urllib.request.urlopen(request, timeout=120) as response:
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.code)
"""
    racers = [subprocess.Popen([sys.executable, "-c", script, base, KEY],
                               stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    statuses = sorted(int(racer.communicate(timeout=300)[0]) for racer in racers)
    assert statuses == [201] + [409] * (PROCESSES - 1)
    listed = json.loads(call(base, "GET", "/v1/sources?q=same%20ministry")[2])
    assert listed["total"] == 1


def assess_in_batches(bases: list[str], source_id: str) -> list[str]:
    """PROCESSES * VERDICTS_EACH assessments of one claim by the source, in batches of 100
    sent to each of `bases` in turn; their ids."""
    claim = {"claim": "Six tanks were lost.", "source": {"id": source_id}}
    ids = []
    for number in range(PROCESSES * VERDICTS_EACH // 100):
        status, _, text = call(bases[number % len(bases)], "POST", "/v1/assessments/batch",
                               {"items": [claim] * 100})
        assert status == 200, text
        ids += [item["assessment"]["id"] for item in json.loads(text)["items"]]
    assert len(set(ids)) == PROCESSES * VERDICTS_EACH
    return ids


def post_verdicts_at_once(bases: list[str], ids: list[str]) -> dict[str, int]:
    """A "false" verdict on each id from PROCESSES writer processes at once, writer n
    posting every PROCESSES-th id to bases[n % len(bases)]; how many got each status."""
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, bases[n % len(bases)], KEY],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for n in range(PROCESSES)]
    for number, writer in enumerate(writers):
        writer.stdin.write(json.dumps(ids[number::PROCESSES]))
        writer.stdin.close()
    statuses = {}
    for writer in writers:
        assert writer.wait(timeout=600) == 0
        for code, count in json.loads(writer.stdout.read()).items():
            statuses[code] = statuses.get(code, 0) + count
        writer.stdout.close()
    return statuses


# One test per database: starting 4 gunicorn workers is most of its time.
def test_8_processes_of_250_verdicts_lose_nothing_and_one_name_is_one_source(gunicorn_on):
    base, url = gunicorn_on
    race_to_register_one_name(base)
    status, _, text = call(base, "POST", "/v1/sources",
                           {"name": "Concurrency Test Agency", "type": "state_agency"}, key=KEY)
    assert status == 201, text
    source = json.loads(text)
    before = source["track_record"]["counts"]["false"]
    ids = assess_in_batches([base], source["id"])
    assert post_verdicts_at_once([base], ids) == {"200": PROCESSES * VERDICTS_EACH}

    row, verdicts, sources = database_counts(url, source["id"])
    assert sources == 2  # this agency, and the ministry the racers registered once
    assert row.n_false == before + PROCESSES * VERDICTS_EACH
    assert verdicts == PROCESSES * VERDICTS_EACH
    read = json.loads(call(base, "GET", f"/v1/sources/{source['id']}")[2])
    assert read["track_record"]["counts"]["false"] == before + PROCESSES * VERDICTS_EACH
