"""session stamps on users, heartbeats on jobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Sessions now carry the user's stamp, so sessions signed in before this revision end
(everyone signs in once more). Running jobs get no heartbeat: a worker that starts marks
those left running by a dead worker as failed.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_stamp', sa.String(length=32), server_default='',
                                      nullable=False))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_stamp')
