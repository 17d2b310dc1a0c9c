"""Synthetic claims in the service's request schema, with six-level verdicts.

Deterministic by seed. Verdicts depend on some words of the claim and on the source
(each source has a latent reliability), never on the context modifiers (party to the
events, relays, first-hand, corroborations, evidence), which the data leaves unset, as
public benchmarks do. Written for the tests: no row of any real dataset is in here.

Imported by name (`import synthetic_claims`): pyproject.toml puts tests/model on the
import path for pytest.
"""
from __future__ import annotations

import json

import numpy as np

LEVELS = ("pants-fire", "false", "barely-true", "half-true", "mostly-true", "true")

# name, type, role, affiliation, country, latent reliability (log-odds)
SOURCES = [
    ("Alice Harmon", "politician", "State senator", "republican", "US", 0.4),
    ("Bob Carver", "politician", "State representative", "democrat", "US", -0.6),
    ("Carla Mendes", "government_official", "Governor", "democrat", "US", 0.8),
    ("Dmitri Orlov", "state_agency", "Ministry spokesperson", "", "RU", -1.2),
    ("Ministry of Truth", "state_agency", "Press office", "", "RU", -1.5),
    ("Northern Daily", "independent_media", "Newspaper", "", "GB", 1.3),
    ("Global Wire", "wire_agency", "News agency", "", "GB", 1.8),
    ("People's Voice TV", "state_media", "Broadcaster", "", "RU", -1.8),
    ("Helena Fiore", "academic", "Professor of economics", "", "IT", 1.1),
    ("Watchdog Group", "ngo", "Research director", "", "US", 0.9),
    ("Viral Page", "social_media_account", "Facebook post", "", "", -2.2),
    ("Chain Email", "social_media_account", "Chain email", "", "", -2.5),
    ("Sam Ortiz", "commentator", "Talk show host", "republican", "US", -1.0),
    ("Tina Brooks", "commentator", "Columnist", "democrat", "US", 0.0),
    ("Unknown Caller", "other", "", "", "", -0.3),
    ("Somebody", "other", "Businessman", "", "US", 0.2),
    ("Green Future", "advocacy_group", "Campaign group", "", "DE", -0.2),
    ("Acme Corp", "corporation", "Company spokesperson", "", "US", 0.5),
    ("Gen. Kovalenko", "military", "General staff spokesperson", "", "UA", 0.1),
    ("United Monitors", "international_org", "Monitoring mission", "", "CH", 1.4),
    ("Victor Hale", "opposition_politician", "Opposition leader", "", "BY", 0.0),
    ("Party HQ", "political_party", "Party committee", "republican", "US", -0.4),
    ("Anon", "anonymous", "", "", "", -0.5),
    ("Eve Witness", "eyewitness", "Resident", "", "UA", 0.3),
]

# words that move the verdict, and their effect on the latent score
GOOD_WORDS = {"census": 1.2, "report": 0.9, "data": 0.8, "according": 0.6, "budget": 0.5,
              "survey": 0.7}
BAD_WORDS = {"hoax": -1.5, "secret": -1.2, "never": -0.8, "everyone": -0.9, "banned": -1.0,
             "millions": -0.7}
NEUTRAL_WORDS = ["the", "state", "city", "jobs", "taxes", "school", "workers", "price",
                 "border", "health", "army", "tanks", "since", "march", "year", "rose",
                 "fell", "under", "plan", "vote", "county", "law", "water", "roads"]
TOPICS = ["economy", "military", "health", "elections", "education", "energy"]
CHANNELS = ["interview", "press release", "tweet", "speech", "tv ad", "newsletter"]
# latent score -> level: cut points on the latent scale
CUTS = (-2.0, -1.0, -0.2, 0.6, 1.6)


# desk -> (its base-rate shift on the latent score, cue words it alone punishes): desk-b
# is stricter than desk-a and rates claims that attribute ("report", "according") down;
# desk-c is rare.
DESKS = {"desk-a": (0.0, {}), "desk-b": (-1.2, {"report": -2.5, "according": -2.5}),
         "desk-c": (0.5, {})}
DESK_SHARES = (0.5, 0.45, 0.05)


def make_claims(n: int = 600, seed: int = 0,
                desks: bool = False) -> tuple[list[dict], list[int]]:
    """(requests, levels 0..5), deterministic by seed; with ``desks`` each claim has a
    desk of DESKS whose habits move its verdict."""
    rng = np.random.default_rng(seed)
    cue_words = list(GOOD_WORDS) + list(BAD_WORDS)
    requests, levels = [], []
    for _ in range(n):
        name, kind, role, affiliation, country, reliability = SOURCES[
            rng.integers(len(SOURCES))]
        words = list(rng.choice(NEUTRAL_WORDS, rng.integers(4, 9)))
        chosen = list(rng.choice(cue_words, rng.integers(0, 3), replace=False))
        words += chosen
        if rng.random() < 0.3:
            words.append(str(int(rng.integers(2, 500))))
        rng.shuffle(words)
        latent = reliability + sum(GOOD_WORDS.get(w, 0.0) + BAD_WORDS.get(w, 0.0)
                                   for w in chosen) + rng.logistic(0, 0.6)
        desk = None
        if desks:
            desk = str(rng.choice(list(DESKS), p=DESK_SHARES))
            shift, punished = DESKS[desk]
            latent += shift + sum(punished.get(w, 0.0) for w in chosen)
        level = int(np.searchsorted(CUTS, latent))
        topics = list(rng.choice(TOPICS, rng.integers(1, 3), replace=False))
        source = {"name": name, "type": kind, "role": role, "affiliation": affiliation,
                  "country": country}
        requests.append({
            "claim": " ".join(words).capitalize() + ".",
            "source": {k: v for k, v in source.items() if v},
            "context": {"channel": str(rng.choice(CHANNELS)), "topic": ",".join(topics)},
            **({"desk": desk} if desk else {}),
        })
        levels.append(level)
    return requests, levels


def write_jsonl(path, requests, levels) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for request, level in zip(requests, levels):
            handle.write(json.dumps({**request, "verdict": LEVELS[level]}) + "\n")   # desk kept


# -- hypothesis strategies over requests, records and edits ---------------------------

def strategies():
    """Hypothesis strategies (imported lazily so that the generator needs no hypothesis)."""
    from hypothesis import strategies as st

    words = st.sampled_from(NEUTRAL_WORDS + list(GOOD_WORDS) + list(BAD_WORDS)
                            + ["reportedly", "all", "100", "percent", "$5", "!", "?"])
    ascii_claims = st.lists(words, min_size=0, max_size=14).map(" ".join)
    claims = st.one_of(
        ascii_claims,
        st.sampled_from(["Київ втратив понад 100 чоловік і шість танків.",
                         "Москва заявила, что потери «минимальны»",
                         "東京の人口は減った", "Les prix ont doublé depuis mars!",
                         "Ça alors — 50 % de plus 🚀", ""]),
        st.text(max_size=60),
    )
    known = st.sampled_from(SOURCES).map(
        lambda s: {k: v for k, v in zip(("name", "type", "role", "affiliation", "country"),
                                        s[:5]) if v})
    types = st.sampled_from(
        sorted({s[1] for s in SOURCES} | {"armed_group", "exiled_politician",
                                          "not_a_type", "other"}))
    inline = st.fixed_dictionaries(
        {"type": types},
        optional={"name": st.sampled_from(["Hamas", "TASS", "Reuters", "Jane Doe",
                                           "Пресс-служба"]),
                  "role": st.sampled_from(["", "Spokesperson", "U.S. Senator", "Blogger"]),
                  "affiliation": st.sampled_from(["", "Russia", "democrat"]),
                  "country": st.sampled_from(["RU", "UA", "US"])})
    evidence_item = st.one_of(
        st.just("https://example.org/video"),
        st.fixed_dictionaries({"url": st.just("https://example.org/photo"),
                               "verified": st.booleans()}))
    contexts = st.fixed_dictionaries({}, optional={
        "party_to_event": st.booleans(),
        "relayed_by": st.lists(st.sampled_from(["TASS", "RIA", "a blog", "Reuters"]),
                               max_size=3),
        "first_hand": st.booleans(),
        "corroborations": st.integers(0, 12),
        "evidence": st.lists(evidence_item, max_size=2),
        "channel": st.sampled_from(CHANNELS + ["", "telegram"]),
        "topic": st.sampled_from(TOPICS + ["", "military,health"]),
    })
    requests = st.fixed_dictionaries(
        {"claim": claims, "source": st.one_of(known, inline)},
        optional={"context": contexts})
    records = st.one_of(
        st.none(),
        st.lists(st.integers(0, 40), min_size=6, max_size=6).map(
            lambda counts: dict(zip(LEVELS, counts))))
    return {"requests": requests, "records": records, "claims": claims,
            "contexts": contexts}
