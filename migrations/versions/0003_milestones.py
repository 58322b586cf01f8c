"""milestones: the park's template and each project's milestones

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Adds the milestone template with the default of DESIGN.md section 11 (立项备案 … 投产运营;
土地供应, 开工建设, 竣工验收 and 投产运营 keep their key when renamed), and gives every
existing project the template's milestones with no dates. Projects created later get them
when their milestones are first read or written (tracker.milestones.queries.ensure_rows).
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

KEYS = ('土地供应', '开工建设', '竣工验收', '投产运营')
DEFAULT_TEMPLATE = (
    ('立项备案', None), ('用地预审', None), ('土地供应', '土地供应'), ('规划许可', None),
    ('施工许可', None), ('开工建设', '开工建设'), ('主体完工', None), ('竣工验收', '竣工验收'),
    ('投产运营', '投产运营'),
)


def upgrade():
    templates = op.create_table('milestone_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('key', sa.Enum(*KEYS, name='milestone_key', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_templates')),
    sa.UniqueConstraint('key', name=op.f('uq_milestone_templates_key')),
    sa.UniqueConstraint('name', name=op.f('uq_milestone_templates_name'))
    )
    op.create_table('project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('actual_on', sa.Date(), nullable=True),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("template_id IS NOT NULL OR name <> ''", name=op.f('ck_project_milestones_named')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_milestones_project_id_projects')),
    sa.ForeignKeyConstraint(['template_id'], ['milestone_templates.id'], name=op.f('fk_project_milestones_template_id_milestone_templates')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_project_milestones_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones')),
    sa.UniqueConstraint('project_id', 'template_id', name=op.f('uq_project_milestones_project_id_template_id'))
    )
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_milestones_project_id'), ['project_id'], unique=False)

    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(templates, [
        {'name': name, 'position': i, 'retired': False, 'key': key, 'created_at': now}
        for i, (name, key) in enumerate(DEFAULT_TEMPLATE, start=1)
    ])

    # Every existing project gets the template's milestones, with no dates.
    projects = sa.table('projects', sa.column('id'))
    template = sa.table('milestone_templates', sa.column('id'))
    milestones = sa.table(
        'project_milestones', sa.column('project_id'), sa.column('template_id'), sa.column('name'),
        sa.column('not_applicable'), sa.column('note'), sa.column('version'),
    )
    op.execute(milestones.insert().from_select(
        ['project_id', 'template_id', 'name', 'not_applicable', 'note', 'version'],
        sa.select(projects.c.id, template.c.id, sa.literal(''), sa.false(), sa.literal(''),
                  sa.literal(1)).select_from(projects.join(template, sa.true())),
    ))


def downgrade():
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_milestones_project_id'))
    op.drop_table('project_milestones')
    op.drop_table('milestone_templates')
