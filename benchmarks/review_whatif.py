"""What-if launcher for ``bench_review.py --parts a``: the review screen started without the CLI.

    .venv/bin/python benchmarks/review_whatif.py STORE REVIEWER

It opens the same ``ReviewApp`` as ``labeler review STORE --reviewer REVIEWER`` but

* imports only what the review screen needs (``labeler.cli`` imports every command, and with
  them numpy, the gates and the exporters);
* makes ``next_page`` walk the ``cases`` rowid range (``bench_review.patch_queue_query``);
* starts the background queue count 0.5 s after the first case is shown, not before it.

Nothing under ``labeler/`` is changed: the patches live in this process only. It is a measure
of what those three changes would buy, not a way to run the tool.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def main() -> None:
    store_path, reviewer = Path(sys.argv[1]), sys.argv[2]
    from bench_review import patch_queue_query

    from labeler.identity import resolve_actor
    from labeler.queue import QueueSpec
    from labeler.store import open_store
    from labeler.tui.app import ReviewApp
    from labeler.tui.review_screen import ReviewScreen

    patch_queue_query()

    def on_mount(self: Any) -> None:
        self.show_case(self.session.current())
        self.set_timer(0.5, self.count_queue)

    ReviewScreen.on_mount = on_mount  # type: ignore[method-assign]
    actor = resolve_actor(reviewer)
    with open_store(store_path) as store:
        ReviewApp(store, actor, QueueSpec(actor.name)).run()


if __name__ == "__main__":
    main()
