"""report schedules: PDF reports e-mailed daily or weekly

Revision ID: c5e19b3d7a40
Revises: b7d24e9a1c63
Create Date: 2026-11-23 12:20:00

"""
from alembic import op
import sqlalchemy as sa

import qserve.models.base


# revision identifiers, used by Alembic.
revision = 'c5e19b3d7a40'
down_revision = 'b7d24e9a1c63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.String(length=8), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('location_ids', sa.JSON(), nullable=False),
    sa.Column('target_min', sa.Float(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('created_at', qserve.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_period_end', sa.Date(), nullable=True),
    sa.Column('last_sent_at', qserve.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_schedules_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_report_schedules_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_schedules'))
    )
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_schedules_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_schedules_organization_id'))

    op.drop_table('report_schedules')
