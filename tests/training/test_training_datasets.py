"""Loaders: JSONL in the service's schema, LIAR where it lies (never copied)."""
from __future__ import annotations

import hashlib
import json

import pytest

from model.levels import LEVEL_INDEX, LEVELS
from model.policy import load_policy
from training import config
from training.datasets import DataError, load, load_jsonl

SOURCE_TYPES = set(load_policy().source_types)


def test_jsonl_round_trip(tmp_path, make_claims, write_jsonl):
    requests, levels = make_claims(40, seed=5)
    path = tmp_path / "claims.jsonl"
    write_jsonl(path, requests, levels)
    claims = load(f"jsonl:{path}")
    assert claims.requests == requests and claims.levels == levels
    assert claims.history == [{}] * 40
    assert claims.sources == [{"spec": "jsonl:claims.jsonl", "rows": 40,
                               "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]


def test_jsonl_fills_a_missing_type_from_name_and_role(tmp_path):
    path = tmp_path / "claims.jsonl"
    lines = [{"claim": "a", "verdict": "true", "source": {"name": "TASS"}},
             {"claim": "b", "verdict": "false", "source": {"name": "Jane Roe",
                                                           "role": "U.S. Senator"}},
             {"claim": "c", "verdict": "half-true"},
             {"claim": "d", "verdict": "mostly-true", "source": {"name": "X", "type": "ngo"},
              "context": {"party_to_event": True}}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    claims = load_jsonl(path)
    types = [r["source"]["type"] for r in claims.requests]
    assert types[0] == "state_media" and types[1] == "politician"
    assert types[2] == "other" and types[3] == "ngo"
    assert set(types) <= SOURCE_TYPES
    assert claims.requests[3]["context"] == {"party_to_event": True}
    assert claims.levels == [5, 1, 3, 4]


BAD_LINES = {
    "unknown verdict": ('{"claim": "a", "verdict": "mostly-false"}', "verdict"),
    "no verdict": ('{"claim": "a"}', "verdict"),
    "numeric verdict": ('{"claim": "a", "verdict": 3}', "verdict"),
    "null verdict": ('{"claim": "a", "verdict": null}', "verdict"),
    "not JSON": ('{"claim": "a", "verdict": "true"', "not JSON"),
    "plain text": ("this is not json", "not JSON"),
    "an array": ('["a", "true"]', "verdict"),
    "empty claim": ('{"claim": "   ", "verdict": "true"}', "claim"),
    "no claim": ('{"verdict": "true"}', "claim"),
    "numeric claim": ('{"claim": 12, "verdict": "true"}', "claim"),
}


@pytest.mark.parametrize("what", sorted(BAD_LINES))
def test_bad_jsonl_lines_are_data_errors_with_the_line_number(tmp_path, what):
    line, message = BAD_LINES[what]
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"claim": "fine", "verdict": "true"})
    path.write_text(f"{good}\n{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"bad\.jsonl:3: .*{message}"):
        load(f"jsonl:{path}")


@pytest.mark.parametrize("spec", ["csv:claims.csv", "claims.jsonl", "", "LIAR:x"])
def test_unknown_spec_is_a_data_error(spec):
    with pytest.raises(DataError, match="unknown data spec"):
        load(spec)


@pytest.mark.parametrize("kind", ["jsonl", "liar"])
def test_missing_file_is_a_data_error(tmp_path, kind):
    with pytest.raises(DataError, match="no file at"):
        load(f"{kind}:{tmp_path / 'nowhere.tsv'}")
    # a folder without the split's file
    with pytest.raises(DataError, match="no file at"):
        load(f"{kind}:{tmp_path}")


def test_liar_file_with_wrong_columns_is_a_data_error(tmp_path):
    path = tmp_path / "broken.tsv"
    path.write_text("1.json\tfalse\tonly three columns\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.tsv:1: expected 14 columns"):
        load(f"liar:{path}")


def test_liar_file_with_an_unknown_label_is_a_data_error(tmp_path):
    values = ["1.json", "sorta-true", "A claim.", "economy", "jane-roe", "Senator", "Ohio",
              "republican", "0", "1", "0", "0", "0", "a speech"]
    path = tmp_path / "made-up.tsv"
    path.write_text("\t".join(values) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown label 'sorta-true'"):
        load(f"liar:{path}")
    values[1] = "barely-true"
    path.write_text("\t".join(values) + "\n", encoding="utf-8")
    claims = load(f"liar:{path}")
    assert claims.levels == [LEVEL_INDEX["barely-true"]]
    assert claims.requests[0]["source"]["name"] == "Jane Roe"
    assert claims.requests[0]["source"]["type"] == "politician"
    assert claims.history == [{"barely-true": 0, "false": 1, "half-true": 0,
                               "mostly-true": 0, "pants-fire": 0}]


needs_liar = pytest.mark.skipif(not (config.LIAR / "train.tsv").is_file(),
                                reason=f"LIAR is not at {config.LIAR} (research use only; "
                                       "it is read where it lies, never copied)")


@needs_liar
def test_liar_loads_where_it_lies():
    train, valid = load(f"liar:{config.LIAR}"), load(f"liar:{config.LIAR}", split="valid")
    assert (len(train), len(valid)) == (10269, 1284)
    assert len(train.levels) == len(train.history) == 10269
    for claims in (train, valid):
        assert set(claims.levels) == set(range(len(LEVELS)))
        assert all(r["claim"] and r["source"]["type"] in SOURCE_TYPES for r in claims.requests)
        assert all(set(r) == {"claim", "source", "context", "desk"} for r in claims.requests)
        assert {r["desk"] for r in claims.requests} == {"politifact"}
    assert train.sources[0]["spec"] == "liar:train.tsv"
    assert valid.sources[0]["sha256"] != train.sources[0]["sha256"]
    # the same file by its path gives the same rows
    assert load(f"liar:{config.LIAR / 'valid.tsv'}").levels == valid.levels
    share = sum(r["source"]["type"] != "other" for r in train.requests) / len(train)
    assert share > 0.5


# -- the other desks' data, from fixture files the tests write --------------------------

def _averitec_record(claim, label, speaker=None, reporting=None, host="africacheck.org"):
    return {"claim": claim, "label": label, "justification": "NEVER READ",
            "claim_date": "25-8-2020", "speaker": speaker, "reporting_source": reporting,
            "location_ISO_code": "ke",
            "fact_checking_article": f"https://web.archive.org/web/2021/https://www.{host}/x",
            "questions": [{"question": "NEVER READ"}]}


def test_averitec_rows_carry_their_checker_as_desk_and_a_side_only(tmp_path):
    folder = tmp_path / "averitec"
    folder.mkdir()
    records = [_averitec_record("Kenya's debt doubled.", "Supported", "Uhuru Kenyatta", "NTV"),
               _averitec_record("A cure was found.", "Refuted", None, "Facebook",
                                host="politifact.com"),
               _averitec_record("Nobody knows.", "Not Enough Evidence"),
               _averitec_record("Half of it.", "Conflicting Evidence/Cherrypicking"),
               _averitec_record("Said somewhere.", "Refuted", None, None,
                                host="factcheck.afp.com"),
               _averitec_record("Social Media Users say so.", "Refuted", "Social Media Users")]
    (folder / "train.json").write_text(json.dumps(records), encoding="utf-8")
    (folder / "dev.json").write_text(json.dumps(records[:2]), encoding="utf-8")
    claims = load(f"averitec:{folder}")
    assert len(claims) == 4 and claims.sources[0]["left_out"] == 2
    assert claims.desks() == ["africacheck", "politifact", "afp", "africacheck"]
    assert claims.exact == [False] * 4 and not claims.six_levels
    assert claims.spans().tolist() == [[3, 5], [0, 2], [0, 2], [0, 2]]
    first = claims.requests[0]
    assert first["source"] == {"name": "Uhuru Kenyatta", "country": "KE",
                               "type": "government_official"}
    assert first["context"] == {"channel": "NTV", "published_at": "2020-08-25"}
    types = [r["source"]["type"] for r in claims.requests]
    assert types[1:] == ["social_media_account", "anonymous", "social_media_account"]
    assert "NEVER READ" not in json.dumps(claims.requests)
    assert len(load(f"averitec:{folder}", split="valid")) == 2


def test_the_measured_files_are_refused_as_training_data(tmp_path):
    folder = tmp_path / "averitec"
    folder.mkdir()
    (folder / "dev.json").write_text(json.dumps([_averitec_record("x", "Refuted")]))
    with pytest.raises(DataError, match="where the model is measured"):
        load(f"averitec:{folder / 'dev.json'}")
    assert len(load(f"averitec:{folder / 'dev.json'}", split="valid")) == 1
    (tmp_path / "test.csv").write_text("id\n")
    with pytest.raises(DataError, match="where the model is measured"):
        load(f"liar2:{tmp_path / 'test.csv'}")


LIAR2_HEADER = ("id,label,statement,date,subject,speaker,speaker_description,state_info,"
                "true_counts,mostly_true_counts,half_true_counts,mostly_false_counts,"
                "false_counts,pants_on_fire_counts,context,justification\n")


def test_liar2_keeps_the_rows_liar_does_not_have(tmp_path, monkeypatch):
    liar = tmp_path / "liar"
    liar.mkdir()
    row = ["7.json", "false", "Taxes rose.", "taxes", "jane-roe", "Senator", "Ohio",
           "republican", "0", "1", "0", "0", "0", "a speech"]
    (liar / "train.tsv").write_text("\t".join(row) + "\n", encoding="utf-8")
    (liar / "valid.tsv").write_text("\t".join(["8.json", "true", "Jobs fell."] + row[3:])
                                    + "\n", encoding="utf-8")
    monkeypatch.setattr(config, "LIAR", liar)
    folder = tmp_path / "liar2"
    folder.mkdir()
    (folder / "valid.csv").write_text(
        LIAR2_HEADER
        + '7,1,"Taxes rose.",x,taxes,jane roe,A senator.,Ohio,9,9,9,9,9,9,a speech,NEVER READ\n'
        + '9,4,"JOBS  fell.",x,jobs,john doe,A mayor.,Ohio,9,9,9,9,9,9,a speech,NEVER READ\n'
        + '10,0,"Vaccines are poison.","July 28, 2022",health;covid,facebook posts,'
          'Posted on Facebook.,national,9,9,9,9,9,9,a post,NEVER READ\n', encoding="utf-8")
    claims = load(f"liar2:{folder}")
    assert len(claims) == 1 and claims.sources[0]["in_liar_skipped"] == 2
    assert claims.levels == [0] and claims.exact == [True] and claims.desks() == ["politifact"]
    request = claims.requests[0]
    assert request["source"]["type"] == "social_media_account"
    assert request["source"]["role"] == "Posted on Facebook."
    assert request["context"]["topic"] == "health,covid"
    assert "NEVER READ" not in json.dumps(request) and "9" not in json.dumps(request["source"])


def test_ruua_ratings_map_to_sides_and_publishers_to_desks(tmp_path):
    path = tmp_path / "claims.csv"
    header = "query,text,claimant,claimDate,publisher_name,publisher_site,review_url," \
             "review_title,reviewDate,textualRating,n_reviews\n"
    rows = [("A video shows X.", "Viral social media post", "stopfake.org", "Fake: no"),
            ("Putin said Y.", "Vladimir Putin", "fullfact.org", "Mostly True"),
            ("Z happened.", "", "www.politifact.com", "Unsubstantiated"),
            ("W happened.", "", "factcheck.afp.com", "Missing context")]
    path.write_text(header + "".join(
        f'Ukraine,"{t}","{c}",2025-04-13T00:00:00Z,,{s},https://{s}/r,,,"{r}",1\n'
        for t, c, s, r in rows), encoding="utf-8")
    claims = load(f"ruua:{path}")
    assert claims.sources[0]["left_out"] == 1
    assert claims.desks() == ["stopfake", "fullfact", "afp"]
    assert [lv >= 3 for lv in claims.levels] == [False, True, False]
    assert [r["source"]["type"] for r in claims.requests] == [
        "social_media_account", "government_official", "anonymous"]


def test_jsonl_rows_carry_their_desk(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"claim": "a", "verdict": "true", "desk": "desk-3"}) + "\n"
                    + json.dumps({"claim": "b", "verdict": "false"}) + "\n", encoding="utf-8")
    claims = load(f"jsonl:{path}")
    assert claims.desks() == ["desk-3", ""] and claims.six_levels
    path.write_text(json.dumps({"claim": "a", "verdict": "true", "desk": "Desk 3"}) + "\n")
    with pytest.raises(DataError, match="desk"):
        load(f"jsonl:{path}")


@pytest.mark.parametrize("url, desk", [
    ("https://web.archive.org/web/20210111003633/https://www.politifact.com/article/x",
     "politifact"),
    ("https://factcheck.afp.com/x", "afp"), ("aap.com.au", "aap"),
    ("https://www.bbc.co.uk/news/x", "bbc"), ("fullfact.org", "fullfact"), ("", "")])
def test_a_checkers_desk_is_its_site_name(url, desk):
    from training.datasets import site_desk
    assert site_desk(url) == desk
