"""marshmallow schemas: they validate requests, shape answers and write the OpenAPI document."""
from __future__ import annotations

from flask import current_app
from marshmallow import Schema, ValidationError, fields, post_dump, post_load, validate, validates
from marshmallow import INCLUDE, validates_schema

from model.levels import LEVELS

from .problems import ProblemSchema

TEXT = validate.Length(min=1, max=200)


def _known_type(value, **_):
    from .serving import policy

    types = policy().source_types
    if value not in types:
        raise ValidationError(f"Unknown source type; one of: {', '.join(sorted(types))}.")


def _evidence_item(item):
    if isinstance(item, str) and item.strip():
        return
    if (isinstance(item, dict) and isinstance(item.get("url"), str)
            and set(item) <= {"url", "verified"}
            and isinstance(item.get("verified", False), bool)):
        return
    raise ValidationError('Each item is a URL string or {"url": ..., "verified": true|false}.')


class SourceInputSchema(Schema):
    id = fields.String(metadata={"description": "A registered source's id"})
    name = fields.String(validate=TEXT, metadata={"example": "Federal Security Service"})
    type = fields.String(validate=_known_type,
                         metadata={"description": "A type of GET /v1/taxonomy; when absent, "
                                                  "guessed from name and role"})
    role = fields.String(validate=TEXT, metadata={"example": "spokesperson"})
    affiliation = fields.String(validate=TEXT, metadata={"example": "Russia"})
    country = fields.String(validate=validate.Length(min=1, max=64), metadata={"example": "RU"})
    region = fields.String(validate=TEXT)

    @validates_schema
    def _names_someone(self, data, **_):
        if not any(data.get(key) for key in ("id", "name", "type")):
            raise ValidationError("Give source.id, source.name or source.type.")


class ContextSchema(Schema):
    party_to_event = fields.Boolean(load_default=False)
    relayed_by = fields.List(fields.String(validate=TEXT), load_default=list,
                             metadata={"description": "Who passed the claim on, nearest first"})
    first_hand = fields.Boolean(load_default=False)
    channel = fields.String(validate=TEXT, metadata={"example": "statement"})
    corroborations = fields.Integer(load_default=0, strict=True,  # 2.5 is not a count
                                    validate=validate.Range(min=0, max=1000),
                                    metadata={"description": "Independent sources that agree"})
    evidence = fields.List(fields.Raw(validate=_evidence_item, metadata={"oneOf": [
        {"type": "string", "minLength": 1, "pattern": r"\S"},
        {"type": "object", "required": ["url"], "additionalProperties": False,
         "properties": {"url": {"type": "string"}, "verified": {"type": "boolean"}}}]}),
        load_default=list,
        metadata={"description": 'URL strings or {"url", "verified"} objects'})
    published_at = fields.Date()
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
        "example": "Since March 10 Kyiv has lost over 100 men and six tanks."})
    source = fields.Nested(SourceInputSchema, required=True, metadata={
        "description": "A registered source by id, or one described by name and/or type",
        "anyOf": [{"required": [key]} for key in ("id", "name", "type")]})
    context = fields.Nested(ContextSchema)

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
    items = fields.List(fields.Raw(metadata={"description": "An AssessmentRequest"}),
                        required=True, validate=validate.Length(min=1),
                        metadata={"description": "Assessment requests, up to MAX_BATCH_ITEMS"})
    explain = fields.Boolean(load_default=True, metadata={
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


class SourceCreateSchema(Schema):
    name = fields.String(required=True, validate=TEXT)
    aliases = fields.List(fields.String(validate=TEXT), load_default=list)
    type = fields.String(validate=_known_type,
                         metadata={"description": "When absent, guessed from name and role"})
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
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    # Bounded: the database's integers are 64-bit, and no registry is a billion sources long.
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class SourceListSchema(Schema):
    items = fields.List(fields.Nested(SourceRecordSchema))
    total = fields.Integer()


class FactorSchema(Schema):
    label = fields.String()
    weight = fields.Float(metadata={"description": "Share of the score's log-odds"})
    basis = fields.String(metadata={"description": "learned or policy"})


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
    model = fields.Nested(ModelRefSchema)


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
    evidence_url = fields.Url(schemes={"http", "https"}, allow_none=True,
                              validate=validate.Length(max=2000))
    notes = fields.String(validate=validate.Length(max=5000), allow_none=True)


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
