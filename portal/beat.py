"""Every periodic task of the project, in one place."""

BEAT_SCHEDULE = {
    # A sweep still queued when the next one is due is useless: let it expire.
    "outbox-sweep": {
        "task": "portal.outbox.tasks.outbox_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
