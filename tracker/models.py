"""Every model, imported once so that Alembic and the app see the whole schema."""

from tracker.audit.models import AuditEntry
from tracker.auth.models import LoginThrottle, Role, Unit, User
from tracker.briefs.models import Brief, BriefState
from tracker.cache.version import DataVersion
from tracker.files.models import StoredFile
from tracker.issues.models import (
    Category,
    EventKind,
    Issue,
    IssueEvent,
    IssueState,
    SupervisionLevel,
)
from tracker.jobs.models import Job, JobState
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.notify.models import Channel, Delivery, Notification
from tracker.projects.models import (
    COUNTED_STATES,
    KEY_LEVELS,
    AnnualPlan,
    Bond,
    BondSpending,
    Level,
    ListLevel,
    MonthlyReport,
    Project,
    ProjectYearLevel,
    ReportState,
    Stage,
    project_liaisons,
)
from tracker.reports.models import PeriodUnlock
from tracker.settings import Setting
from tracker.workbook.models import ImportBatch
from tracker.workreport.models import (
    Indicator,
    IndicatorValue,
    LandEntry,
    PipelineProject,
    SignedProject,
    Target,
    WorkReport,
)

__all__ = [
    "KEY_LEVELS",
    "COUNTED_STATES",
    "AnnualPlan",
    "AuditEntry",
    "DataVersion",
    "Bond",
    "BondSpending",
    "Brief",
    "BriefState",
    "Category",
    "Channel",
    "Delivery",
    "Notification",
    "EventKind",
    "ImportBatch",
    "Job",
    "JobState",
    "Issue",
    "IssueEvent",
    "IssueState",
    "Level",
    "ListLevel",
    "MilestoneTemplate",
    "LoginThrottle",
    "MonthlyReport",
    "PeriodUnlock",
    "ProjectMilestone",
    "Project",
    "ProjectYearLevel",
    "ReportState",
    "Role",
    "Setting",
    "Stage",
    "StoredFile",
    "SupervisionLevel",
    "Unit",
    "User",
    "Indicator",
    "IndicatorValue",
    "LandEntry",
    "PipelineProject",
    "SignedProject",
    "Target",
    "WorkReport",
    "project_liaisons",
]
