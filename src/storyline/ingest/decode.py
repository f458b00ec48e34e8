"""Turn a file's bytes into text, or say precisely why not."""

from __future__ import annotations

from pathlib import Path

from storyline.errors import InputError

_SNIFF_BYTES = 8192


def read_text(path: Path) -> str:
    """The file's text as UTF-8 (a BOM is dropped).

    Raises InputError for unreadable, binary, empty and non-UTF-8 files, so
    one bad file is reported by name and the rest of a batch goes on.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError(str(path), "is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            str(path), f"is not UTF-8 (bad byte at offset {exc.start}); convert it with iconv"
        ) from None
    if not text.strip():
        raise InputError(str(path), "is empty")
    return text
