from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from payments.demo import seed_payments
from portal.demo import DEMO_PASSWORD, seed_portal
from portal.users.models import User
from schedules.demo import seed_schedules
from space.demo import seed_sales


class Command(BaseCommand):
    help = "Loads the demo data of the quick start (safe to run again) and prints the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            logins = seed_portal()
            logins += seed_sales(
                advisor_fr=User.objects.get(email="sales@demo.test"),
                advisor_pl=User.objects.get(email="admin@demo.test"),
            )
        seed_payments()  # its own transactions: receipts are rendered once the payments are paid
        seed_schedules()  # after the deposits: calls for funds, their payments, a bank statement
        translation.activate("en")
        width = max(len(email) for email, _role in logins)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Open {settings.SITE_URL} and log in with:"))
        for email, role in logins:
            self.stdout.write(f"  {email.ljust(width)}  password: {DEMO_PASSWORD}   ({role})")
        if not settings.STAFF_MFA_REQUIRED:
            self.stdout.write("  (quick start: staff may open the back-office without a second factor)")
        self.stdout.write("")
