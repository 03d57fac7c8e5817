"""Small modal screens of the review and resolve screens: note, go to case, a note not saved
yet, help."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.keys import _character_to_key
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from labeler.buckets import BucketInfo
from labeler.text.display import safe_inline

PREFILL_CHARS = 5_000
"""The most of a stored note or reason a text field shows (longer ones end with "…")."""


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text: Enter saves, Escape cancels. Keys typed here are only text."""

    DEFAULT_CSS: ClassVar[str] = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical {
        width: 70%; min-width: 40; max-width: 100; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TextPrompt .prompt-hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        """``value`` is the stored text (a note, a reason): the field shows it made safe.
        ``title`` is shown as it is, never as markup (it may hold a case id)."""
        super().__init__()
        self._title = title
        self._value = value
        self._shown = safe_inline(value, PREFILL_CHARS)
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Content(self._title)
            yield Input(value=self._shown, placeholder=self._placeholder, id="prompt-input")
            yield Static(Text("Enter to save · Escape to cancel"), classes="prompt-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Return the text; left as shown, the stored text is returned unchanged (never its
        safe stand-ins)."""
        self.dismiss(self._value if event.value == self._shown else event.value)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)


def bind_bucket_keys(node: DOMNode, buckets: list[BucketInfo], action: str) -> None:
    """Bind each bucket's shortcut on ``node`` to ``action('bucket_key')``, out of the footer.

    Shortcuts are bindings, not an ``on_key`` handler: Textual runs bindings after the key has
    gone through the screen, so keys handled in ``on_key`` overtake bindings pressed before
    them ("j" then "3" typed quickly would label the case first and then move). As bindings,
    keys act in the order typed, each on the screen that is on top when it acts. (Textual is
    pinned, so its key-naming function can be used.)
    """
    for bucket in buckets:
        node._bindings.bind(
            _character_to_key(bucket.shortcut), f"{action}({bucket.key!r})", show=False
        )


DROP_NOTE = ""
"""What :class:`NoteNotSaved` returns when the reviewer drops the note (never a bucket key)."""


class NoteNotSaved(ModalScreen[str | None]):
    """Asked when the reviewer leaves a case that has a note and no label: a note is stored
    with a label, so leaving would lose it. A bucket key returns that bucket's key (label the
    case with the note), ``d`` returns :data:`DROP_NOTE`, Escape returns None (stay)."""

    DEFAULT_CSS: ClassVar[str] = """
    NoteNotSaved { align: center middle; }
    NoteNotSaved > Vertical {
        width: 70%; min-width: 40; max-width: 100; height: auto;
        border: round $warning; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "drop", "Drop the note", id="note_unsaved.drop"),
        Binding("escape", "stay", "Stay", id="note_unsaved.stay"),
    ]

    def __init__(self, case_id: str, note: str, buckets: list[BucketInfo]) -> None:
        """``case_id`` and ``note`` are raw: they are shown made safe."""
        super().__init__()
        self._keys = {b.key for b in buckets}
        bind_bucket_keys(self, buckets, "choose")
        text = Text()
        text.append("Your note on ")
        text.append(safe_inline(case_id, 80), style="bold")
        text.append(" is not saved yet: a note is stored with a label.\n")
        text.append(f"  {safe_inline(note, 300)}\n\n", style="italic")
        for key, what in (
            ("bucket key", "label the case, with this note"),
            ("d", "drop the note"),
            ("Escape", "stay on this case"),
        ):
            text.append(f" {key:<11}", style="bold")
            text.append(f"{what}\n")
        text.rstrip()
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Note not saved"
            yield Static(self._text)

    def action_choose(self, key: str) -> None:
        """A bucket key: label the case with the note, in that bucket."""
        if key in self._keys:
            self.dismiss(key)

    def action_drop(self) -> None:
        """Drop the note and go on."""
        self.dismiss(DROP_NOTE)

    def action_stay(self) -> None:
        """Stay on the case; the note is kept."""
        self.dismiss(None)


def help_text(keys: list[tuple[str, str]], buckets: list[BucketInfo]) -> Text:
    """Every key and every bucket's guideline, as plain text."""
    text = Text()
    text.append("Keys\n", style="bold underline")
    # The key column is as wide as its longest key plus two spaces: columns never run together.
    column = max((cell_len(key) for key, _ in keys), default=0) + 2
    for key, what in keys:
        text.append(f"  {key}{' ' * (column - cell_len(key))}", style="bold")
        text.append(f"{what}\n")
    text.append("\nBuckets\n", style="bold underline")
    for b in buckets:
        text.append(f"  {safe_inline(b.shortcut, 1)}  ", style="bold reverse")
        text.append(f" {safe_inline(b.name, 60)}", style="bold")
        text.append(f"  ({safe_inline(b.key, 64)})", style="dim")
        if b.must_pass:
            text.append("  must-pass", style="bold red")
        text.append("\n")
        if b.description:
            text.append(f"      {safe_inline(b.description, 2000)}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """Keys and bucket guidelines."""

    DEFAULT_CSS: ClassVar[str] = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, keys: list[tuple[str, str]], buckets: list[BucketInfo]) -> None:
        super().__init__()
        self._text = help_text(keys, buckets)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Help — ? or q to close"
            yield Static(self._text)

    def action_close(self) -> None:
        """Close help."""
        self.dismiss(None)
