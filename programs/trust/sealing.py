"""Sealed answer sheets: what a respondent sent, unreadable while it waits for its wave to close.

Plain functions, no Flask, no session. A sheet is sealed with AES-256-GCM under a key derived from
the application's secret, bound to its wave (associated data), and padded to one length per wave
before sealing, so neither its content nor its size (how many comments, how long) can be read
from the stored bytes. See the threat model in programs/trust/models.py.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
LENGTH_BYTES = 4
SCORE_BYTES = 24  # a generous bound on one JSON score entry [target, item, score]
COMMENT_CHAR_BYTES = 6  # the longest JSON encoding of one character ("\u0001")
SHEET_OVERHEAD = 256


@dataclass(frozen=True)
class Sheet:
    """One respondent's answers: their function and tenure band, scores and comments."""

    rater_function_id: int
    tenure: str
    scores: dict[tuple[int, int], int]  # (target function id, item id) -> score
    comments: dict[int, str]  # target function id -> text


def sheet_size(targets: int, items: int, comment_max: int) -> int:
    """The one padded length of every sheet of a wave (the largest possible sheet fits)."""
    return SHEET_OVERHEAD + targets * (items * SCORE_BYTES + comment_max * COMMENT_CHAR_BYTES + SCORE_BYTES)


def derive_key(secret: str | bytes) -> bytes:
    """A 256-bit key for sealing, derived from the application's secret (never stored)."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"common-ground trust pending sheet v1", hashlib.sha256).digest()


def seal(sheet: Sheet, key: bytes, wave_id: int, size: int) -> bytes:
    """nonce + ciphertext of the sheet padded to size bytes."""
    body = json.dumps({"f": sheet.rater_function_id, "t": sheet.tenure,
                       "s": sorted([t, i, s] for (t, i), s in sheet.scores.items()),
                       "c": sorted([t, text] for t, text in sheet.comments.items())},
                      ensure_ascii=False, separators=(",", ":")).encode()
    if len(body) + LENGTH_BYTES > size:
        raise ValueError("The answer sheet is larger than its wave allows.")
    padded = len(body).to_bytes(LENGTH_BYTES, "big") + body + bytes(size - LENGTH_BYTES - len(body))
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, padded, _associated(wave_id))


def unseal(sealed: bytes, key: bytes, wave_id: int) -> Sheet:
    """The sheet back; raises cryptography's InvalidTag if the bytes or the wave do not match."""
    padded = AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _associated(wave_id))
    length = int.from_bytes(padded[:LENGTH_BYTES], "big")
    data = json.loads(padded[LENGTH_BYTES:LENGTH_BYTES + length])
    return Sheet(rater_function_id=data["f"], tenure=data["t"],
                 scores={(t, i): s for t, i, s in data["s"]}, comments={t: text for t, text in data["c"]})


def _associated(wave_id: int) -> bytes:
    return f"trust-wave:{wave_id}".encode()
