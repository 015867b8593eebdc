"""Every periodic task of the project, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # A sweep still queued when the next one is due is useless: let it expire.
    "outbox-sweep": {
        "task": "portal.outbox.tasks.outbox_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Old outbox texts are removed (OUTBOX_RETENTION_DAYS); the job scans by age, so it catches up.
    "outbox-purge": {
        "task": "portal.outbox.tasks.outbox_purge",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    # Holds whose date has passed free their lots; the job scans, so a missed night is caught up.
    "sales-expire-holds": {
        "task": "sales.tasks.sales_expire_holds_task",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 6 * 60 * 60},
    },
    # Payment links that ran out expire, then reminders go (each once per payment and number).
    "payments-daily": {
        "task": "payments.tasks.payments_daily",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    # The safety net for receipts whose rendering task was lost.
    "payments-receipts": {
        "task": "payments.tasks.receipts_render_missing_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # The safety net for online refunds whose task was lost (asked again with the same key).
    "payments-refunds": {
        "task": "payments.tasks.refunds_execute_stuck_task",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
}
