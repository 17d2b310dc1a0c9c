"""desks: each assessment's desk, model log-odds and score; keys' desks; desk calibrations

Revision ID: 0002_desks
Revises: 0001
Create Date: 2026-11-29

Assessments made before desks belong to DEFAULT_DESK (the setting when this migration
runs); their model log-odds is their score's, as no desk calibrated them.
"""
import math

import sqlalchemy as sa
from alembic import op

revision = "0002_desks"
down_revision = "0001"
branch_labels = None
depends_on = None

CHUNK = 1000


def _logit(score: float) -> float:
    p = min(max(float(score), 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def _fill_existing_assessments() -> None:
    from service.config import from_environment

    default = from_environment()["DEFAULT_DESK"]
    assessments = sa.table("assessments", sa.column("id", sa.String), sa.column("output", sa.JSON),
                           sa.column("desk", sa.String), sa.column("model_logit", sa.Float),
                           sa.column("score", sa.Float))
    connection = op.get_bind()
    connection.execute(sa.update(assessments).values(desk=default))
    last = ""
    while True:
        rows = connection.execute(
            sa.select(assessments.c.id, assessments.c.output).where(assessments.c.id > last)
            .order_by(assessments.c.id).limit(CHUNK)).all()
        if not rows:
            break
        scored = [{"key": row.id, "score": float(row.output["score"]),
                   "model_logit": _logit(row.output["score"])}
                  for row in rows if isinstance((row.output or {}).get("score"), (int, float))]
        if scored:
            connection.execute(
                sa.update(assessments).where(assessments.c.id == sa.bindparam("key"))
                .values(score=sa.bindparam("score"), model_logit=sa.bindparam("model_logit")),
                scored)
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("desk", sa.String(64), nullable=True))
        batch.add_column(sa.Column("model_logit", sa.Float(), nullable=True))
        batch.add_column(sa.Column("score", sa.Float(), nullable=True))
    _fill_existing_assessments()
    with op.batch_alter_table("assessments") as batch:
        batch.alter_column("desk", existing_type=sa.String(64), nullable=False)
    op.create_index("ix_assessments_desk", "assessments", ["desk"])
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("desk", sa.String(64), nullable=True))
    op.create_table(
        "desks",
        sa.Column("desk", sa.String(64), primary_key=True),
        sa.Column("verdicts", sa.Integer(), nullable=False),
        sa.Column("shift", sa.Float(), nullable=False),
        sa.Column("slope", sa.Float(), nullable=False),
        sa.Column("ece", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("desks")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("desk")
    op.drop_index("ix_assessments_desk", "assessments")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("score")
        batch.drop_column("model_logit")
        batch.drop_column("desk")
