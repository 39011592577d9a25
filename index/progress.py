"""Progress for long reindexes: a tqdm bar on a terminal, a few plain lines otherwise."""

import sys


class Progress:
    def __init__(self, total: int, label: str, stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.total = total
        self.label = label
        self.done = 0
        self._next_line = 0
        self.bar = None
        self.enabled = enabled and total > 0
        self.plain_lines = total >= 200
        if self.enabled and self.stream.isatty():
            from tqdm import tqdm  # only a terminal shows a bar

            self.bar = tqdm(total=total, desc=label, unit="release", file=self.stream, leave=False)

    def update(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(count)
        elif self.plain_lines and (self.done >= self._next_line or self.done == self.total):
            print(f"{self.label}: {self.done}/{self.total}", file=self.stream, flush=True)
            self._next_line = self.done + max(1, self.total // 10)

    def to(self, done: int) -> None:
        """Move on to ``done`` in all (from a count kept elsewhere, such as by build processes)."""
        if done > self.done:
            self.update(done - self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
