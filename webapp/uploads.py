"""CSV uploads, shared by every import (people, accounts, ...): decoding the file and reading it with pandas."""
from __future__ import annotations

import io

import pandas as pd

TEXT_ENCODINGS = ("utf-8-sig", "cp1252")


def decode_upload(form) -> str | None:
    """The text of form.file (UTF-8, or Windows-1252 as exported by Excel); an error on the field if binary."""
    raw = form.file.data.read()
    for encoding in TEXT_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    form.file.errors = [*form.file.errors, "The file is not a text CSV file (use UTF-8)."]
    return None


def read_csv_text(content: str, required: tuple[str, ...], max_rows: int) -> tuple[pd.DataFrame | None, list[str]]:
    """Parse text as a CSV of stripped strings with normalised column names; (frame, file-level errors)."""
    if not content.strip():
        return None, ["The file is empty."]
    try:
        frame = pd.read_csv(io.StringIO(content), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as error:
        return None, [f"The file is not readable as CSV: {error}"]
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        return None, [f"Missing column(s): {', '.join(missing)}. Required: {', '.join(required)}."]
    if len(frame) > max_rows:
        return None, [f"The file has {len(frame)} rows; at most {max_rows} can be imported at once."]
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v), []
