"""levels per year: each year's key-project list (年度重点项目清单)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

A project's level in one year (省重点 / 市重点 / 区重点 / 不列入); a year without a row uses
the project's current level, so existing parks read exactly as before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_year_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('省重点', '市重点', '区重点', '不列入', name='list_level', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batches.id'], name=op.f('fk_project_year_levels_import_batch_id_import_batches')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_year_levels_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_year_levels')),
    sa.UniqueConstraint('project_id', 'year', name=op.f('uq_project_year_levels_project_id_year'))
    )
    with op.batch_alter_table('project_year_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_year_levels_project_id'), ['project_id'], unique=False)


def downgrade():
    with op.batch_alter_table('project_year_levels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_year_levels_project_id'))
    op.drop_table('project_year_levels')
