"""Forms of the issues domain: opening an issue (交办) and one log entry (an action)."""

from __future__ import annotations

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.forms import TextForm
from tracker.issues.models import Category, SupervisionLevel
from tracker.issues.queries import MAX_COMMENT


class CnDateField(DateField):
    """A date field whose parse error is in Chinese (WTForms' own is English)."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("日期格式不正确，应为 YYYY-MM-DD") from None


class IssueForm(TextForm):
    """交办: project is optional (park-wide issues); the deadline may not be in the past."""

    project = SelectField("所属项目", choices=[], invalid_choice_message="所选项目不存在")
    category = SelectField(
        "问题类别", choices=[SelectChoice(c.value) for c in Category],
        validators=[DataRequired("请选择问题类别")], invalid_choice_message="问题类别不存在",
    )
    title = StringField(
        "标题（可不填，默认取问题描述前30字）", validators=[Optional(), Length(max=120, message="标题不能超过120字")]
    )
    description = TextAreaField(
        "问题描述", validators=[DataRequired("请填写问题描述"), Length(max=4000, message="问题描述不能超过4000字")]
    )
    unit = SelectField(
        "责任单位", choices=[], validators=[DataRequired("请选择责任单位")],
        invalid_choice_message="所选责任单位不存在",
    )
    person = StringField(
        "责任人", validators=[DataRequired("请填写责任人"), Length(max=64, message="责任人不能超过64字")]
    )
    level = SelectField(
        "督办等级", choices=[SelectChoice(v.value) for v in SupervisionLevel],
        default=SupervisionLevel.NORMAL.value, invalid_choice_message="督办等级不存在",
    )
    deadline = CnDateField("办结时限", validators=[InputRequired("请填写办结时限")])

    def __init__(self, *args, today=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._today = today

    def validate_deadline(self, field: DateField) -> None:
        if field.data and self._today and field.data < self._today:
            raise ValidationError("办结时限不能早于今天")


class ActionForm(TextForm):
    """One log entry: the action, its comment, the version the form was made from."""

    action = HiddenField(validators=[DataRequired("缺少操作")])
    version = IntegerField(validators=[InputRequired("缺少版本号，请刷新页面")])
    comment = TextAreaField(
        "说明", validators=[DataRequired("请填写说明"), Length(max=MAX_COMMENT, message=f"说明不能超过{MAX_COMMENT}字")]
    )
    new_deadline = CnDateField("新的办结时限", validators=[Optional()])
    evidence = MultipleFileField("佐证材料")  # stored by tracker.attachments (办结需佐证)
