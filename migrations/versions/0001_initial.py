"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-27
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0001_initial'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kpi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi')),
    sa.UniqueConstraint('name', name=op.f('uq_kpi_name'))
    )
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sprint_length_days', sa.Integer(), nullable=False),
    sa.Column('working_days', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('points_per_day', sa.Float(), nullable=False),
    sa.Column('allow_user_override', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project'))
    )
    op.create_table('sprint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('goal_met', sa.Boolean(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sprint')),
    sa.UniqueConstraint('name', name=op.f('uq_sprint_name'))
    )
    with op.batch_alter_table('sprint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sprint_state'), ['state'], unique=False)

    op.create_table('stream',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('next_seq', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream')),
    sa.UniqueConstraint('key', name=op.f('uq_stream_key'))
    )
    op.create_table('kpi_measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_measurement_kpi_id_kpi'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_measurement'))
    )
    with op.batch_alter_table('kpi_measurement', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_measurement_kpi_id_date', ['kpi_id', 'date'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('competences', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('availability', sa.Integer(), nullable=False),
    sa.Column('primary_stream_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['primary_stream_id'], ['stream.id'], name=op.f('fk_member_primary_stream_id_stream'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('handle', name=op.f('uq_member_handle'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_primary_stream_id'), ['primary_stream_id'], unique=False)
    # stream.lead_id -> member.id closes a cycle, so it is added once both exist
    with op.batch_alter_table('stream', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_stream_lead_id_member'), 'member', ['lead_id'], ['id'], ondelete='SET NULL'
        )

    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('sprint_id', sa.Integer(), nullable=False),
    sa.Column('days', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_absence_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sprint_id'], ['sprint.id'], name=op.f('fk_absence_sprint_id_sprint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absence')),
    sa.UniqueConstraint('member_id', 'sprint_id', name=op.f('uq_absence_member_id_sprint_id'))
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_sprint_id'), ['sprint_id'], unique=False)

    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sprint_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('metrics_json', sa.Text(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['member.id'], name=op.f('fk_evaluation_facilitator_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sprint_id'], ['sprint.id'], name=op.f('fk_evaluation_sprint_id_sprint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation'))
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_sprint_id'), ['sprint_id'], unique=False)

    op.create_table('standup_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('yesterday', sa.Text(), nullable=False),
    sa.Column('today', sa.Text(), nullable=False),
    sa.Column('blockers', sa.Text(), nullable=False),
    sa.Column('absent', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_standup_entry_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standup_entry')),
    sa.UniqueConstraint('member_id', 'date', name=op.f('uq_standup_entry_member_id_date'))
    )
    with op.batch_alter_table('standup_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standup_entry_date'), ['date'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_finding_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['member.id'], name=op.f('fk_finding_owner_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.Column('blocked_reason', sa.Text(), nullable=False),
    sa.Column('blocked_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('rank', sa.Float(), nullable=False),
    sa.Column('sprint_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('labels', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_finding_id', sa.Integer(), nullable=True),
    sa.Column('kpi_id', sa.Integer(), nullable=True),
    sa.Column('slip_count', sa.Integer(), nullable=False),
    sa.Column('external_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['member.id'], name=op.f('fk_item_assignee_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_item_kpi_id_kpi'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_finding_id'], ['finding.id'], name=op.f('fk_item_source_finding_id_finding'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sprint_id'], ['sprint.id'], name=op.f('fk_item_sprint_id_sprint'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stream_id'], ['stream.id'], name=op.f('fk_item_stream_id_stream')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item')),
    sa.UniqueConstraint('external_key', name=op.f('uq_item_external_key')),
    sa.UniqueConstraint('key', name=op.f('uq_item_key')),
    sa.UniqueConstraint('source_finding_id', name=op.f('uq_item_source_finding_id')),
    sa.UniqueConstraint('stream_id', 'seq', name=op.f('uq_item_stream_id_seq'))
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_item_rank', ['rank'], unique=False)
        batch_op.create_index('ix_item_sprint_id_status', ['sprint_id', 'status'], unique=False)

    op.create_table('item_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_item_event_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_event'))
    )
    with op.batch_alter_table('item_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_event_at'), ['at'], unique=False)
        batch_op.create_index('ix_item_event_item_id_at', ['item_id', 'at'], unique=False)

    op.create_table('sprint_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sprint_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('target_sprint_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_sprint_event_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sprint_id'], ['sprint.id'], name=op.f('fk_sprint_event_sprint_id_sprint'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_sprint_id'], ['sprint.id'], name=op.f('fk_sprint_event_target_sprint_id_sprint'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sprint_event'))
    )
    with op.batch_alter_table('sprint_event', schema=None) as batch_op:
        batch_op.create_index('ix_sprint_event_item_id', ['item_id'], unique=False)
        batch_op.create_index('ix_sprint_event_sprint_id_kind', ['sprint_id', 'kind'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sprint_event', schema=None) as batch_op:
        batch_op.drop_index('ix_sprint_event_sprint_id_kind')
        batch_op.drop_index('ix_sprint_event_item_id')

    op.drop_table('sprint_event')
    with op.batch_alter_table('item_event', schema=None) as batch_op:
        batch_op.drop_index('ix_item_event_item_id_at')
        batch_op.drop_index(batch_op.f('ix_item_event_at'))

    op.drop_table('item_event')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index('ix_item_sprint_id_status')
        batch_op.drop_index('ix_item_rank')
        batch_op.drop_index(batch_op.f('ix_item_assignee_id'))

    op.drop_table('item')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_evaluation_id'))

    op.drop_table('finding')
    with op.batch_alter_table('standup_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standup_entry_date'))

    op.drop_table('standup_entry')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_sprint_id'))

    op.drop_table('evaluation')
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_sprint_id'))

    op.drop_table('absence')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_primary_stream_id'))

    with op.batch_alter_table('stream', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stream_lead_id_member'), type_='foreignkey')
    op.drop_table('member')
    with op.batch_alter_table('kpi_measurement', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_measurement_kpi_id_date')

    op.drop_table('kpi_measurement')
    op.drop_table('stream')
    with op.batch_alter_table('sprint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sprint_state'))

    op.drop_table('sprint')
    op.drop_table('project')
    op.drop_table('kpi')
