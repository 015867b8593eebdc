from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The login page shows the forgotten-password link itself, when the company allows it.
        self.fields["password"].help_text = ""
