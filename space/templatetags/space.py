from django import template

from space.presenters import is_external

register = template.Library()


@register.inclusion_tag("space/includes/menu.html", takes_context=True)
def client_menu(context):
    """{% client_menu %}: the client space's menu items, on its own pages and on the pages it
    shares with the rest of the portal (the account page, an error page). Staff get none."""
    user = context.get("user")
    if user is None or not user.is_authenticated or user.is_staff:
        return {"hidden": True}
    external = context["external"] if "external" in context else is_external(user)
    return {"external": external, "nav": context.get("nav", "")}
