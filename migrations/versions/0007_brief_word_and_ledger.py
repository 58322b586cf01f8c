"""the brief's Word document and issue ledger, frozen with each published revision

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Revisions published before this one get their .docx made from their frozen snapshot the
first time it is asked for, and kept from then on.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('briefs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('docx', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('docx_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('ledger', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('ledger_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('briefs', schema=None) as batch_op:
        batch_op.drop_column('ledger_sha256')
        batch_op.drop_column('ledger')
        batch_op.drop_column('docx_sha256')
        batch_op.drop_column('docx')
