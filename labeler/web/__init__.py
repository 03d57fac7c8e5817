"""``labeler serve``: the review and resolve screens in a browser (aiohttp and textual-serve).

Import :mod:`labeler.web.server` for the server; this package imports nothing heavy itself, so
the session process (:mod:`labeler.cli.web_session`) starts as fast as ``labeler review``.
"""

__all__: list[str] = []
