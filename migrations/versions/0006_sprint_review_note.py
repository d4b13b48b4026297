"""a sprint's review note, typed when it closes

Revision ID: 0006_sprint_review_note
Revises: 0005_record_history
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (the script template's imports)
from alembic import op

revision: str = '0006_sprint_review_note'
down_revision: str | None = '0005_record_history'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the sprints closed before have no note: the empty text
    with op.batch_alter_table('sprint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_note', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sprint', schema=None) as batch_op:
        batch_op.drop_column('review_note')
