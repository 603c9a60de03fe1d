"""A tamper-evident audit trail: append-only records linked by SHA-256 hashes.

Each :class:`AuditRecord` carries the hash of the record before it (``prev_hash``) and its own
``hash``: SHA-256 over a canonical JSON of all its fields (``seq``, ``at``, ``actor``,
``action``, ``subject``, ``details``) and ``prev_hash``. Changing, removing or moving any
record breaks the chain at that point, and :func:`verify` names the first record that no
longer fits and why.

The functions here are pure: they build and check records in memory. The store
(:class:`balanced_scorecard.store.Store`) keeps them in a database and appends one in the same
transaction as every write it makes.

Examples
--------
>>> first = make_record(None, actor="ann", action="definition.saved", subject="acme",
...                     details={"version": 1}, at="2025-01-31T09:00:00.000000+00:00")
>>> second = make_record(first, actor="bob", action="targets.saved", subject="acme/budget",
...                      details={"rows": 12}, at="2025-02-01T10:00:00.000000+00:00")
>>> second.seq, second.prev_hash == first.hash
(2, True)
>>> verify([first, second]).ok
True
>>> import attrs
>>> forged = attrs.evolve(second, details={"rows": 13})
>>> result = verify([first, forged])
>>> result.ok, result.first_bad_seq, result.reason
(False, 2, 'edited')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import attrs

from balanced_scorecard.exceptions import ModelError

__all__ = [
    "GENESIS_HASH",
    "AuditRecord",
    "VerifyResult",
    "canonical_json",
    "make_record",
    "record_hash",
    "utc_now",
    "verify",
]

#: ``prev_hash`` of the first record (seq 1) of every chain.
GENESIS_HASH = "0" * 64

Reason = Literal["edited", "deleted", "reordered", "bad link"]


def canonical_json(value: Any) -> str:
    """The one JSON text of ``value`` that every hash is taken over.

    Keys sorted, no spaces, UTF-8 kept as is; NaN and infinities are refused (JSON has no
    such numbers, so a hash over them would not be reproducible elsewhere).

    Examples
    --------
    >>> canonical_json({"b": 1, "a": [1.5, "é"]})
    '{"a":[1.5,"é"],"b":1}'
    """
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise ModelError(
            f"audit details must be plain JSON data (dict, list, str, int, finite float, bool, "
            f"None); {exc}. Convert the value first, e.g. to a string or a list"
        ) from None


def utc_now() -> str:
    """The current time as a UTC ISO 8601 string with microseconds (what ``at`` holds)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def record_hash(
    *,
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical JSON of a record's fields and the previous hash.

    Examples
    --------
    >>> h = record_hash(seq=1, at="2025-01-01T00:00:00+00:00", actor="ann", action="x",
    ...                 subject="s", details={}, prev_hash=GENESIS_HASH)
    >>> len(h), h == record_hash(seq=1, at="2025-01-01T00:00:00+00:00", actor="ann",
    ...                          action="x", subject="s", details={}, prev_hash=GENESIS_HASH)
    (64, True)
    """
    payload = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": details,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _details(value: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(value or {})
    canonical_json(out)  # refuse what cannot be hashed reproducibly, at construction
    return out


@attrs.frozen(kw_only=True)
class AuditRecord:
    """One entry of the audit trail.

    Parameters
    ----------
    seq
        Position in the chain, 1 for the first record, without gaps.
    at
        When, as a UTC ISO 8601 string.
    actor
        Who (a user or service name).
    action
        What kind of event, dotted: ``definition.saved``, ``targets.saved``, ``snapshot.saved``.
    subject
        What it is about, e.g. a scorecard id or ``scorecard/target set``.
    details
        Plain JSON data describing the event (versions, row counts, content hashes).
    prev_hash
        ``hash`` of the record before, :data:`GENESIS_HASH` for seq 1.
    hash
        SHA-256 of this record's fields and ``prev_hash`` (see :func:`record_hash`).
    """

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    details: dict[str, Any] = attrs.field(factory=dict, converter=_details)
    prev_hash: str
    hash: str

    def expected_hash(self, *, seq: int | None = None) -> str:
        """The hash these fields should have (with ``seq`` replaced when given)."""
        return record_hash(
            seq=self.seq if seq is None else seq,
            at=self.at,
            actor=self.actor,
            action=self.action,
            subject=self.subject,
            details=self.details,
            prev_hash=self.prev_hash,
        )

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (``details`` as a dict, not JSON text)."""
        return attrs.asdict(self)


def make_record(
    previous: AuditRecord | None,
    *,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
    at: str | None = None,
) -> AuditRecord:
    """The record that follows ``previous`` (or starts a chain when it is None).

    Parameters
    ----------
    previous
        The last record of the chain, or None for the first.
    actor, action, subject, details
        See :class:`AuditRecord`. ``actor`` and ``action`` must not be empty.
    at
        Timestamp (UTC ISO 8601); now when omitted.

    Examples
    --------
    >>> r = make_record(None, actor="ann", action="note", subject="acme",
    ...                 at="2025-01-01T00:00:00+00:00")
    >>> r.seq, r.prev_hash == GENESIS_HASH, r.hash == r.expected_hash()
    (1, True, True)
    """
    if not actor or not action:
        raise ModelError(
            f"an audit record needs an actor and an action; got actor={actor!r}, "
            f"action={action!r}. Pass who made the change and what kind of change it was"
        )
    seq = 1 if previous is None else previous.seq + 1
    prev_hash = GENESIS_HASH if previous is None else previous.hash
    when = utc_now() if at is None else at
    body = _details(details)
    digest = record_hash(
        seq=seq,
        at=when,
        actor=actor,
        action=action,
        subject=subject,
        details=body,
        prev_hash=prev_hash,
    )
    return AuditRecord(
        seq=seq,
        at=when,
        actor=actor,
        action=action,
        subject=subject,
        details=body,
        prev_hash=prev_hash,
        hash=digest,
    )


@attrs.frozen(kw_only=True)
class VerifyResult:
    """What :func:`verify` found.

    Attributes
    ----------
    ok
        True when every record fits the chain.
    checked
        How many records were checked (all of them when ``ok``; those before the first bad
        one otherwise).
    first_bad_seq
        The seq of the first record that does not fit; for a deletion, the missing seq.
    reason
        ``"edited"`` (a record's content no longer matches its hash), ``"deleted"`` (a gap in
        seq), ``"reordered"`` (a record sits at another position than the one it was written
        at) or ``"bad link"`` (a record's ``prev_hash`` is not the hash of the record before).
    message
        One sentence for a person.
    """

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: Reason | None = None
    message: str = "the audit trail is intact"

    def __bool__(self) -> bool:
        return self.ok


def _bad(checked: int, seq: int, reason: Reason, message: str) -> VerifyResult:
    return VerifyResult(
        ok=False, checked=checked, first_bad_seq=seq, reason=reason, message=message
    )


def verify(
    records: Iterable[AuditRecord],
    *,
    first_seq: int | None = None,
    prev_hash: str | None = None,
) -> VerifyResult:
    """Check a sequence of audit records, in the order given, and name the first bad one.

    Parameters
    ----------
    records
        The records as read back (a whole trail, or a contiguous part of one).
    first_seq
        The seq the sequence must start at. Default: the first record's own seq (pass 1 to
        also catch deleted records at the very start of a whole trail).
    prev_hash
        The hash the first record must link to. Default: :data:`GENESIS_HASH` when the
        sequence starts at seq 1, else the first record's own ``prev_hash`` (a part of a
        trail is checked from where it starts).

    Returns
    -------
    VerifyResult
        ``ok``, and otherwise ``first_bad_seq`` and ``reason``. An empty sequence is ok.

    Notes
    -----
    The checks, per record in order: its hash matches its content (else *edited*; or
    *reordered* when the content matches its hash at another seq, i.e. the record was moved);
    its seq follows the previous one (else *deleted* when the missing seq appears nowhere in
    the sequence, *reordered* when it appears later or the seq repeats or goes back); its
    ``prev_hash`` is the previous record's hash (else *bad link*). Deleting the **last**
    records cannot be seen from the records alone; :meth:`Store.verify_audit
    <balanced_scorecard.store.Store.verify_audit>` also checks the stored chain head.

    Examples
    --------
    >>> a = make_record(None, actor="ann", action="x", subject="s", at="2025-01-01T00:00:00+00:00")
    >>> b = make_record(a, actor="ann", action="x", subject="s", at="2025-01-02T00:00:00+00:00")
    >>> c = make_record(b, actor="ann", action="x", subject="s", at="2025-01-03T00:00:00+00:00")
    >>> verify([a, c]).reason, verify([a, c]).first_bad_seq
    ('deleted', 2)
    >>> verify([a, c, b]).reason
    'reordered'
    >>> verify([b, c], first_seq=1).reason
    'deleted'
    """
    seq_list: Sequence[AuditRecord] = list(records)
    if not seq_list:
        return VerifyResult(ok=True, checked=0, message="no audit records to check")
    first = seq_list[0]
    expected_seq = first.seq if first_seq is None else first_seq
    if prev_hash is not None:
        link = prev_hash
    elif expected_seq == 1:
        link = GENESIS_HASH
    else:
        link = first.prev_hash
    present = {r.seq for r in seq_list}
    span = range(min(present), max(present) + 1)
    for i, rec in enumerate(seq_list):
        if rec.hash != rec.expected_hash():
            moved_from = next((s for s in span if rec.hash == rec.expected_hash(seq=s)), None)
            if moved_from is not None:
                return _bad(
                    i,
                    rec.seq,
                    "reordered",
                    f"record {rec.seq} holds the record written as seq {moved_from}: "
                    "records were moved",
                )
            return _bad(
                i,
                rec.seq,
                "edited",
                f"record {rec.seq} ({rec.action} on {rec.subject!r} by {rec.actor!r}) "
                "does not match its hash: it was changed after it was written",
            )
        if rec.seq != expected_seq:
            if rec.seq > expected_seq and expected_seq not in present:
                gap = (
                    f"{expected_seq}"
                    if rec.seq == expected_seq + 1
                    else f"{expected_seq} to {rec.seq - 1}"
                )
                return _bad(
                    i, expected_seq, "deleted", f"record {gap} is missing before record {rec.seq}"
                )
            return _bad(
                i,
                rec.seq,
                "reordered",
                f"record {rec.seq} appears where record {expected_seq} belongs",
            )
        if rec.prev_hash != link:
            return _bad(
                i,
                rec.seq,
                "bad link",
                f"record {rec.seq} does not link to the record before it (prev_hash "
                f"{rec.prev_hash[:12]}… expected {link[:12]}…)",
            )
        link = rec.hash
        expected_seq += 1
    return VerifyResult(
        ok=True, checked=len(seq_list), message=f"{len(seq_list)} audit records intact"
    )
