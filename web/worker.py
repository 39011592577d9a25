"""The gunicorn worker class: gunicorn's threaded worker, accepting connections only while a thread is free.

gunicorn's ``gthread`` worker accepts every connection it can (up to ``worker_connections``,
1,000) and queues their requests for its threads.  Searching is Python work that holds the
interpreter lock, so a worker's threads share one core: when several clients connect at
once, one worker takes them all while the others stay idle (measured: eight keep-alive
clients against two workers, one worker served everything and the p95 latency tripled).
This worker stops accepting while all its threads are busy, so a new connection waits in
the listening socket's queue until some worker, this one or another, has a thread for it.
Idle kept-alive connections do not count: only requests being answered do.
"""

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_flight = 0  # requests handed to the thread pool and not finished (main thread only)

    def enqueue_req(self, conn):
        self.in_flight += 1
        super().enqueue_req(conn)
        if self.in_flight >= self.cfg.threads:
            self.set_accept_enabled(False)

    def finish_request(self, conn, fs):
        self.in_flight -= 1
        super().finish_request(conn, fs)

    def set_accept_enabled(self, enabled):
        # gunicorn's loop turns accepting back on whenever it is under worker_connections.
        super().set_accept_enabled(enabled and self.in_flight < self.cfg.threads)
