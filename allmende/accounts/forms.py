from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User, public_name_validator

USERNAME_LABEL = _("Public username")
USERNAME_HELP = _("Shown publicly with your contributions. Please do not use your real name.")


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = USERNAME_LABEL
        self.fields["username"].help_text = USERNAME_HELP
        self.fields["username"].validators.append(public_name_validator)
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].help_text = _("We send you a link to confirm it. It is never shown to others.")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        self.order_fields(["email", "username", "password1", "password2", "accept_rules"])


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address or username")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class UsernameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username"]
        labels = {"username": USERNAME_LABEL}
        help_texts = {"username": USERNAME_HELP}
        widgets = {"username": forms.TextInput(attrs={"autocomplete": "username"})}

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This username is already taken."), code="unique")
        return username


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To protect your account, please confirm with your password."),
    )
    confirm = forms.BooleanField(
        label=_("Yes, delete my account. This cannot be undone."),
        error_messages={"required": _("Please confirm that you want to delete your account.")},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password
