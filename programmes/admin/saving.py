"""The admin's saves handed to the services: the forms check, the services write and audit.

Django's change form runs in one transaction (`ModelAdmin.changeform_view`), so a page's own
fields and its inlines are saved together or not at all.
"""

from collections.abc import Callable

from portal.audit.changes import form_values


def inline_rows_save(request, formset, *, save: Callable, delete: Callable) -> None:
    """Save an inline's rows through `save(actor=, row=, values=)` and `delete(actor=, row=)`,
    and tell the admin what was done (for its own history message)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.deleted_forms:
        if form.instance.pk is not None:
            delete(actor=request.user, row=form.instance)
            formset.deleted_objects.append(form.instance)
    for form in formset.forms:
        if form in formset.deleted_forms or not form.has_changed():
            continue
        is_new = form.instance.pk is None
        row = save(actor=request.user, row=form.instance, values=form_values(form))
        if is_new:
            formset.new_objects.append(row)
        else:
            formset.changed_objects.append((row, form.changed_data))
