# The payments personas and each test's private folder for receipts, as in tests/payments.
from tests.payments.conftest import _private_files, accountant, advisor  # noqa: F401
