"""source.keep_photos: a source's outlet images fetched into the media library as its stories are filed

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite supports it): the roles' grants on the table cover new columns.
    op.add_column("source", sa.Column("keep_photos", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch_op:
        batch_op.drop_column("keep_photos")
