"""marshmallow schemas of POST and GET /v1/articles: a report in, its attributed claims out."""
from __future__ import annotations

from flask import current_app
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from .schemas import AssessmentSchema, ContextSchema, PastDate, desk_field, web_url_field

TITLE = validate.Length(min=1, max=500)


class ArticleRequestSchema(Schema):
    text = fields.String(required=True, metadata={
        "description": "The report's text, up to MAX_ARTICLE_CHARS characters",
        "pattern": r"\S",
        "example": "Tass, quoting the Defence Ministry and the FSB, reported that the attackers "
                   "were forced back across the border with losses."})
    title = fields.String(validate=TITLE)
    published_at = PastDate(metadata={"description": "Given to each claim's context"})
    url = web_url_field(description="Where the report was published")
    desk = desk_field(description="The desk each claim is scored for")

    @validates("text")
    def _text_size(self, value, **_):
        limit = current_app.config["MAX_ARTICLE_CHARS"]
        if not value.strip():
            raise ValidationError("The text is empty.")
        if len(value) > limit:
            raise ValidationError(f"The text is longer than {limit} characters.")

    @post_load
    def _date_as_text(self, data, **_):
        if data.get("published_at") is not None:
            data["published_at"] = data["published_at"].isoformat()
        return data


class SpanSchema(Schema):
    start = fields.Integer(metadata={"description": "Offset of the claim's first character"})
    end = fields.Integer(metadata={"description": "Offset just past its last character"})


class FoundSourceSchema(Schema):
    name = fields.String(metadata={"description": "The speaker as the report names it"})
    type = fields.String(metadata={"description": "Its kind, guessed from name and role"})
    role = fields.String()
    country = fields.String()


class ArticleVerdictSchema(Schema):
    verdict = fields.String()
    reviewer = fields.String()
    evidence_url = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    decided_at = fields.String()


class ArticleClaimSchema(Schema):
    claim = fields.String(metadata={"description": "The claim as a standalone sentence"})
    source = fields.Nested(FoundSourceSchema)
    speakers = fields.List(fields.String(), metadata={
        "description": "Everyone the report names as saying it; the first is the source"})
    context = fields.Nested(ContextSchema)
    span = fields.Nested(SpanSchema)
    cue = fields.String(metadata={"example": "reported"})
    checkable = fields.Boolean(metadata={
        "description": "false for opinions, hopes and slogans, which are not scored"})
    assessment = fields.Nested(AssessmentSchema, allow_none=True, metadata={
        "description": "The stored assessment, as POST /v1/assessments answers it"})
    verdict = fields.Nested(ArticleVerdictSchema, allow_none=True)


class ArticleSchema(Schema):
    id = fields.String()
    created_at = fields.String(metadata={"description": "ISO 8601, UTC"})
    language = fields.String(metadata={
        "description": "ISO 639-1 code; a report not in English ('ru', 'und', ...) gets no "
                       "claims"})
    title = fields.String()
    url = fields.String()
    published_at = fields.String()
    desk = fields.String()
    text = fields.String()
    claims = fields.List(fields.Nested(ArticleClaimSchema))
