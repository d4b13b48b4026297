"""imports published in short steps: the batch table, and the column that hides a batch's rows

Revision ID: 0008_import_batches
Revises: 0007_project_admins
Create Date: 2026-12-07
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008_import_batches'
down_revision: str | None = '0007_project_admins'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('stream', 'member', 'sprint', 'item', 'item_event', 'sprint_event')
INDEXED = ('item', 'item_event', 'sprint_event')
COUNTS = ['sprint_id', 'deleted', 'status', 'stream_id', 'points']


def upgrade() -> None:
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    # a nullable column without a default: ALTER TABLE ADD COLUMN, no table rebuilt
    for table in TABLES:
        op.add_column(table, sa.Column('import_batch_id', sa.Integer(), nullable=True))
    for table in INDEXED:
        op.create_index(op.f(f'ix_{table}_import_batch_id'), table, ['import_batch_id'], unique=False)
    # the board's counts stay answered from this index alone: it holds the batch too
    op.drop_index('ix_item_sprint_counts', table_name='item')
    op.create_index('ix_item_sprint_counts', 'item', COUNTS + ['import_batch_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_item_sprint_counts', table_name='item')
    op.create_index('ix_item_sprint_counts', 'item', COUNTS, unique=False)
    for table in INDEXED:
        op.drop_index(op.f(f'ix_{table}_import_batch_id'), table_name=table)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('import_batch_id')
    op.drop_table('import_batch')
