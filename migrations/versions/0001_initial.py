"""sources, their names, assessments, verdicts, api keys

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LEVEL_COLUMNS = ("n_pants_fire", "n_false", "n_barely_true", "n_half_true", "n_mostly_true",
                 "n_true")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("role", sa.String(200), nullable=True),
        sa.Column("affiliation", sa.String(200), nullable=True),
        sa.Column("country", sa.String(64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default="0")
          for name in LEVEL_COLUMNS],
    )
    op.create_table(
        "source_names",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("source_id", sa.String(36),
                  sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("is_alias", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_source_names_source_id", "source_names", ["source_id"])
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(128), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(36), sa.ForeignKey("sources.id"), nullable=True),
        sa.Column("source_key", sa.String(200), nullable=True),
    )
    op.create_index("ix_assessments_model_version", "assessments", ["model_version"])
    op.create_index("ix_assessments_source_id", "assessments", ["source_id"])
    op.create_table(
        "verdicts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("assessment_id", sa.String(36), sa.ForeignKey("assessments.id"),
                  nullable=False, unique=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("evidence_url", sa.String(2000), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("key_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_table("verdicts")
    op.drop_table("assessments")
    op.drop_index("ix_source_names_source_id", "source_names")
    op.drop_table("source_names")
    op.drop_table("sources")
