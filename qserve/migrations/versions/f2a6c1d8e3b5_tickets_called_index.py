"""an index of a location's tickets by when they were called

The fairness rule's streak (the priority tickets called in a row most recently) reads the last calls of a
location on every call-next, refresh and join batch; without this index that read sorted every ticket the
location ever called.

Revision ID: f2a6c1d8e3b5
Revises: c5e19b3d7a40
Create Date: 2026-12-02 01:40:00
"""
from alembic import op


revision = 'f2a6c1d8e3b5'
down_revision = 'c5e19b3d7a40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tickets_location_called', 'tickets', ['location_id', 'called_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tickets_location_called', table_name='tickets')
