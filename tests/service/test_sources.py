"""/v1/sources: register, list and search, read, patch; on SQLite and PostgreSQL."""
import concurrent.futures

import pytest

from model.levels import LEVELS


@pytest.fixture
def database_url(any_database):
    return any_database


def register(client, headers, **fields):
    response = client.post("/v1/sources", json=fields, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_register_then_read(client, writer_headers):
    made = register(client, writer_headers, name="Federal Security Service", aliases=["FSB"],
                    type="state_agency", affiliation="Russia", country="RU", notes="n")
    assert made["id"] and made["aliases"] == ["FSB"] and made["country"] == "RU"
    assert made["track_record"] == {"counts": {level: 0 for level in LEVELS}, "total": 0}
    read = client.get(f"/v1/sources/{made['id']}")
    # Reading one source adds the record's breakdown by topic: none yet.
    assert read.status_code == 200
    assert read.json == made | {"track_record": made["track_record"] | {"by_topic": {}}}


def test_type_is_guessed_from_name_and_role_when_absent(client, writer_headers):
    made = register(client, writer_headers, name="Ministry of Defence of Ruritania")
    from model.roles import classify_source

    assert made["type"] == classify_source(name="Ministry of Defence of Ruritania")


def test_a_name_or_alias_belongs_to_one_source(client, writer_headers):
    first = register(client, writer_headers, name="Federal Security Service", aliases=["FSB"])
    for clash in ({"name": "F.S.B."}, {"name": "Other", "aliases": ["federal security service"]}):
        response = client.post("/v1/sources", json=clash, headers=writer_headers)
        assert response.status_code == 409
        assert first["id"] in response.json["detail"]


def test_concurrent_registrations_of_one_name_give_one_source(app, writer_headers):
    def attempt(number):
        with app.test_client() as client:
            return client.post("/v1/sources", json={"name": f"  The Kremlin{'.' * number}"},
                               headers=writer_headers).status_code

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(attempt, range(6)))
    assert sorted(statuses) == [201] + [409] * 5
    listed = app.test_client().get("/v1/sources", query_string={"q": "kremlin"}).json
    assert listed["total"] == 1


def test_list_searches_names_and_aliases(client, writer_headers):
    fsb = register(client, writer_headers, name="Federal Security Service", aliases=["FSB"])
    register(client, writer_headers, name="TASS", aliases=["Russian News Agency"])
    register(client, writer_headers, name="Hamas")
    everything = client.get("/v1/sources").json
    assert everything["total"] == 3 and len(everything["items"]) == 3
    assert [item["id"] for item in client.get("/v1/sources?q=fsb").json["items"]] == [fsb["id"]]
    assert client.get("/v1/sources?q=security").json["items"][0]["id"] == fsb["id"]
    assert {item["name"] for item in client.get("/v1/sources?q=s").json["items"]} == {
        "Federal Security Service", "TASS", "Hamas"}
    assert client.get("/v1/sources?q=nobody").json == {"items": [], "total": 0}
    assert client.get("/v1/sources?q=%25").json["total"] == 0  # not a wildcard
    assert client.get("/v1/sources?q=_").json["total"] == 0
    page = client.get("/v1/sources?limit=2&offset=2").json
    assert page["total"] == 3 and len(page["items"]) == 1


def test_patch_changes_fields_and_names(client, writer_headers):
    made = register(client, writer_headers, name="Hamas")
    response = client.patch(f"/v1/sources/{made['id']}", headers=writer_headers,
                            json={"aliases": ["Harakat al-Muqawama al-Islamiya"],
                                  "type": "armed_group", "notes": "checked"})
    assert response.status_code == 200
    assert response.json["type"] == "armed_group" and response.json["notes"] == "checked"
    found = client.get("/v1/sources?q=muqawama").json["items"]
    assert [item["id"] for item in found] == [made["id"]]


def test_patch_to_a_taken_name_is_409_and_changes_nothing(client, writer_headers):
    register(client, writer_headers, name="TASS")
    other = register(client, writer_headers, name="RIA Novosti")
    response = client.patch(f"/v1/sources/{other['id']}", json={"aliases": ["tass"]},
                            headers=writer_headers)
    assert response.status_code == 409
    assert client.get(f"/v1/sources/{other['id']}").json["aliases"] == []


def test_writes_need_a_valid_key(client, writer_headers):
    made = register(client, writer_headers, name="TASS")
    assert client.post("/v1/sources", json={"name": "x"}).status_code == 401
    assert client.post("/v1/sources", json={"name": "x"},
                       headers={"X-API-Key": "nope"}).status_code == 403
    assert client.patch(f"/v1/sources/{made['id']}", json={"notes": "x"}).status_code == 401
    assert client.get("/v1/sources").status_code == 200  # reading is open


@pytest.mark.parametrize("query, field", [
    ("limit=1&limit=2", "limit"), ("offset=0&offset=false", "offset"),
    ("q=ab&q=" + "b" * 201, "q"), ("q=ab&q=cd", "q"), ("offset=false", "offset"),
    ("q=" + "a" * 201, "q"), ("limit=+5", "limit"), ("offset=%D9%A3", "offset")])
def test_a_listing_query_the_document_does_not_allow_is_422(client, query, field):
    response = client.get(f"/v1/sources?{query}")
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"], response.json
