"""An import's Markdown rendered ahead, in other processes: markdown-it is pure Python, and on a
machine with a core to spare the new posts of one chunk are rendered while those of the chunk
before are written (see importer.Batch.write_each), by the same markup.render_post().
"""

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from posts import markup

# Fewer new posts than this are rendered where they are written: a process costs more to start.
MIN_POSTS = 200

Source = tuple[str, str, str, str]  # a post's body, excerpt, excerpt separator and format
# Forked, not spawned: a spawned process runs the main module again, which a script calling
# import_posts may not guard. The processes are forked when the first chunk is sent, before the
# import starts its indexing thread; they share this process's database connection but only
# render, and leave by os._exit() without closing it.
FORK = "fork"


def spare_cores() -> int:
    """The cores this process may run on (all, where the system cannot say), but its own."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) - 1
    return (os.cpu_count() or 1) - 1


class Ahead:
    """Starts rendering sources in a process for each core but this one's; with no core to
    spare, or too few posts to be worth it, leaves them to be rendered where they are written."""

    def __init__(self, posts: int):
        self.workers = spare_cores()
        self.pool = None
        if (
            self.workers > 0
            and posts >= MIN_POSTS
            and FORK in multiprocessing.get_all_start_methods()
        ):
            context = multiprocessing.get_context(FORK)
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def start(self, sources: list[Source]) -> Callable[[], dict[Source, tuple[str, str]]]:
        """Start rendering `sources`; gives what waits for their renderings, by source (none
        when they are left to be rendered where they are written)."""
        if self.pool is None or not sources:
            return dict
        size = -(-len(sources) // self.workers)
        parts = [
            self.pool.submit(markup.render_posts, sources[start : start + size])
            for start in range(0, len(sources), size)
        ]

        def renderings() -> dict[Source, tuple[str, str]]:
            results = [rendering for part in parts for rendering in part.result()]
            return dict(zip(sources, results, strict=True))

        return renderings
