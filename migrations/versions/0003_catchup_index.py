"""a partial index of the items the catch-up screen looks through

Revision ID: 0003_catchup_index
Revises: 0002_standup_change_counter
Create Date: 2026-11-27
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (the script template's import)
from alembic import op

revision: str = '0003_catchup_index'
down_revision: str | None = '0002_standup_change_counter'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the text of sprinttui.store.models.CATCHUP_CANDIDATE when this revision was
# written (a migration keeps its own copy: the model may change later)
CATCHUP_CANDIDATE = (
    "status <> 'done' AND deleted = FALSE AND (slip_count >= 1 OR due_date IS NOT NULL OR blocked = TRUE)"
)


def upgrade() -> None:
    op.create_index('ix_item_catchup', 'item', ['stream_id'], unique=False,
                    sqlite_where=sa.text(CATCHUP_CANDIDATE), postgresql_where=sa.text(CATCHUP_CANDIDATE))


def downgrade() -> None:
    op.drop_index('ix_item_catchup', table_name='item')
