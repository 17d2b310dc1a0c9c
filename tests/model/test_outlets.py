"""Outlets: one table from rating sets, names and domains resolving, relays weighed."""
from __future__ import annotations

import json
import math

import pytest

from model.outlets import EMPTY, host_of, load_outlets, resolve
from model.policy import load_policy

NAMES = """
version: test
platforms: [facebook.com, t.me]
platform_names: [facebook, telegram]
outlets:
  - {domain: tass.com, name: TASS, aliases: [ТАСС, tass.ru], country: RU, kind: state_media}
  - {domain: reuters.com, name: Reuters, country: GB, kind: wire_agency}
  - {domain: cnn.com, name: CNN, country: US, kind: independent_media}
"""


@pytest.fixture
def shipped(tmp_path):
    folder = tmp_path / "shipped"
    folder.mkdir()
    (folder / "names.yaml").write_text(NAMES, encoding="utf-8")
    (folder / "lin2023.json").write_text(json.dumps({"pc1": {
        "tass.com": 0.34, "tass.ru": 0.9, "reuters.com": 1.0, "cnn.com": 0.66,
        "facebook.com": 0.41, "cdc.gov": 0.9, "smallpaper.org": 0.5}}), encoding="utf-8")
    return folder


@pytest.fixture
def data(tmp_path):
    """A datasets folder laid out as ../shared/datasets, with made-up ratings."""
    base = tmp_path / "datasets"
    (base / "mbfc-sources").mkdir(parents=True)
    (base / "mbfc-sources" / "mbfc_combined_v5.json").write_text(json.dumps({
        "aliases": {"cnn.it": "cnn.com"},
        "sources": [{"domain": "tass.com", "name": "Russian News Agency TASS",
                     "reporting": "mixed"},
                    {"domain": "tass.ru", "name": "Tass Russia", "reporting": "low"},
                    {"domain": "reuters.com", "name": "Reuters", "reporting": "very-high"},
                    {"domain": "fringe.example", "name": "Fringe Daily",
                     "reporting": "very-low"}]}), encoding="utf-8")
    (base / "euvsdisinfo-cknabs").mkdir()
    (base / "euvsdisinfo-cknabs" / "posts.csv").write_text(
        "date,id,title,countries,keywords,languages,outlets\n"
        "2020-01-01,a,x,RU,k,Russian,TASS - Russian+Fringe Daily\n"
        "2020-01-02,b,y,RU,k,Russian,TASS\n", encoding="utf-8")
    return base


def test_names_aliases_and_domains_are_one_outlet(shipped, data):
    table = load_outlets(data, shipped)
    tass = table.find("TASS")
    assert tass is not None and tass.domain == "tass.com"
    for other in ("ТАСС", "tass.com", "tass.ru", "https://www.tass.ru/politics/1",
                  "Russian News Agency TASS", "the TASS news"):
        assert table.find(other) is tass, other
    assert table.get("https://tass.com/x") is tass
    assert table.get("news.reuters.com") is table.find("Reuters")   # a subdomain


def test_ratings_combine_with_provenance(shipped, data):
    table = load_outlets(data, shipped)
    tass = table.find("TASS")
    sources = [r.source for r in tass.ratings]
    # tass.com's own ratings are read first: tass.ru's Lin 0.9 and MBFC "low" are not
    # counted twice for the one outlet.
    assert sources.count("lin2023") == 1 and sources.count("mbfc") == 1
    assert [r.value for r in tass.ratings if r.source == "lin2023"] == [0.34]
    assert "euvsdisinfo" in sources and "2 EUvsDisinfo cases" in tass.summary()
    a, b = tass.beta()
    assert a == pytest.approx(1 + 4 * 0.34 + 4 * 0.45)
    assert b == pytest.approx(1 + 4 * 0.66 + 4 * 0.55 + 2 * 0.5)
    reuters = table.find("Reuters").reliability()
    assert reuters.mean > 0.8 > tass.reliability().mean
    assert table.loaded == ["names", "lin2023", "mbfc", "euvsdisinfo"]


def test_only_shipped_data_without_outlet_data(shipped):
    table = load_outlets(None, shipped)
    assert table.loaded == ["names", "lin2023"]
    assert table.find("TASS").summary() == "state media; outlet rating 0.39 of 1, Lin et al. 2023"
    assert table.find("Fringe Daily") is None


def test_platforms_and_government_sites_are_not_outlets(shipped):
    table = load_outlets(None, shipped)
    for text in ("facebook.com", "https://facebook.com/post/1", "Facebook", "Telegram",
                 "t.me", "cdc.gov", "https://www.cdc.gov/x"):
        assert table.find(text) is None, text


def test_search_by_prefix_then_contained(shipped, data):
    table = load_outlets(data, shipped)
    assert [o.domain for o in table.search("tas")] == ["tass.com"]
    assert table.search("ringe")[0].domain == "fringe.example"
    assert table.search("!!") == []


@pytest.mark.parametrize("text,host", [
    ("https://www.tass.com/politics/1", "tass.com"), ("tass.ru", "tass.ru"),
    ("HTTP://M.BBC.CO.UK", "bbc.co.uk"), ("not a domain", None), ("javascript:alert(1)", None),
    ("https://", None), ("http://[::1]/", None)])
def test_host_of(text, host):
    assert host_of(text) == host


def test_relays_cost_by_reliability_never_below_nothing(shipped, data):
    policy = load_policy()
    table = load_outlets(data, shipped)
    request = {"claim": "x", "source": {"name": "FSB", "type": "state_agency"},
               "context": {"relayed_by": ["TASS", "Reuters", "Some blog", " "]}}
    relays = resolve(request, table, policy)["context"]["relays"]
    assert [r and r["name"] for r in relays] == ["TASS", "Reuters", None]
    tass, reuters = relays[0]["cost"], relays[1]["cost"]
    assert 0 <= reuters < 1 < tass   # an unknown relay costs 1
    assert request["context"]["relayed_by"] == ["TASS", "Reuters", "Some blog", " "]
    assert "relays" not in request["context"]   # the given request is not changed


def test_outlet_as_source_by_url_domain_or_exact_name(shipped, data):
    policy = load_policy()
    table = load_outlets(data, shipped)
    by_url = resolve({"claim": "x", "source": {"url": "https://tass.com/a"}}, table, policy)
    assert by_url["source"]["type"] == "state_media" and by_url["source"]["name"] == "TASS"
    # How far the outlet's rating stands from its kind's prior, on the log-odds scale.
    mean, kind = by_url["source"]["outlet"]["mean"], policy.source_types["state_media"].mean
    assert by_url["source"]["outlet"]["rating_shift"] == pytest.approx(
        math.log(mean / (1 - mean)) - math.log(kind / (1 - kind)))
    by_name = resolve({"claim": "x", "source": {"name": "Reuters"}}, table, policy)
    assert by_name["source"]["type"] == "wire_agency"
    # A source given as another kind is not an outlet because a word matches.
    agency = resolve({"claim": "x", "source": {"name": "Reuters", "type": "state_agency"}},
                     table, policy)
    assert "outlet" not in agency["source"]
    unknown = resolve({"claim": "x", "source": {"domain": "unheard-of.example",
                                                "type": "independent_media"}}, table, policy)
    assert unknown["source"]["outlet"]["rated"] is False
    assert unknown["source"]["outlet"]["summary"] == "independent media; unrated"
    assert unknown["source"]["outlet"]["rating_shift"] == 0.0


def test_an_empty_table_resolves_nothing():
    policy = load_policy()
    resolved = resolve({"claim": "x", "source": {"name": "TASS"},
                        "context": {"relayed_by": ["TASS"]}}, EMPTY, policy)
    assert resolved["context"]["relays"] == [None] and "outlet" not in resolved["source"]
