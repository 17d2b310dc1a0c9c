"""articles and their attributed claims

Revision ID: 0004_articles
Revises: 0003_webhooks
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_articles"
down_revision = "0003_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("published_at", sa.String(10), nullable=True),
        sa.Column("desk", sa.String(64), nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
    )
    op.create_table(
        "article_claims",
        sa.Column("article_id", sa.String(36),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("claim", sa.JSON(), nullable=False),
        sa.Column("assessment_id", sa.String(36), sa.ForeignKey("assessments.id"),
                  nullable=True),
    )
    op.create_index("ix_article_claims_assessment_id", "article_claims", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_article_claims_assessment_id", "article_claims")
    op.drop_table("article_claims")
    op.drop_table("articles")
