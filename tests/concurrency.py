"""Calls run at the same moment, each in its own thread and database connection (PostgreSQL
tests of row locks)."""

import threading

from django.db import connections
from django.utils import translation


def at_once(*calls) -> list:
    """Run each call in its own thread and connection, all released at the same moment."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            with translation.override("en"):
                results[index] = call()
        except Exception as error:  # the test reads what each thread got
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return results
