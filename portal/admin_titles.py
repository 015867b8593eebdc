"""The titles of the admin's add, change and view pages, written per model.

Django builds them from one pattern and the model's name ("Change %s"), which reads badly in
French before a vowel ("Modification de acquéreur") and in Polish, where the noun must decline.
An admin mixing this in gives each title as one translatable sentence ("Change the buyer").
"""


class FormTitlesMixin:
    # {"list": _("Buyers"), "add": _("Add a buyer"), "change": _("Change the buyer"), "view": _("The buyer"),
    #  "add_button": _("Add a buyer")}: the list's title and add button, the form's titles.
    form_titles: dict = {}

    def changelist_view(self, request, extra_context=None):
        # Django's "Select buyer to change" reads "Sélectionnez l’objet acquéreur à changer".
        extra_context = extra_context or {}
        if "list" in self.form_titles and "title" not in extra_context:
            extra_context = {"title": str(self.form_titles["list"]), **extra_context}
        if "add_button" in self.form_titles:
            # The list's add button (templates/admin/change_list_object_tools.html).
            extra_context = {"add_label": str(self.form_titles["add_button"]), **extra_context}
        return super().changelist_view(request, extra_context=extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add:
            key = "add"
        elif self.has_change_permission(request, obj):
            key = "change"
        else:
            key = "view"
        if key in self.form_titles:
            context["title"] = str(self.form_titles[key])
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )
