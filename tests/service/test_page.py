"""GET /: the journalists' page, its files, and the promises it makes about them."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "service" / "static"


class PageParts(HTMLParser):
    """The tags of the page, with their attributes, outside <template> too."""

    def __init__(self):
        super().__init__()
        self.tags, self.inline_scripts, self._in_script, self._labels = [], 0, False, 0
        self.wrapped = []  # controls inside a <label>

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        self._labels += tag == "label"
        if self._labels and tag in ("input", "select", "textarea"):
            self.wrapped.append(dict(attrs))

    def handle_endtag(self, tag):
        self._in_script = False
        self._labels -= tag == "label"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1


@pytest.fixture
def page(client):
    response = client.get("/")
    assert response.status_code == 200
    parts = PageParts()
    parts.feed(response.get_data(as_text=True))
    return response, parts


def test_the_page_is_html_with_a_strict_content_security_policy(page):
    response, _ = page
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self';") and "'unsafe-inline'" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_loads_only_its_own_files_and_has_no_inline_script_or_style(client, page):
    _, parts = page
    assert parts.inline_scripts == 0
    for tag, attrs in parts.tags:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("src", "href"):
            if name in attrs and tag in ("script", "link", "img"):
                assert attrs[name].startswith("/static/"), attrs[name]
                with client.get(attrs[name]) as asset:
                    assert asset.status_code == 200
                    assert asset.headers["X-Content-Type-Options"] == "nosniff"
    assert {attrs.get("src") for tag, attrs in parts.tags if tag == "script"} == {
        "/static/page.js"}


def test_the_script_and_styles_name_no_outside_address():
    for path in (STATIC / "page.js", STATIC / "page.css"):
        text = path.read_text()
        assert not re.search(r"https?://|//[a-z0-9-]+\.[a-z]", text), path
        assert "innerHTML" not in text and "console.log" not in text, path


def test_the_script_links_only_to_this_service_or_through_the_url_check():
    """A URL from an answer (evidence, a verdict's) may become a link only through webLink(),
    which takes http(s) alone: every other href the script sets is this service's own path."""
    text = (STATIC / "page.js").read_text()
    assigned = re.findall(
        r"\.href\s*=\s*([^;]+);|setAttribute\(\s*[\"']href[\"']\s*,\s*([^)]+)\)", text)
    assert assigned   # the ClaimReview link at least
    for own, attribute in assigned:
        value = (own or attribute).strip()
        assert value.startswith(("`/v1/", '"/', "'/", "webLink(")), value
    assert not re.search(r"\.(src|action|formAction)\s*=|location\s*=|window\.open", text)
    if "webLink(" in text:
        check = re.search(r"function webLink\(.*?\n  }", text, re.S).group(0)
        assert re.search(r"\^https\?:", check), check


def test_every_form_control_has_a_label(page):
    _, parts = page
    labelled = {attrs["for"] for tag, attrs in parts.tags if tag == "label" and "for" in attrs}
    ids = {attrs["id"] for _, attrs in parts.tags if "id" in attrs}
    assert labelled <= ids
    controls = [attrs for tag, attrs in parts.tags if tag in ("input", "select", "textarea")]
    assert controls
    for attrs in controls:
        assert attrs.get("id") in labelled or attrs in parts.wrapped, attrs


def test_the_page_is_in_the_openapi_document_as_html(client):
    operation = client.get("/openapi.json").json["paths"]["/"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/html"]
    assert operation["summary"]


def test_the_api_keeps_its_own_headers(client):
    # The page's policy is for the page; JSON answers are not framed by it.
    response = client.get("/v1/taxonomy")
    assert "Content-Security-Policy" not in response.headers
