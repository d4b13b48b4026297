"""the history of members, streams and the project settings

Revision ID: 0005_record_history
Revises: 0004_board_indexes
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005_record_history'
down_revision: str | None = '0004_board_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # starts empty: what members, streams and settings were before is not known
    op.create_table('record_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_event'))
    )
    with op.batch_alter_table('record_event', schema=None) as batch_op:
        batch_op.create_index('ix_record_event_kind_row_id_at', ['kind', 'row_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('record_event', schema=None) as batch_op:
        batch_op.drop_index('ix_record_event_kind_row_id_at')

    op.drop_table('record_event')
