"""source.title_suffix and source.credit: a programme label cut from titles, the outlet's credit

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (SQLite supports them): the roles' grants on the table cover new columns.
    op.add_column("source", sa.Column("title_suffix", AutoString(length=200), nullable=False, server_default=""))
    op.add_column("source", sa.Column("credit", AutoString(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch_op:
        batch_op.drop_column("credit")
        batch_op.drop_column("title_suffix")
