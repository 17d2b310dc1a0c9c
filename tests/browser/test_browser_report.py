"""The page's news-report mode in Chromium: paste a report, read its claims side by side,
correct a row and re-score it, record a verdict per row, and the refusals.

Each test leaves a full-page screenshot in test-artifacts/ (conftest.py).
"""
import re

import pytest

from tests.conftest import WRITER_KEY

expect = pytest.importorskip("playwright.sync_api",
                             reason="Playwright is not installed (requirements-dev.txt)").expect

REPORT = """Two armed groups said on Tuesday they had crossed into the Belgorod region and taken the village of Kozinka.

The Siberian Battalion (SB) said in a statement on Telegram that its fighters held Kozinka.

Tass, quoting the Defence Ministry and the FSB, reported that the attackers were forced back from Kozinka with losses of more than 70 men.

Meridian Foods said its quarterly revenue rose 12%.

"We dream of a Russia freed from dictatorship," said Pavel Voronin, an exiled opposition politician."""


def weigh(page, text=REPORT):
    page.get_by_role("button", name="A news report").click()
    page.get_by_label("The report").fill(text)
    page.get_by_role("button", name="Find and weigh the claims").click()


def test_a_report_shows_its_claims_as_rows_with_opposing_parties_together(page):
    expect(page.locator("#source-type option")).not_to_have_count(1)  # the taxonomy arrived
    weigh(page)
    rows = page.locator("#report-claims .claim-row")
    expect(rows).to_have_count(5)
    expect(page.locator("#report-summary")).to_have_text("5 attributed claims, 4 scored.")
    # The three claims about Kozinka, from three sides, stand together under one heading.
    event = page.locator("#report-claims tbody.event").first
    expect(event.locator(".event-head")).to_contain_text("kozinka")
    assert event.locator(".claim-row").evaluate_all(
        "rows => rows.map(r => r.dataset.speaker)") == [
            "Two armed groups", "Siberian Battalion", "Defence Ministry"]
    relayed = rows.filter(has_text="forced back")
    expect(relayed).to_contain_text("relayed by Tass")
    expect(relayed.locator(".speaker-name")).to_have_value("Defence Ministry")
    expect(relayed.locator(".kind")).to_have_value("state_agency")
    expect(relayed.locator(".grade-mark")).to_have_text(re.compile(r"^[A-F][1-6]$"))
    expect(relayed.locator(".factor-list li")).to_have_count(3)
    expect(rows.filter(has_text="We dream")).to_contain_text("Opinion: not scored")


def test_a_corrected_row_is_scored_again_and_takes_a_verdict(page):
    weigh(page)
    row = page.locator("#report-claims .claim-row").filter(has_text="revenue rose")
    expect(row.locator(".row-score")).not_to_be_empty()
    before = row.locator(".row-score").text_content()
    row.locator(".speaker-name").fill("Meridian Foods")
    row.locator(".kind").select_option("armed_group")
    row.locator(".party").check()
    row.get_by_role("button", name="Re-score claim").click()
    expect(row.locator(".row-status")).to_have_text("Re-scored.")
    assert row.locator(".row-score").text_content() != before
    # A verdict without a key is refused, with one it is recorded.
    row.locator(".row-level").select_option("false")
    row.get_by_role("button", name="Record the verdict").click()
    expect(row.locator(".row-status")).to_contain_text("Unauthorized")
    page.get_by_label("Desk key").fill(WRITER_KEY)
    page.get_by_label("Signed by").fill("desk-3")
    row.get_by_role("button", name="Record the verdict").click()
    expect(row.locator(".row-status")).to_have_text("Verdict recorded: false.")


def test_empty_foreign_and_unattributed_reports_say_what_they_are(page):
    weigh(page, "   ")
    expect(page.locator("#report-problem")).to_be_visible()
    expect(page.locator('.field-error[data-field="text"]')).to_have_text("The text is empty.")
    page.get_by_label("The report").fill("Министерство обороны заявило, что атака отражена.")
    page.get_by_role("button", name="Find and weigh the claims").click()
    expect(page.locator("#report-summary")).to_contain_text("not in English (language: ru)")
    expect(page.locator("#report-claims .claim-row")).to_have_count(0)
    page.get_by_label("The report").fill("Shares rose 4% in morning trading.")
    page.get_by_role("button", name="Find and weigh the claims").click()
    expect(page.locator("#report-summary")).to_have_text(
        "0 attributed claims, 0 scored: the report names no one saying anything.")
    expect(page.locator("#report-claims")).to_be_hidden()
