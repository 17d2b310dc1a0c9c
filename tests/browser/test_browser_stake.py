"""The page says when a claim serves its source's side: which form, on which words, why.

Each test leaves a full-page screenshot in test-artifacts/ (conftest.py).
"""
import pytest

expect = pytest.importorskip("playwright.sync_api",
                             reason="Playwright is not installed (requirements-dev.txt)").expect

CLAIM = "Since March 10 Kyiv has lost over 100 men and six tanks."


def assess(page, claim, party):
    page.get_by_label("Claim", exact=True).fill(claim)
    page.get_by_label("Name", exact=True).fill("Federal Security Service")
    page.get_by_label("Kind of source").select_option("state_agency")
    party_box = page.get_by_label("The source is a party to the events it describes")
    party_box.check() if party else party_box.uncheck()
    before = page.locator("#assessment-id").text_content()
    page.get_by_role("button", name="Assess the claim").click()
    expect(page.locator("#answer")).to_be_visible()
    expect(page.locator("#assessment-id")).not_to_have_text(before or "")


def test_a_partys_claim_of_enemy_losses_is_marked_and_weighed(page):
    assess(page, CLAIM, party=True)
    box = page.locator("#stake")
    expect(box).to_be_visible()
    expect(page.locator("#stake-summary")).to_contain_text("claims enemy losses")
    expect(page.locator("#stake-summary")).to_contain_text("party to the events, so this weighs")
    marked = page.locator("#stake-claim mark.stake-words.serves")
    expect(marked).to_have_count(1)
    expect(marked).to_have_text("Kyiv has lost over 100 men")
    expect(marked).to_have_attribute("title", "claims enemy losses")
    expect(page.locator("#stake-claim")).to_have_text(CLAIM)   # the whole claim, in order
    expect(page.locator("#stake-why")).to_contain_text("inflate the other side's losses")
    factors = page.locator("#factors .factor")
    serving = factors.filter(has_text="Serves its side: claims enemy losses")
    expect(serving).to_have_count(1)
    expect(serving).to_contain_text("house policy")
    expect(serving.locator(".weight")).to_have_text("\u22120.60")   # a minus sign
    expect(page.locator("#changes")).to_contain_text("If it did not serve the source's side")
    expect(factors.filter(has_text="Wording:")).to_have_count(1)   # the cue is shown too


def test_the_same_words_from_a_source_not_a_party_do_not_weigh(page):
    assess(page, CLAIM, party=True)
    expect(page.locator("#stake")).to_be_visible()
    assess(page, CLAIM, party=False)
    expect(page.locator("#stake")).to_be_hidden()
    expect(page.locator("#factors .factor").filter(has_text="Serves its side")).to_have_count(0)
    expect(page.locator("#factors .factor").filter(has_text="Party to the events")).to_have_count(0)


def test_an_admission_is_marked_as_running_against_the_side(page):
    claim = "Two of our soldiers were wounded near Robotyne."
    assess(page, claim, party=True)
    marked = page.locator("#stake-claim mark.stake-words.against")
    expect(marked).to_have_text("Two of our soldiers were wounded")
    expect(page.locator("#stake-summary")).to_contain_text("admits its own losses or setbacks")
    expect(page.locator("#stake-why")).to_contain_text("least reason to make up")
    expect(page.locator("#factors .factor").filter(
        has_text="Runs against its side: admits its own losses or setbacks")).to_have_count(1)


def test_a_claim_of_no_form_shows_no_stake_box(page):
    assess(page, "The bridge over the Kerch Strait is 19 kilometres long.", party=True)
    expect(page.locator("#stake")).to_be_hidden()
