"""administration: audit log of configuration changes

Revision ID: b7d24e9a1c63
Revises: d94edcb4a930
Create Date: 2026-11-23 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import qserve.models.base


# revision identifiers, used by Alembic.
revision = 'b7d24e9a1c63'
down_revision = 'd94edcb4a930'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('changed_at', qserve.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('entity_label', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_audit_entries_location_id_locations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_audit_entries_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_organization_changed', ['organization_id', 'changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_location_id'), ['location_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_location_id'))
        batch_op.drop_index('ix_audit_entries_organization_changed')

    op.drop_table('audit_entries')
