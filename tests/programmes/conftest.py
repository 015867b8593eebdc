# The back-office personas and set-up are the sales admin tests' own.
from tests.sales_admin.conftest import _backoffice, chief, world  # noqa: F401
