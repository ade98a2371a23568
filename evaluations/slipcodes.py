"""Ballot slip codes a person can type from paper (issue 19 item 4).

seed: 评议监督考核制度 第三条 (民主测评: 由与会人员开展量化测评 — on a phone or on paper).
A code is 23 random characters and one check character from a 31-letter alphabet
without look-alikes (no 0/O, 1/I/L, no lower case, no ``-``/``_``), printed in groups of
four: ``K7QM 3XHV 9PRD W2TF 6NAE 4BCJ``. 23 × log2(31) ≈ 114 bits: as unguessable as a
password store needs (the ballot page also stops a client after a few misses).

The check character is a weighted sum modulo 31 (a prime, the alphabet's size): it
catches every single wrong character and every swap of two neighbours, so a typing
error is reported as such rather than as "no slip has this code".

Codes issued before (``secrets.token_urlsafe``, mixed case) stay valid: the lookup
tries the code exactly as typed first (``roster.evaluator_for_token``).
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
assert len(ALPHABET) == 31
BODY = 23
GROUP = 4
LENGTH = BODY + 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def check_char(body: str) -> str:
    """The check character of ``body`` (weights 1, 2, 3 … modulo 31)."""
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_code() -> str:
    """A fresh code, ungrouped (as stored, hashed, and used in the ballot URL)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY))
    return body + check_char(body)


def normalize(typed: str) -> str:
    """What was typed, as a code: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in (typed or "").upper() if ch not in " \t-_·.,，").strip()


def looks_like_code(text: str) -> bool:
    """Has the shape of a new code (length and alphabet), whatever its check character."""
    return len(text) == LENGTH and all(ch in _VALUE for ch in text)


def is_valid(code: str) -> bool:
    """A normalized code whose check character matches."""
    return looks_like_code(code) and check_char(code[:-1]) == code[-1]


def grouped(code: str) -> str:
    """``K7QM 3XHV 9PRD W2TF 6NAE 4BCJ`` for printing (groups of four, spaces between)."""
    return " ".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
