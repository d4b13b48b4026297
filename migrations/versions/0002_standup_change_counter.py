"""standup sessions and change counter

Revision ID: 0002_standup_change_counter
Revises: 0001_initial
Create Date: 2026-11-27
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002_standup_change_counter'
down_revision: str | None = '0001_initial'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('change_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_counter'))
    )
    # the one row every write transaction bumps (see Database.write)
    op.execute("INSERT INTO change_counter (id, n) VALUES (1, 0)")
    op.create_table('standup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('stream_id', sa.Integer(), nullable=True),
    sa.Column('facilitator', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('timebox_seconds', sa.Integer(), nullable=False),
    sa.Column('elapsed_seconds', sa.Integer(), nullable=False),
    sa.Column('parking_lot', sa.Text(), nullable=False),
    sa.Column('summary_json', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['stream_id'], ['stream.id'], name=op.f('fk_standup_stream_id_stream'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standup'))
    )
    with op.batch_alter_table('standup', schema=None) as batch_op:
        batch_op.create_index('ix_standup_date_stream_id', ['date', 'stream_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('standup', schema=None) as batch_op:
        batch_op.drop_index('ix_standup_date_stream_id')

    op.drop_table('standup')
    op.drop_table('change_counter')
