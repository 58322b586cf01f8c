"""Sign-in and password forms."""

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.auth.models import MIN_PASSWORD
from tracker.forms import TextForm


class LoginForm(TextForm):
    login = StringField("账号", validators=[DataRequired("请输入账号"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


class PasswordForm(TextForm):
    current = PasswordField("当前密码", validators=[Length(max=200)])
    new = PasswordField(
        "新密码",
        validators=[
            DataRequired("请输入新密码"),
            Length(min=MIN_PASSWORD, max=200, message=f"密码至少 {MIN_PASSWORD} 位"),
        ],
    )
    confirm = PasswordField(
        "再次输入新密码", validators=[EqualTo("new", message="两次输入的密码不一致")],
    )
