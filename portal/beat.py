"""Every periodic task of the project, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # A sweep still queued when the next one is due is useless: let it expire.
    "outbox-sweep": {
        "task": "portal.outbox.tasks.outbox_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Holds whose date has passed free their lots; the job scans, so a missed night is caught up.
    "sales-expire-holds": {
        "task": "sales.tasks.sales_expire_holds_task",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 6 * 60 * 60},
    },
}
