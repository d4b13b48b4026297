"""indexes that give the board its pages and counts without reading the item table

Revision ID: 0004_board_indexes
Revises: 0003_catchup_index
Create Date: 2026-11-27
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401  (the script template's imports)
import sqlmodel  # noqa: F401
from alembic import op

revision: str = '0004_board_indexes'
down_revision: str | None = '0003_catchup_index'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # (sprint_id, status) is the first part of the first new index
    op.drop_index('ix_item_sprint_id_status', table_name='item')
    op.create_index('ix_item_sprint_board', 'item', ['sprint_id', 'status', 'deleted', 'rank'], unique=False)
    op.create_index('ix_item_sprint_counts', 'item', ['sprint_id', 'deleted', 'status', 'stream_id', 'points'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_item_sprint_counts', table_name='item')
    op.drop_index('ix_item_sprint_board', table_name='item')
    op.create_index('ix_item_sprint_id_status', 'item', ['sprint_id', 'status'], unique=False)
