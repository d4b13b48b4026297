"""the project's admins: who may change its settings

Revision ID: 0007_project_admins
Revises: 0006_sprint_review_note
Create Date: 2026-12-07
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007_project_admins'
down_revision: str | None = '0006_sprint_review_note'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('project_admin',
    sa.Column('login', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('login', name=op.f('pk_project_admin'))
    )
    # the project's creator, as its history recorded them, is its first admin;
    # a project created before that history has none (see services/project.py)
    op.execute(
        "INSERT INTO project_admin (login) SELECT DISTINCT actor FROM record_event "
        "WHERE kind = 'project' AND field = 'created' "
        "AND row_id = (SELECT MIN(id) FROM project)"
    )


def downgrade() -> None:
    op.drop_table('project_admin')
