"""Tests for model.roles: the rule table, its order, its totality, and its coverage of real data."""
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.policy import load_policy
from model.roles import (AFFILIATION_RULES, KNOWN_SPEAKERS, OCCUPATION_RULES, RULES,
                         SOURCE_TYPES, classify_source, match_source)

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

# (name, role, expected type). Strings written for these tests, not taken from any dataset.
CASES = [
    # legislators and candidates
    (None, "U.S. Senator", "politician"),
    (None, "U.S. Representative", "politician"),
    (None, "State representative", "politician"),
    (None, "Congressional candidate", "politician"),
    (None, "Former governor", "politician"),
    (None, "President-Elect", "politician"),
    (None, "Member of the State Assembly, 12th District", "politician"),
    (None, "Councilwoman", "politician"),
    # executive office
    (None, "Governor", "government_official"),
    (None, "President", "government_official"),
    (None, "Mayor", "government_official"),
    (None, "Attorney General", "government_official"),
    (None, "Secretary of State", "government_official"),
    (None, "Foreign Ministry spokeswoman", "government_official"),
    (None, "Russian ambassador to the UN", "government_official"),
    (None, "Lieutenant governor", "government_official"),
    # opinion, online content
    (None, "Social media posting", "social_media_account"),
    (None, "Talk show host", "commentator"),
    (None, "Columnist", "commentator"),
    ("Facebook posts", None, "social_media_account"),
    ("Viral image", None, "social_media_account"),
    ("Instagram user", None, "social_media_account"),
    ("X user", None, "social_media_account"),
    ("x.com", None, "social_media_account"),
    ("@some_handle", None, "social_media_account"),
    ("Telegram channel", None, "social_media_account"),
    ("Chain email", None, "social_media_account"),
    ("Bloggers", None, "social_media_account"),
    # state bodies and armed forces
    ("Ministry of Defence", None, "state_agency"),
    ("Ministry of Defense of Russia", None, "state_agency"),
    ("Russian Defense Ministry", None, "state_agency"),
    ("Federal Security Service", None, "state_agency"),
    ("The F.S.B.", None, "state_agency"),
    ("SBU", None, "state_agency"),
    ("Russian Embassy in Pretoria", None, "state_agency"),
    ("General Staff of the Armed Forces of Ukraine", None, "military"),
    ("Lieutenant General Ivan Petrov", None, "military"),
    ("Attorney General Jane Doe", None, "government_official"),
    # media
    ("TASS", None, "state_media"),
    ("RIA Novosti", None, "state_media"),
    ("RT", None, "state_media"),
    ("Sputnik", None, "state_media"),
    ("Xinhua", None, "state_media"),
    ("KCNA", None, "state_media"),
    ("IRNA", None, "state_media"),
    ("CCTV", None, "state_media"),
    ("Channel One Russia", None, "state_media"),
    ("tass.ru", None, "state_media"),
    ("Ukrainska Pravda", None, "independent_media"),
    ("Reuters", None, "wire_agency"),
    ("Associated Press", None, "wire_agency"),
    ("AFP", None, "wire_agency"),
    ("BBC", None, "independent_media"),
    (None, "Correspondent for a national newspaper", "independent_media"),
    # armed groups
    ("Hamas", None, "armed_group"),
    ("Wagner Group", None, "armed_group"),
    ("Houthis", None, "armed_group"),
    ("Hezbollah", None, "armed_group"),
    ("Taliban", None, "armed_group"),
    # opposition and exile
    (None, "exiled opposition leader", "exiled_politician"),
    (None, "former minister living in exile", "exiled_politician"),
    (None, "opposition leader", "opposition_politician"),
    # international bodies, NGOs, academia
    ("United Nations", None, "international_org"),
    ("NATO", None, "international_org"),
    ("Amnesty International", None, "ngo"),
    ("Human Rights Watch", None, "ngo"),
    (None, "professor", "academic"),
    (None, "Chemistry professor", "academic"),
    ("State university", None, "academic"),
    # parties and advocacy
    ("Democratic Party", None, "political_party"),
    ("Republican National Committee", None, "political_party"),
    ("NRCC", None, "political_party"),
    (None, "Chair of the state Democratic Party", "political_party"),
    ("Citizens for Lower Taxes PAC", None, "advocacy_group"),
    (None, "Advocacy group", "advocacy_group"),
    # business
    (None, "Business owner", "corporation"),
    ("A widget company", None, "corporation"),
    ("Widgets Inc.", None, "corporation"),
    # witnesses and the unnamed
    (None, "eyewitness", "eyewitness"),
    (None, "resident", "eyewitness"),
    (None, "anonymous", "anonymous"),
    (None, "unnamed official", "anonymous"),
    ("Multiple sources", None, "anonymous"),
    # known by name alone
    ("Vladimir Putin", None, "government_official"),
    ("Maria Zakharova", None, "government_official"),
    ("Dmitry Kiselyov", None, "state_media"),
    # nothing to go on
    ("Jane Doe", None, "other"),
    (None, None, "other"),
    ("", "", "other"),
]


@pytest.mark.parametrize("name, role, expected", CASES)
def test_classify_source(name, role, expected):
    assert classify_source(name=name, role=role) == expected


@pytest.mark.parametrize("name, role, affiliation, expected", [
    ("Jane Doe", None, "republican", "politician"),
    ("Jane Doe", None, "democrat", "politician"),
    ("Jane Doe", None, "none", "other"),
    ("Friends of Parks", None, "organization", "advocacy_group"),
    ("Jane Doe", None, "talk-show-host", "commentator"),
    ("Jane Doe", None, "state-official", "government_official"),
    # role and name come before the party column ...
    ("Jane Doe", "Columnist", "republican", "commentator"),
    ("Republican National Committee", None, "republican", "political_party"),
    # ... but a private occupation yields to it: such speakers are candidates.
    ("Jane Doe", "Businessman", "republican", "politician"),
    ("Jane Doe", "Businessman", None, "corporation"),
    ("Jane Doe", "Attorney", "democrat", "politician"),
    # a party named as an affiliation is membership, not the party speaking
    ("Jane Doe", None, "liberal-party-canada", "politician"),
    # an affiliation can name the organisation a person speaks for
    ("Jane Doe", None, "Russian Ministry of Defence", "state_agency"),
])
def test_affiliation(name, role, affiliation, expected):
    assert classify_source(name=name, role=role, affiliation=affiliation) == expected


def test_match_says_which_rule_and_field():
    match = match_source(name="Federal Security Service", role="Spokesman", affiliation="Russia")
    assert match.type == "government_official" and match.field == "role" and match.why
    assert match_source(name="Jane Doe") is None


def test_rule_types_are_the_policy_taxonomy():
    assert set(SOURCE_TYPES) == set(load_policy().source_types)
    for rules in (RULES, KNOWN_SPEAKERS, AFFILIATION_RULES, OCCUPATION_RULES):
        for pattern, source_type, why in rules:
            assert source_type in SOURCE_TYPES and why, pattern.pattern


any_text = st.one_of(st.none(), st.text(st.characters(codec=None, categories=None)))


@given(any_text, any_text, any_text)
def test_classify_never_raises(name, role, affiliation):
    assert classify_source(name, role, affiliation) in SOURCE_TYPES


@pytest.mark.skipif(not (DATASETS / "liar").is_dir(),
                    reason=f"no shared datasets at {DATASETS} (LIAR and ru-ua are not in the repo)")
def test_coverage_of_real_data():
    from training.roles_report import liar_coverage, ru_ua_coverage

    liar = liar_coverage(DATASETS / "liar")
    ru_ua = ru_ua_coverage(DATASETS / "ru-ua-factcheck-claims" / "claims_union_dedup_flat.csv")
    assert liar["total"] == 11553
    assert liar["share"] >= 0.85, liar["by_type"]
    assert ru_ua["share"] >= 0.6, ru_ua["by_type"]
