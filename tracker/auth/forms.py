"""Sign-in and password forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

MIN_PASSWORD = 8


def text_only(value):  # noqa: ANN001, ANN201
    """A file sent where text belongs (Flask-WTF merges uploads into form data) counts as empty."""
    return value if value is None or isinstance(value, str) else ""


class LoginForm(FlaskForm):
    login = StringField("账号", validators=[DataRequired("请输入账号"), Length(max=64)],
                        filters=[text_only])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)],
                             filters=[text_only])


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[Length(max=200)], filters=[text_only])
    new = PasswordField(
        "新密码",
        validators=[
            DataRequired("请输入新密码"),
            Length(min=MIN_PASSWORD, max=200, message=f"密码至少 {MIN_PASSWORD} 位"),
        ],
        filters=[text_only],
    )
    confirm = PasswordField(
        "再次输入新密码", validators=[EqualTo("new", message="两次输入的密码不一致")],
        filters=[text_only],
    )
