"""The sales back-office: buyers and sales files, scoped to each user's programmes."""

from django.contrib import admin

from sales.admin import buyers, sales  # noqa: F401  (registers the admins)

# The index page links to the sales dashboard (templates/admin/sales/index.html extends the
# admin's own index).
admin.site.index_template = "admin/sales/index.html"
