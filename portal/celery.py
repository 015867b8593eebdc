import os

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
