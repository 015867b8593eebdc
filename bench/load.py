"""A small HTTP load generator: a few keep-alive connections on threads, bounded in time and count.

Standard library only, and only ever towards 127.0.0.1. Each connection keeps the cookies the
server sets (as a browser would keep its CSRF cookie); http.client reconnects by itself when
the server closes the connection (gunicorn's sync workers do after each response).
"""

import http.client
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

HOST = "127.0.0.1"


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    elapsed: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    def merge(self, other: "Result") -> "Result":
        statuses = dict(self.statuses)
        for status, count in other.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
        return Result(
            self.latencies + other.latencies,
            self.elapsed + other.elapsed,
            statuses,
            self.errors + other.errors,
        )


class _Budget:
    """How many requests may still start, shared by the connections."""

    def __init__(self, count: int, deadline: float):
        self.count, self.deadline, self.lock = count, deadline, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.count <= 0 or time.perf_counter() >= self.deadline:
                return False
            self.count -= 1
            return True


def _connection_loop(port: int, path: str, cookies: dict, budget: _Budget, result: Result, lock) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    latencies, statuses, errors = [], {}, 0
    while budget.take():
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        started = time.perf_counter()
        try:
            conn.request(
                "GET", path, headers={"Cookie": cookie, "User-Agent": "portal-bench", "Accept": "text/html"}
            )
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            continue
        latencies.append(time.perf_counter() - started)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
    conn.close()
    with lock:
        result.latencies += latencies
        result.errors += errors
        for status, count in statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + count


def hammer(
    port: int, path: str, cookies: dict, *, connections: int, seconds: float, max_requests: int
) -> Result:
    """GET `path` on as many connections at once until `seconds` pass or `max_requests` are sent."""
    result, lock = Result(), threading.Lock()
    started = time.perf_counter()
    budget = _Budget(max_requests, started + seconds)
    threads = [
        threading.Thread(target=_connection_loop, args=(port, path, dict(cookies), budget, result, lock))
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


def measure_pages(
    port: int, pages: dict, *, connections: int, seconds: float, max_requests: int, warmup: float, rounds: int
) -> dict[str, Result]:
    """Load each page of `pages` ({name: (path, cookies)}) for `seconds`, after `warmup` seconds.

    The measured load comes in `rounds` turns over all the pages, so that whatever else the
    machine is doing meanwhile weighs on every page alike, and on the reference they are compared to.
    """
    for path, cookies in pages.values():
        hammer(port, path, cookies, connections=connections, seconds=warmup, max_requests=max_requests)
    results: dict[str, Result] = {}
    for _round in range(rounds):
        for name, (path, cookies) in pages.items():
            result = hammer(
                port,
                path,
                cookies,
                connections=connections,
                seconds=seconds / rounds,
                max_requests=max_requests,
            )
            results[name] = results[name].merge(result) if name in results else result
    return results
