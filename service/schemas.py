"""marshmallow schemas: they validate requests, shape answers and write the OpenAPI document."""
from __future__ import annotations

import datetime
import re

from flask import current_app
from marshmallow import Schema, ValidationError, fields, post_dump, post_load, validate, validates
from marshmallow import INCLUDE, validates_schema

from model.desks import DESK_PATTERN
from model.levels import LEVELS

from .problems import ProblemSchema

TEXT = validate.Length(min=1, max=200)
DESK_ID = validate.Regexp(DESK_PATTERN + r"\Z", error="A desk id is lower-case letters, "
                          "digits, '.', '_' and '-' (up to 64), starting with a letter or digit.")


def desk_field(**metadata) -> fields.String:
    # The document's pattern in ECMA syntax (no \Z); the validator's refuses a final newline.
    return fields.String(validate=DESK_ID, metadata={
        "pattern": f"^{DESK_PATTERN}$", "example": "desk-3", **metadata})


def _known_type(value, **_):
    from .serving import policy

    types = policy().source_types
    if value not in types:
        raise ValidationError(f"Unknown source type; one of: {', '.join(sorted(types))}.")


class SourceType(fields.String):
    """A type of the taxonomy; the OpenAPI document lists them (service.api.register)."""

    def __init__(self, **kwargs):
        super().__init__(validate=_known_type, **kwargs)


class JsonBoolean(fields.Boolean):
    """JSON true or false only: marshmallow's Boolean also reads "yes", "on", 1 as true."""

    default_error_messages = {"invalid": "Not a boolean: send true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class QueryInteger(fields.Integer):
    """An integer in a query string: ASCII digits only (int() also takes "+5" and "٣")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not re.fullmatch(r"-?[0-9]+", value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


# Every URL a request carries (evidence, a verdict's evidence_url): http or https with a
# host, no spaces or control characters. The document publishes this pattern, and it is
# applied as JSON Schema validators apply one (re.search), so the two cannot disagree.
WEB_URL_PATTERN = (r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s\x00-\x1f\x7f/?#]+"
                   r"(?:[/?#][^\s\x00-\x1f\x7f]*)?$")
WEB_URL_MAX = 2000
WEB_URL = {"type": "string", "pattern": WEB_URL_PATTERN, "maxLength": WEB_URL_MAX}
_WEB_URL = re.compile(WEB_URL_PATTERN)
_NOT_WEB_URL = f"An http or https URL of up to {WEB_URL_MAX:,} characters."


def web_url(value) -> bool:
    """Whether `value` is a URL that may be stored and shown as a link."""
    return (isinstance(value, str) and len(value) <= WEB_URL_MAX
            and _WEB_URL.search(value) is not None)


def _web_url(value, **_):
    if not web_url(value):
        raise ValidationError(_NOT_WEB_URL)


def web_url_field(**metadata) -> fields.String:
    """An http(s) URL field: the one rule, published as the document's pattern."""
    return fields.String(validate=_web_url, metadata={**WEB_URL, **metadata})


def _evidence_item(item):
    url = item
    if isinstance(item, dict):
        url = item.get("url") if (set(item) <= {"url", "verified"} and isinstance(
            item.get("verified", False), bool)) else None
    if web_url(url):
        return
    raise ValidationError('Each item is an http(s) URL or {"url": http(s) URL, '
                          '"verified": true|false}.')


def _not_after_tomorrow(value, **_):
    # Time zones: a date that is already today somewhere is at most tomorrow in UTC.
    if value > datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1):
        raise ValidationError("A date no later than tomorrow (UTC).")


class PastDate(fields.Date):
    """A date no later than tomorrow (UTC); the document's pattern admits the years up to
    the one it was made in (service.api.register), as near as a pattern can say it."""

    def __init__(self, **kwargs):
        super().__init__(validate=_not_after_tomorrow, **kwargs)


def years_up_to(year: int) -> str:
    """A regular expression of the four-digit years 0000..`year`: 2026 gives
    (?:[0-1][0-9][0-9][0-9]|20[0-1][0-9]|202[0-6])."""
    digits = f"{year:04d}"
    parts = []
    for place, digit in enumerate(digits):
        top = int(digit) - (place < 3)   # the last digit may equal the year's
        if top >= 0:
            parts.append(digits[:place] + f"[0-{top}]" + "[0-9]" * (3 - place))
    return "(?:" + "|".join(parts) + ")"


# An outlet's host: what model.outlets.host_of reads (the document publishes the patterns).
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
OUTLET_URL = validate.Regexp(
    r"^[Hh][Tt][Tt][Pp][Ss]?://" + _HOST + r"(?::[0-9]{1,5})?(?:[/?#]\S*)?$",
    error="Not an http(s) URL with a host name such as tass.com.")
OUTLET_DOMAIN = validate.Regexp("^" + _HOST + "$", error="Not a domain name such as tass.com.")


def _one_line(value, **_):
    # Python's $ also matches before a final line break; the document's pattern does not.
    if "\n" in value:
        raise ValidationError("Line breaks are not allowed here.")


class SourceInputSchema(Schema):
    id = fields.String(validate=validate.Length(min=1),
                       metadata={"description": "A registered source's id"})
    url = fields.String(validate=[validate.Length(max=2000), OUTLET_URL, _one_line], metadata={
        "description": "A page of the outlet that is the source; resolves to the outlet "
                       "by its host", "example": "https://tass.com/politics/1"})
    domain = fields.String(validate=[validate.Length(max=253), OUTLET_DOMAIN, _one_line],
                           metadata={"description": "The outlet that is the source, by domain",
                                     "example": "tass.com"})
    name = fields.String(validate=TEXT, metadata={"example": "Federal Security Service"})
    type = SourceType(metadata={"description": "A type of GET /v1/taxonomy; when absent, "
                                               "guessed from name and role"})
    role = fields.String(validate=TEXT, metadata={"example": "spokesperson"})
    affiliation = fields.String(validate=TEXT, metadata={"example": "Russia"})
    country = fields.String(validate=validate.Length(min=1, max=64), metadata={"example": "RU"})
    region = fields.String(validate=TEXT)

    @validates_schema
    def _names_someone(self, data, **_):
        if not any(data.get(key) for key in ("id", "name", "type", "url", "domain")):
            raise ValidationError("Give source.id, source.name, source.type, source.url or "
                                  "source.domain.")


class ContextSchema(Schema):
    party_to_event = JsonBoolean(load_default=False)
    relayed_by = fields.List(fields.String(validate=TEXT), load_default=list,
                             metadata={"description": "Who passed the claim on, nearest first"})
    first_hand = JsonBoolean(load_default=False)
    channel = fields.String(validate=TEXT, metadata={"example": "statement"})
    corroborations = fields.Integer(load_default=0, strict=True,  # 2.5 is not a count
                                    validate=validate.Range(min=0, max=1000),
                                    metadata={"description": "Independent sources that agree"})
    evidence = fields.List(fields.Raw(validate=_evidence_item, metadata={"oneOf": [
        WEB_URL,
        {"type": "object", "required": ["url"], "additionalProperties": False,
         "properties": {"url": WEB_URL, "verified": {"type": "boolean"}}}]}),
        load_default=list,
        metadata={"description": 'http(s) URL strings or {"url", "verified"} objects'})
    published_at = PastDate(metadata={
        "description": "YYYY-MM-DD, no later than tomorrow (UTC)"})
    topic = fields.String(validate=TEXT, metadata={"example": "military"})

    @post_load
    def _date_as_text(self, data, **_):
        if data.get("published_at") is not None:
            data["published_at"] = data["published_at"].isoformat()
        return data


_NO_CONTEXT = ContextSchema()   # the defaults of a request that gives no context


class AssessmentRequestSchema(Schema):
    claim = fields.String(required=True, metadata={
        "description": "The claim, up to MAX_CLAIM_CHARS characters", "pattern": r"\S",
        "limit_setting": "MAX_CLAIM_CHARS",
        "example": "Since March 10 Kyiv has lost over 100 men and six tanks."})
    source = fields.Nested(SourceInputSchema, required=True, metadata={
        "description": "A registered source by id, or one described by name and/or type",
        "anyOf": [{"required": [key]} for key in ("id", "name", "type", "url", "domain")]})
    context = fields.Nested(ContextSchema)
    desk = desk_field(description="The desk to score it for; default: the API key's desk, "
                                  "else DEFAULT_DESK")

    @validates("claim")
    def _claim_size(self, value, **_):
        limit = current_app.config["MAX_CLAIM_CHARS"]
        if not value.strip():
            raise ValidationError("The claim is empty.")
        if len(value) > limit:
            raise ValidationError(f"The claim is longer than {limit} characters.")

    @post_load
    def _fill_context(self, data, **_):
        data["claim"] = data["claim"].strip()
        if "context" not in data:
            data["context"] = _NO_CONTEXT.load({})
        return data


class BatchRequestSchema(Schema):
    # Raw, not Nested: each item is validated on its own so that one bad item gets its
    # own error in its place instead of failing the whole batch.
    items = fields.List(fields.Raw(metadata={
        "description": "An AssessmentRequest; any other value but null gets its own error",
        "anyOf": [{"type": kind} for kind in ("object", "array", "string", "number",
                                                "boolean")]}),
                        required=True, validate=validate.Length(min=1),
                        metadata={"description": "Assessment requests, up to MAX_BATCH_ITEMS",
                                  "limit_setting": "MAX_BATCH_ITEMS"})
    explain = JsonBoolean(load_default=True, metadata={
        "description": "false: scores, grades and source records without factors and "
                       "counterfactuals, for archive jobs (much faster)"})


class TopicRecordSchema(Schema):
    counts = fields.Dict(keys=fields.String(validate=validate.OneOf(LEVELS)),
                         values=fields.Integer())
    total = fields.Integer()


class TrackRecordSchema(TopicRecordSchema):
    by_topic = fields.Dict(
        keys=fields.String(), values=fields.Nested(TopicRecordSchema),
        metadata={"description": "Only in GET /v1/sources/{id}: the verdicts per topic of "
                                 "the assessed claims (claims without a topic left out)"})


class ReliabilitySchema(Schema):
    mean = fields.Float()
    low = fields.Float()
    high = fields.Float()
    grade = fields.String(metadata={"description": "Admiralty source reliability, A-F"})


class OutletSummarySchema(Schema):
    domain = fields.String(metadata={"example": "tass.com"})
    name = fields.String(metadata={"example": "TASS"})
    kind = fields.String(metadata={"description": "state_media, wire_agency, "
                                   "public_broadcaster, independent_media, partisan_media "
                                   "or unknown"})
    rated = fields.Boolean()
    mean = fields.Float(allow_none=True, metadata={"description": "Rated reliability, 0..1"})
    summary = fields.String(metadata={"example": "state media; outlet rating 0.26 of 1, "
                                                 "Lin et al. 2023, MBFC"})


class RelaySchema(Schema):
    given = fields.String(metadata={"description": "The relay as the request named it"})
    outlet = fields.Nested(OutletSummarySchema, allow_none=True,
                           metadata={"description": "null: no outlet known by that name"})


class SourceRecordSchema(Schema):
    id = fields.String(allow_none=True, metadata={"description": "null for an unregistered source"})
    name = fields.String(allow_none=True)
    aliases = fields.List(fields.String())
    type = fields.String()
    role = fields.String(allow_none=True)
    affiliation = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    track_record = fields.Nested(TrackRecordSchema, allow_none=True)
    reliability = fields.Nested(ReliabilitySchema, allow_none=True)
    outlet = fields.Nested(OutletSummarySchema, metadata={
        "description": "In an assessment, when the source is an outlet (source.url, "
                       "source.domain, or an outlet's name)"})


class SourceCreateSchema(Schema):
    name = fields.String(required=True, validate=TEXT)
    aliases = fields.List(fields.String(validate=TEXT), load_default=list)
    type = SourceType(metadata={"description": "A type of GET /v1/taxonomy; when absent, "
                                               "guessed from name and role"})
    role = fields.String(validate=TEXT, allow_none=True)
    affiliation = fields.String(validate=TEXT, allow_none=True)
    country = fields.String(validate=validate.Length(min=1, max=64), allow_none=True)
    notes = fields.String(validate=validate.Length(max=5000), allow_none=True)


class SourcePatchSchema(SourceCreateSchema):
    name = fields.String(validate=TEXT)
    aliases = fields.List(fields.String(validate=TEXT))


class SourceQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "Part of a name or alias"})
    limit = QueryInteger(load_default=50, validate=validate.Range(min=1, max=200))
    # Bounded: the database's integers are 64-bit, and no registry is a billion sources long.
    offset = QueryInteger(load_default=0, validate=validate.Range(min=0, max=10**9))


class SourceListSchema(Schema):
    items = fields.List(fields.Nested(SourceRecordSchema))
    total = fields.Integer()


class FactorSchema(Schema):
    label = fields.String()
    weight = fields.Float(metadata={"description": "Share of the score's log-odds"})
    basis = fields.String(metadata={"description": "learned, policy, or desk (the desk's "
                                                   "calibration from its verdicts)"})


class ChangeSchema(Schema):
    change = fields.String()
    score = fields.Float()


class StakeFormSchema(Schema):
    name = fields.String(metadata={"description": "The form's name in the policy file",
                                   "example": "enemy_losses"})
    label = fields.String(metadata={"example": "claims enemy losses"})
    direction = fields.String(metadata={
        "description": "serves (the source's side) or against (it: an admission)"})


class StakeSpanSchema(Schema):
    start = fields.Integer(metadata={"description": "First character of the words, in the "
                                                    "claim as sent (Unicode code points)"})
    end = fields.Integer(metadata={"description": "One past the last character"})
    form = fields.String(metadata={"description": "The form these words made"})


class StakeSchema(Schema):
    forms = fields.List(fields.Nested(StakeFormSchema), metadata={
        "description": "The forms of a claim that serves (or runs against) its source's side, "
                       "recognised by the policy's `stake` rules in the claim of a source "
                       "that is a party to the events (no one else's claim is read for them)"})
    spans = fields.List(fields.Nested(StakeSpanSchema),
                        metadata={"description": "The words that made each form"})
    weighed = fields.Boolean(metadata={
        "description": "True when the forms weigh: the source is a party to the events"})


class GradeSchema(Schema):
    source_reliability = fields.String(metadata={"description": "A-F"})
    information_credibility = fields.String(metadata={"description": "1-6"})


class ModelRefSchema(Schema):
    version = fields.String()
    policy_version = fields.String()


class AssessmentSchema(Schema):
    id = fields.String()
    created_at = fields.String(metadata={"description": "ISO 8601, UTC"})
    score = fields.Float(metadata={"description": "Probability of at least half-true"})
    band = fields.String(metadata={"description": "low, mixed or high"})
    distribution = fields.Dict(keys=fields.String(validate=validate.OneOf(LEVELS)),
                               values=fields.Float())
    grade = fields.Nested(GradeSchema)
    intercept = fields.Float()
    factors = fields.List(fields.Nested(FactorSchema))
    what_would_change = fields.List(fields.Nested(ChangeSchema))
    stake = fields.Nested(StakeSchema, metadata={
        "description": "Whether the claim serves its source's side, on which words"})
    source = fields.Nested(SourceRecordSchema)
    relays = fields.List(fields.Nested(RelaySchema), metadata={
        "description": "context.relayed_by, each with the outlet it resolved to"})
    model = fields.Nested(ModelRefSchema)
    desk = desk_field(description="The desk it was scored for; its verdict counts for it")


class OutletQuerySchema(Schema):
    q = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "Part of a name, alias or domain"})
    limit = QueryInteger(load_default=20, validate=validate.Range(min=1, max=100))


class OutletRatingSchema(Schema):
    source = fields.String(metadata={"description": "lin2023, mbfc, baly, idiap or euvsdisinfo"})
    citation = fields.String()
    value = fields.Float(metadata={"description": "The mean it stands for (0..1); for "
                                                  "EUvsDisinfo, the number of cases"})
    label = fields.String(metadata={"description": "As the rating set gives it"})


class OutletSchema(Schema):
    domain = fields.String()
    name = fields.String()
    aliases = fields.List(fields.String())
    country = fields.String(allow_none=True)
    kind = fields.String()
    ratings = fields.List(fields.Nested(OutletRatingSchema))
    reliability = fields.Nested(ReliabilitySchema, allow_none=True,
                                metadata={"description": "null for an unrated outlet"})


class OutletListSchema(Schema):
    items = fields.List(fields.Nested(OutletSchema))
    loaded = fields.List(fields.String(), metadata={
        "description": "The rating sets this service read: names, lin2023, mbfc, idiap, "
                       "baly, euvsdisinfo"})


class BatchItemSchema(Schema):
    index = fields.Integer()
    status = fields.Integer(metadata={"description": "201 when scored, else the problem's"})
    assessment = fields.Nested(AssessmentSchema)
    error = fields.Nested(ProblemSchema)


class BatchResultSchema(Schema):
    items = fields.List(fields.Nested(BatchItemSchema))


class VerdictSchema(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(LEVELS))
    reviewer = fields.String(required=True, validate=TEXT)
    evidence_url = fields.String(validate=_web_url, allow_none=True,
                                 metadata={**WEB_URL, "description": "An http(s) URL"})
    notes = fields.String(validate=validate.Length(max=5000), allow_none=True)


class CalibrationSchema(Schema):
    shift = fields.Float(metadata={"description": "Added to the shared model's log-odds"})
    slope = fields.Float(metadata={"description": "Multiplies the shared model's log-odds"})


class DeskSchema(Schema):
    desk = desk_field()
    verdicts = fields.Integer(metadata={"description": "Verdicts the calibration is fitted on"})
    calibration = fields.Nested(CalibrationSchema, metadata={
        "description": "desk log-odds = shift + slope * model log-odds"})
    ece = fields.Float(allow_none=True, metadata={
        "description": "Expected calibration error of the scores the desk was given, each "
                       "judged by the verdict that came after it; null without verdicts"})
    updated_at = fields.String(allow_none=True, metadata={
        "description": "When its last verdict refitted it (ISO 8601, UTC)"})


class DeskListSchema(Schema):
    items = fields.List(fields.Nested(DeskSchema))


class JsonLdThingSchema(Schema):
    type_ = fields.String(data_key="@type", metadata={"example": "Organization"})
    name = fields.String()


class ClaimSchema(Schema):
    type_ = fields.String(data_key="@type", metadata={"example": "Claim"})
    author = fields.Nested(JsonLdThingSchema, metadata={"description": "Who made the claim"})
    date_published = fields.String(data_key="datePublished",
                                   metadata={"description": "context.published_at, if given"})


class RatingSchema(Schema):
    type_ = fields.String(data_key="@type", metadata={"example": "Rating"})
    rating_value = fields.Integer(data_key="ratingValue", metadata={
        "description": "The verdict, 1 (pants-fire) to 6 (true); without a verdict the "
                       "model's band, 1 (low) to 3 (high)"})
    best_rating = fields.Integer(data_key="bestRating")
    worst_rating = fields.Integer(data_key="worstRating")
    alternate_name = fields.String(data_key="alternateName", metadata={"example": "False"})
    rating_explanation = fields.String(data_key="ratingExplanation")


class ClaimReviewSchema(Schema):
    context = fields.String(data_key="@context", metadata={"example": "https://schema.org"})
    type_ = fields.String(data_key="@type", metadata={"example": "ClaimReview"})
    claim_reviewed = fields.String(data_key="claimReviewed")
    item_reviewed = fields.Nested(ClaimSchema, data_key="itemReviewed")
    review_rating = fields.Nested(RatingSchema, data_key="reviewRating")
    author = fields.Nested(JsonLdThingSchema, metadata={"description": "The desk"})
    date_published = fields.String(data_key="datePublished",
                                   metadata={"description": "The verdict's date, else the "
                                                            "assessment's (YYYY-MM-DD, UTC)"})
    url = fields.String(metadata={"description": "The verdict's evidence URL, if given"})


class SourceTypeSchema(Schema):
    name = fields.String()
    description = fields.String()
    prior = fields.Dict(keys=fields.String(), values=fields.Float(),
                        metadata={"description": "Beta(a, b) of 'a claim holds up'"})
    mean = fields.Float()
    basis = fields.String(metadata={"description": "estimated or elicited"})
    rationale = fields.String()


class TaxonomySchema(Schema):
    policy_version = fields.String()
    types = fields.List(fields.Nested(SourceTypeSchema))


class ModelCardSchema(Schema):
    class Meta:
        unknown = INCLUDE  # the card carries more than these two; the document says so

    version = fields.String()
    policy_version = fields.String()

    @post_dump(pass_original=True)
    def _whole_card(self, data, original, **_):
        return {**original, **data}


class HealthSchema(Schema):
    status = fields.String()
    model_version = fields.String(allow_none=True)
