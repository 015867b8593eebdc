"""The forms of a sale's schedule: one tranche (its label, stage and percentage while not yet
called), or all its tranches not yet called at once; both checked with the rest of the schedule so
a refusal is said before anything is saved."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _

from schedules.models import Tranche, Trigger
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


class PlannedTrancheForm(forms.Form):
    """One tranche not yet called, on the page of a sale's whole schedule; no id for a new one."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=Tranche._meta.get_field("label").verbose_name, max_length=120)
    # An empty first choice: the new row's select posts nothing until staff pick a stage, so a page
    # saved without filling that row leaves it out.
    trigger = forms.ChoiceField(
        label=Tranche._meta.get_field("trigger").verbose_name, choices=[("", "---------"), *Trigger.choices]
    )
    percent = forms.DecimalField(
        label=Tranche._meta.get_field("percent").verbose_name,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
    )


class PlannedTrancheFormSet(forms.BaseFormSet):
    """The sale's tranches not yet called, checked with those already called (kept as they are):
    100 % in all and, in France, CCH R261-14; the refusal is said above the rows."""

    def __init__(self, *args, fixed: list[Tranche], planned_ids: set[int], country: str, **kwargs):
        self.fixed, self.planned_ids, self.country = fixed, planned_ids, country
        super().__init__(*args, **kwargs)

    def parts(self) -> list[dict]:
        """The rows kept, as schedule_update takes them (empty new rows left out)."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and not form.initial:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            rows.append(
                {
                    "id": data.get("id"),
                    "label": data["label"],
                    "trigger": data["trigger"],
                    "percent": data["percent"],
                }
            )
        return rows

    def clean(self):
        if any(self.errors):
            return
        for row in self.parts():
            if row["id"] is not None and row["id"] not in self.planned_ids:
                raise forms.ValidationError(_("Only the tranches not yet called can be changed."))
        schedule = [(t.trigger, t.percent) for t in self.fixed] + [
            (row["trigger"], row["percent"]) for row in self.parts()
        ]
        problems = schedule_problems(schedule, country=self.country)
        if problems:
            raise forms.ValidationError(problems)
