"""A word for staff who open an empty list because no programme is theirs yet."""

from django.contrib import messages
from django.utils.translation import gettext as _

from portal.access import is_administrator, is_staff_member
from programmes.selectors import programmes_visible_to


class UnassignedNoticeMixin:
    """Mixed into the lists scoped to programmes (sales, buyers, payments): a staff member
    assigned to no programme sees an empty list, and is told why and whom to ask."""

    def changelist_view(self, request, extra_context=None):
        user = request.user
        if (
            request.method == "GET"
            and is_staff_member(user)
            and not is_administrator(user)
            and not programmes_visible_to(user).exists()
        ):
            messages.info(
                request,
                _(
                    "You are not assigned to any programme yet, so this list is empty: "
                    "ask an administrator to add you to the staff of your programmes."
                ),
            )
        return super().changelist_view(request, extra_context=extra_context)
