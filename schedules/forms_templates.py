"""The form of one tranche of a sale: its label, stage and percentage while not yet called,
checked with the rest of the sale's schedule so a refusal is said before anything is saved."""

from django import forms

from schedules.models import Tranche
from schedules.rules import schedule_problems


class TrancheChangeForm(forms.ModelForm):
    class Meta:
        model = Tranche
        fields = ["label", "trigger", "percent"]

    def clean(self):
        cleaned = super().clean()
        tranche = self.instance
        schedule = getattr(tranche, "schedule", None)
        if self.errors or schedule is None or tranche.state != Tranche.State.PLANNED:
            return cleaned
        parts = [
            (cleaned["trigger"], cleaned["percent"]) if row.pk == tranche.pk else (row.trigger, row.percent)
            for row in schedule
        ]
        problems = schedule_problems(parts, country=tranche.sale.programme.country)
        if problems:
            raise forms.ValidationError(problems)
        return cleaned
