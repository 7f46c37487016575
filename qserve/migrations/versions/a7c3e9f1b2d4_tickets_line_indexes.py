"""two indexes that let a join count the line without evaluating every waiting ticket

A batch of joins counts who waits in some services' lines: everyone, the appointments and priority tickets
among them, and those that joined since the estimator's last refresh. One pass evaluating all four over a
long line cost about 0.15 ms per thousand waiting. With these indexes the appointments and priority tickets
are read from a partial index that holds only them (usually empty), and those newer than an id are a range
of (service, status, id); only the plain count still steps through the line.

Revision ID: a7c3e9f1b2d4
Revises: f2a6c1d8e3b5
Create Date: 2026-12-05 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e9f1b2d4'
down_revision = 'f2a6c1d8e3b5'
branch_labels = None
depends_on = None

SPECIAL = "appointment_at IS NOT NULL OR priority <> 0"


def upgrade() -> None:
    op.create_index('ix_tickets_line', 'tickets', ['service_id', 'status', 'id'], unique=False)
    op.create_index(
        'ix_tickets_line_special',
        'tickets',
        ['service_id', 'status', 'priority', 'appointment_at'],
        unique=False,
        sqlite_where=sa.text(SPECIAL),
        postgresql_where=sa.text(SPECIAL),
    )


def downgrade() -> None:
    op.drop_index('ix_tickets_line_special', table_name='tickets')
    op.drop_index('ix_tickets_line', table_name='tickets')
