from django import forms

from portal.users.models import User


class AccountPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "language"]
