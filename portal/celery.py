import os
from contextlib import contextmanager

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule_filename = os.environ.get("CELERY_BEAT_SCHEDULE_FILE", "celerybeat-schedule")


@app.on_after_finalize.connect
def _load_beat_schedule(sender, **kwargs):
    from portal.beat import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE


@contextmanager
def tasks_queued():
    """Tasks go to the queue even where they otherwise run at once (the quick start, the bench),
    for setting up data whose background work must stay pending."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager
