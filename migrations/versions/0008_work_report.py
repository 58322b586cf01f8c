"""the park's work report (工作情况汇报): indicators and their values, signed and pipeline
projects, land acquired, the year's targets, and the report's drafts and revisions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

The five default indicators are inserted with their keys (DESIGN.md section 15).
"""
from alembic import op
import sqlalchemy as sa

# A copy, so that this revision never changes with the code.
DEFAULT_INDICATORS = (
    ("output", "规上工业总产值"),
    ("value_added", "规上工业增加值"),
    ("investment", "全社会固定资产投资"),
    ("tax", "全口径税收"),
    ("refund", "退税"),
)


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    indicators = op.create_table('wr_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wr_indicators')),
    sa.UniqueConstraint('key', name=op.f('uq_wr_indicators_key')),
    sa.UniqueConstraint('name', name=op.f('uq_wr_indicators_name'))
    )
    op.bulk_insert(indicators, [
        {"name": name, "key": key, "position": position, "retired": False}
        for position, (key, name) in enumerate(DEFAULT_INDICATORS, start=1)
    ])
    op.create_table('work_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('草稿', '已发布', name='work_report_state', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('plans', sa.Text(), nullable=False),
    sa.Column('correction_reason', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('docx', sa.LargeBinary(), nullable=True),
    sa.Column('docx_sha256', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_work_reports_month_range')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_work_reports_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_reports')),
    sa.UniqueConstraint('year', 'month', 'revision', name=op.f('uq_work_reports_year_month_revision'))
    )
    op.create_table('wr_indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('cumulative', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('last_year', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_wr_indicator_values_month_range')),
    sa.ForeignKeyConstraint(['indicator_id'], ['wr_indicators.id'], name=op.f('fk_wr_indicator_values_indicator_id_wr_indicators')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_wr_indicator_values_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wr_indicator_values')),
    sa.UniqueConstraint('indicator_id', 'year', 'month', name=op.f('uq_wr_indicator_values_indicator_id_year_month'))
    )
    with op.batch_alter_table('wr_indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wr_indicator_values_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('wr_land_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acquired_on', sa.Date(), nullable=False),
    sa.Column('area', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_wr_land_entries_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wr_land_entries'))
    )
    with op.batch_alter_table('wr_land_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wr_land_entries_acquired_on'), ['acquired_on'], unique=False)

    op.create_table('wr_pipeline_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('industry', sa.String(length=40), nullable=False),
    sa.Column('investment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('progress', sa.Enum('洽谈中', '已签框架协议', '拟签投资协议', name='wr_pipeline_stage', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_wr_pipeline_projects_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wr_pipeline_projects'))
    )
    op.create_table('wr_signed_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('industry', sa.String(length=40), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('investment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('agreement', sa.Enum('投资协议', '框架协议', name='wr_agreement', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_wr_signed_projects_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wr_signed_projects'))
    )
    with op.batch_alter_table('wr_signed_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wr_signed_projects_signed_on'), ['signed_on'], unique=False)

    op.create_table('wr_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('年度招商任务', '土地收储', name='wr_target_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_wr_targets_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wr_targets')),
    sa.UniqueConstraint('year', 'kind', name=op.f('uq_wr_targets_year_kind'))
    )


def downgrade():
    op.drop_table('wr_targets')
    with op.batch_alter_table('wr_signed_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wr_signed_projects_signed_on'))

    op.drop_table('wr_signed_projects')
    op.drop_table('wr_pipeline_projects')
    with op.batch_alter_table('wr_land_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wr_land_entries_acquired_on'))

    op.drop_table('wr_land_entries')
    with op.batch_alter_table('wr_indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wr_indicator_values_indicator_id'))

    op.drop_table('wr_indicator_values')
    op.drop_table('work_reports')
    op.drop_table('wr_indicators')
