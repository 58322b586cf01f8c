"""the data version: one row bumped by every write transaction (cache keys, issue 18)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Pages cache their figures and fragments per process under the data version; the row starts
at 0 and every transaction that changes data adds one in the same transaction.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False, server_default='0'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('data_version')
