"""notifications: the delivery table, users' e-mail and preference, units' group robots

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Adds ``notifications`` (one row per message and channel; its unique key (kind, subject,
recipient, step, channel) lets a reminder go out once whatever the number of passes), an
e-mail address and an e-mail preference on users (empty, on), and 企业微信/钉钉 webhooks with
钉钉's signing secret on units (empty). Existing rows keep their data.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CHANNELS = ('站内', '邮件', '企业微信', '钉钉')
DELIVERIES = ('待发送', '重试中', '已发送', '失败')


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('recipient', sa.String(length=40), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.Enum(*CHANNELS, name='channel', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('state', sa.Enum(*DELIVERIES, name='delivery', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_notifications_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('kind', 'subject', 'recipient', 'step', 'channel', name=op.f('uq_notifications_kind_subject_recipient_step_channel'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'channel', 'read_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), server_default='', nullable=False))
        # A plain '1' (not an expression) lets SQLite add the column in place; recreating users
        # would trip the foreign keys that point at it.
        batch_op.add_column(sa.Column('notify_email', sa.Boolean(), server_default='1', nullable=False))
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wecom_webhook', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dingtalk_webhook', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dingtalk_secret', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+): recreating users and units would
    # trip the foreign keys that point at them.
    with op.batch_alter_table('units', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('dingtalk_secret')
        batch_op.drop_column('dingtalk_webhook')
        batch_op.drop_column('wecom_webhook')
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('notify_email')
        batch_op.drop_column('email')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))
    op.drop_table('notifications')
