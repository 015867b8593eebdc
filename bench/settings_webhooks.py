"""The bench settings for the webhook load: tasks are queued, not run inside the request.

Production hands the receipt's rendering and the emails to Celery workers, so a webhook answers
once they are queued; the quick start's inline tasks would put a PDF render in every request.
The queue is the in-memory broker of the bench settings, which nothing reads.
"""

from bench.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
