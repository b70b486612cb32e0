"""Provision health for coordinators, one module a feature: freshness, verification requests,
merging duplicates, feedback (and access: who may do what).

A provision map stays current only when everyone shares the upkeep, so
coordinators need to see where it is slipping. Everything here is
directory-side logic over the public API: functions return plain dataclasses or
pandas frames for pages to render. Every read and write goes through the unit
of work's repositories (`uow.feedback`, `uow.verification_requests`,
`uow.duplicate_decisions`, `uow.entries`), each write in one transaction, so it
is all-or-nothing; who may do what is asked of directory/accounts.py's roles.

Freshness
    `stale_entries` lists entries not verified for `months` (default 6), with
    who last touched them and any open "please verify" request;
    `staleness_summary` groups them by organisation and by last editor;
    `freshness_over_time` replays revisions to count stale and fresh entries
    at each month end.

Verification requests
    A coordinator's one-click "ask to verify" (`request_verification`). A
    request is *open* while the entry has not been verified on or after the
    day it was asked for: verifying resolves it, by whatever route the
    verification came (the entry page, the CLI, an import with a newer
    last-verified date), with nothing else to remember to call. The
    `resolved_at`/`resolved_by` columns are used only when a coordinator
    withdraws a request. Archived entries have no open requests.

Duplicates
    `duplicate_pairs` scans the whole directory with the one duplicate rule
    the import and adding an entry apply (directory/duplicates.py),
    blocked by map cell so it costs a few comparisons per entry.
    `mark_not_duplicate` remembers a "these are different" decision;
    `merge` folds one entry into another and keeps both histories.

Feedback
    Client feedback recorded by workers (research with local forums asked for a
    more formal way to collect it): a 1-5 rating and a short
    comment that must not identify anyone. Hidden feedback (a coordinator's
    decision) counts nowhere. Feedback stays attached to the entry it was
    given on; an entry's summary also includes feedback on entries merged
    into it, so a merge moves no rows and un-archiving undoes it exactly.
"""
