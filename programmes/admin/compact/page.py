"""The parts of a change list's page around the list itself, written in one pass (see
programmes/admin/compact): the navigation sidebar, the action bar, the add link, the user tools."""

from functools import partial
from urllib.parse import quote

from django import forms
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.middleware.csrf import get_token
from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from programmes.admin.compact.markup import django_format, django_text, escape_text


def nav_sidebar_html(available_apps, path: str):
    """admin/nav_sidebar.html and the app list it includes, for these apps and this page."""
    path = quote(path)  # as the template's `request.path|urlencode`

    def current(url) -> bool:
        return bool(url) and url in path

    if not available_apps:
        app_list = f"<p>{django_text('You don’t have permission to view or edit anything.')}</p>"
    else:
        # The words every app and model repeat, translated once.
        add = django_text("Add")
        head = (
            '<thead class="visually-hidden"><tr>'
            f'<th scope="col">{django_text("Model name")}</th>'
            f'<th scope="col">{django_text("Add link")}</th>'
            f'<th scope="col">{django_text("Change or view list link")}</th>'
            "</tr></thead>"
        )
        apps = []
        for app in available_apps:
            label = escape_text(app["app_label"])
            app_name = escape_text(app["name"])
            title = django_format("Models in the %(name)s application", name=mark_safe(app_name))
            rows = []
            for model in app["models"]:
                model_name = escape_text(str(model["object_name"]).lower())
                is_current = current(model["admin_url"])
                name = escape_text(model["name"])
                if model["admin_url"]:
                    aria = ' aria-current="page"' if is_current else ""
                    name = f'<a href="{escape_text(model["admin_url"])}"{aria}>{name}</a>'
                add_cell = (
                    f'<td><a href="{escape_text(model["add_url"])}" class="addlink" '
                    f'aria-describedby="{label}-{model_name}">{add}</a></td>'
                    if model["add_url"]
                    else "<td></td>"
                )
                rows.append(
                    f'<tr class="model-{model_name}{" current-model" if is_current else ""}">'
                    f'<th scope="row" id="{label}-{model_name}">{name}</th>{add_cell}</tr>'
                )
            apps.append(
                f'<div class="app-{label} module{" current-app" if current(app["app_url"]) else ""}"><table>'
                f'<caption><a href="{escape_text(app["app_url"])}" class="section" title="{title}">{app_name}</a>'
                f"</caption>{head}{''.join(rows)}</table></div>"
            )
        app_list = "\n".join(apps)
    return mark_safe(
        f'<button class="sticky toggle-nav-sidebar" id="toggle-nav-sidebar" '
        f'aria-label="{django_text("Toggle navigation")}"></button>\n'
        f'<nav class="sticky" id="nav-sidebar" aria-label="{django_text("Sidebar")}">\n'
        f'<input type="search" id="nav-filter" placeholder="{django_text("Start typing to filter…")}" '
        f'aria-label="{django_text("Filter navigation items")}">\n{app_list}\n</nav>'
    )


def actions_html(context: dict, index: int):
    """admin/actions.html for a change list's context: the action form written out rather than
    widget by widget through the form renderer (the markup of Django's Select and HiddenInput)."""
    action_form, cl = context["action_form"], context["cl"]
    fields = []
    for field in action_form:
        widget = field.field.widget
        if isinstance(widget, forms.HiddenInput) and not field.field.required:
            value = field.value()
            value = "" if value is None else f' value="{escape_text(value)}"'
            attrs = "".join(f' {name}="{escape_text(attr)}"' for name, attr in widget.attrs.items())
            fields.append(f'<input type="hidden" name="{field.html_name}"{value}{attrs}>')
        elif type(widget) is forms.Select and not widget.attrs:
            current = str(field.value() or "")
            required = (
                " required" if field.field.required and widget.use_required_attribute(field.initial) else ""
            )
            options = "".join(
                f'<option value="{escape_text(value)}"{" selected" if str(value) == current else ""}>{escape_text(text)}</option>'
                for value, text in field.field.choices
            )
            fields.append(
                f'<label>{escape_text(field.label)} <select name="{field.html_name}"{required}>{options}</select></label>'
            )
        else:
            fields.append(f"<label>{escape_text(field.label)} {field}</label>" if field.label else str(field))
    counter = ""
    if context.get("actions_selection_counter"):
        shown = len(cl.result_list)
        counter = f'<span class="action-counter" data-actions-icnt="{shown}">{escape_text(context["selection_note"])}</span>'
        if cl.result_count != shown:
            select_all = django_format(
                "Select all %(total_count)s %(module_name)s",
                total_count=localize(cl.result_count),
                module_name=context["module_name"],
            )
            counter += (
                f'<span class="all hidden">{escape_text(context["selection_note_all"])}</span>'
                '<span class="question hidden"><a role="button" href="#" '
                f'title="{django_text("Click here to select the objects across all pages")}">{select_all}</a></span>'
                f'<span class="clear hidden"><a role="button" href="#">{django_text("Clear selection")}</a></span>'
            )
    return mark_safe(
        f'<div class="actions">\n{"".join(fields)}\n'
        f'<button type="submit" class="button" title="{django_text("Run the selected action")}" name="index" '
        f'value="{index}">{django_text("Go")}</button>\n{counter}\n</div>'
    )


def add_link_html(context: dict):
    """admin/change_list_object_tools.html: the link to add an object, if the user may."""
    if not context.get("has_add_permission"):
        return ""
    opts = context["cl"].opts
    try:
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_add",
            current_app=context["cl"].model_admin.admin_site.name,
        )
    except NoReverseMatch:
        url = ""
    url = add_preserved_filters(context, url, context.get("is_popup"), context.get("to_field"))
    name = django_format("Add %(name)s", name=opts.verbose_name)
    return mark_safe(f'<li><a href="{escape_text(url)}" class="addlink">{name}</a></li>')


def user_tools_html(context: dict, request):
    """The `usertools` block of admin/base.html (with admin/color_theme_toggle.html)."""
    if not context.get("has_permission"):
        return ""
    user = request.user
    current_app = getattr(request, "current_app", None)
    links = []
    if context.get("site_url"):
        links.append(f'<a href="{escape_text(context["site_url"])}">{django_text("View site")}</a> /')
    if user.is_active and user.is_staff:
        try:
            docs = reverse("django-admindocs-docroot", current_app=current_app)
        except NoReverseMatch:
            docs = ""
        if docs:
            links.append(f'<a href="{escape_text(docs)}">{django_text("Documentation")}</a> /')
    if user.has_usable_password():
        change_password = reverse("admin:password_change", current_app=current_app)
        links.append(f'<a href="{escape_text(change_password)}">{django_text("Change password")}</a> /')
    logout = reverse("admin:logout", current_app=current_app)
    token = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape_text(get_token(request))}">'
    theme = "".join(
        f'<span class="visually-hidden theme-label-when-{mode}">{django_text(label)}</span>'
        for mode, label in [
            ("auto", "Toggle theme (current theme: auto)"),
            ("light", "Toggle theme (current theme: light)"),
            ("dark", "Toggle theme (current theme: dark)"),
        ]
    ) + "".join(
        f'<svg aria-hidden="true" class="theme-icon-when-{mode}"><use xlink:href="#icon-{icon}" /></svg>'
        for mode, icon in [("auto", "auto"), ("dark", "moon"), ("light", "sun")]
    )
    return mark_safe(
        f'<div id="user-tools">{django_text("Welcome,")} '
        f"<strong>{escape_text(user.get_short_name() or user.get_username())}</strong>.\n"
        f"{' '.join(links)}\n"
        f'<form id="logout-form" method="post" action="{escape_text(logout)}">{token}'
        f'<button type="submit">{django_text("Log out")}</button></form>\n'
        f'<button class="theme-toggle">{theme}</button>\n</div>'
    )


class RenderedMedia:
    """A change list's form Media (`{{ media }}`, `{{ media.js }}`, `{{ media.css }}`) rendered
    once per process for its list of assets: their URLs do not change while it runs."""

    _rendered: dict[str, tuple[str, str]] = {}

    def __init__(self, media: forms.Media):
        key = repr(media)  # the assets, in the order they are written
        if key not in self._rendered:
            self._rendered[key] = (
                mark_safe("\n".join(media.render_css())),
                mark_safe("\n".join(media.render_js())),
            )
        self.css, self.js = self._rendered[key]

    def __str__(self):
        return mark_safe("\n".join(part for part in (self.css, self.js) if part))

    __html__ = __str__


def compact_context(context: dict, request) -> None:
    """Adds to a change list's context what its template writes in one pass: `nav_sidebar`,
    `user_tools`, `add_link`, and `actions_top` and `actions_bottom` (the action bars), each
    computed only if shown; and its `media` rendered once per process."""
    if "available_apps" in context:
        context["nav_sidebar"] = partial(nav_sidebar_html, context["available_apps"], request.path)
    context["user_tools"] = partial(user_tools_html, context, request)
    if isinstance(context.get("media"), forms.Media):
        context["media"] = RenderedMedia(context["media"])
    context["add_link"] = partial(add_link_html, context)
    if context.get("action_form") is not None:
        context["actions_top"] = partial(actions_html, context, 0)
        context["actions_bottom"] = partial(actions_html, context, 1 if context.get("actions_on_top") else 0)
