"""An item's votes in a batch of planned work, and what they call for: a tie-break slot, or a state.

The votes are the first-pass verdicts (the blind ones) of the reviewers holding the item's slots.
When the first `overlap` are all in and split, one extra slot is added; once its vote is in,
another only while no verdict holds a strict majority of the votes, up to the batch's `max_extra`;
after that the item is adjudication work (a majority, if there is one, informs the adjudicator; it
settles nothing). Gold items get no tie-breaks: their answer is known.

Where it is enforced: `TIE_BREAK` is one INSERT ... SELECT that reads the votes and numbers the new
slot after the item's last; the label save of a first pass runs it in its own write transaction
(`update_tie_breaks`, called by `LabelRepository.write`). Two saves that both find a split would
insert the same primary key (batch, item, slot): the second inserts nothing (`on conflict do
nothing`). Writers take turns on both backends besides, so each save reads the votes the other
committed. A first pass changed after its item's extra slot was added can end the split: the same
call then removes that slot if nobody has claimed it yet (`STALE_TIE_BREAK`).

Set aside: a reviewer who skips or flags an item without a verdict keeps their slot (so, by the
unique index, they are never offered the item again in that batch) and gives no vote; the same call
adds a replacement slot for someone else (`REPLACEMENT`), numbered below the item's lowest (-1, -2:
planned slots are 0 to overlap - 1, tie-breaks overlap and up), so two saves of one skip add it once.
At most `overlap` replacements per item: past that the item is `set-aside` in `batch status`, work
for the lead, and calls for no tie-break. A verdict given after all makes the replacement needless
and takes it back if nobody claimed it (`STALE_REPLACEMENT`).
"""

from __future__ import annotations

from reviewer.store.connection import Db
from reviewer.store.dialect import Dialect

# Label `l` decided something (a verdict, or a skip/flag): what finishes a slot.
DECIDED = "(l.verdict is not null or l.flag is not null)"


def labelled(slot: str) -> str:
    """Whether the reviewer of slot row `slot` labelled its item: a slot is finished then. A label
    counts once it decides something, a verdict or a skip/flag; one still being written (a rationale,
    codes, no verdict yet, as a killed app leaves it) keeps the slot open, so its lease can run out."""
    return (
        f"exists (select 1 from labels l where l.trajectory_id = {slot}.trajectory_id and l.annotator = {slot}.annotator"
        f" and {DECIDED})"
    )


# A reviewer's first-pass (blind) verdict on slot row `s`: the vote that decides tie-breaks.
VOTE = "l.trajectory_id = s.trajectory_id and l.annotator = s.annotator and l.first_pass = 1 and l.adjudication = 0"
# Slot row `s`, joined to its first pass `l` (VOTE), was set aside: skipped or flagged without a verdict.
SET_ASIDE = "l.verdict is null and l.flag is not null"


def item_votes(where: str) -> str:
    """Per batch and item (rows `v` of this subquery): its slots that count (not set aside), the
    set-aside ones and the replacements added for them, the next tie-break's number, the first-pass
    votes in, how many distinct verdicts, the largest verdict's votes (`top`), and the batch's overlap
    and tie-break limit. The one reading of an item's votes, for adding slots and for `batch status`."""
    top = (
        "(select max(c.n) from (select count(*) as n from slots x join labels m on m.trajectory_id = x.trajectory_id"
        " and m.annotator = x.annotator and m.first_pass = 1 and m.adjudication = 0"
        " where x.batch = s.batch and x.trajectory_id = s.trajectory_id and m.verdict is not null group by m.verdict) c)"
    )
    return (
        "select s.batch, s.trajectory_id, max(s.gold) as gold, min(s.position) as position,"
        f" count(*) - count(case when {SET_ASIDE} then 1 end) as slots, count(case when {SET_ASIDE} then 1 end) as set_aside,"
        " count(case when s.slot < 0 then 1 end) as replaced, min(s.slot) as lowest, max(s.slot) + 1 as next,"
        f" count(l.verdict) as votes, count(distinct l.verdict) as verdicts, coalesce({top}, 0) as top,"
        " b.overlap, b.max_extra"
        f" from slots s join batches b on b.name = s.batch left join labels l on {VOTE}"
        f" where {where} group by s.batch, s.trajectory_id, b.overlap, b.max_extra"
    )


# Item v needs one more reviewer: every vote in, split, no gold, extras left, and either no extra yet
# (the first `overlap` disagree) or no verdict with a strict majority since; not left set aside.
NEEDS_TIE_BREAK = (
    "v.votes = v.slots and v.verdicts > 1 and v.gold = 0 and v.slots < v.overlap + v.max_extra"
    " and (v.slots = v.overlap or 2 * v.top <= v.slots) and v.set_aside <= v.replaced"
)
TIE_BREAK = (
    "insert into slots(batch, trajectory_id, slot, position) select v.batch, v.trajectory_id, v.next, v.position"
    f" from ({item_votes('s.trajectory_id = :tid')}) v where {NEEDS_TIE_BREAK} on conflict do nothing"
)
# Item v has a set-aside slot without its replacement, and replacements left.
NEEDS_REPLACEMENT = "v.set_aside > v.replaced and v.replaced < v.overlap"
REPLACEMENT = (
    "insert into slots(batch, trajectory_id, slot, position, gold) select v.batch, v.trajectory_id, v.lowest - 1,"
    f" v.position, v.gold from ({item_votes('s.trajectory_id = :tid')}) v where {NEEDS_REPLACEMENT} on conflict do nothing"
)
# The item's unclaimed replacements once fewer slots are set aside than replaced (a verdict came after all).
STALE_REPLACEMENT = (
    "delete from slots where trajectory_id = :tid and annotator is null and slot < 0"
    f" and batch in (select v.batch from ({item_votes('s.trajectory_id = :tid')}) v where v.set_aside < v.replaced)"
)
# Item t (a `trajectories` row) waits for a tie-break: it has an extra slot in a batch, and a slot of
# it there (the extra one, or its replacement) has no first-pass vote and was not set aside.
# It is not yet adjudication work (the disputed queue leaves it out).
TIE_BREAK_PENDING = (
    "exists (select 1 from slots s join batches b on b.name = s.batch where s.trajectory_id = t.id"
    " and exists (select 1 from slots e where e.batch = s.batch and e.trajectory_id = t.id and e.slot >= b.overlap)"
    f" and not exists (select 1 from labels l where {VOTE} and {DECIDED}))"
)


# The item's unclaimed tie-break slot (only ever its last) once its split is gone: a first pass changed
# since it was added. The claimed slots' votes no longer call for it, so nobody is sent to break a tie
# that is not there; a claimed one stays (its reviewer may be at work on it).
STALE_TIE_BREAK = (
    "delete from slots where trajectory_id = :tid and annotator is null"
    " and slot >= (select b.overlap from batches b where b.name = slots.batch)"
    f" and batch not in (select v.batch from ({item_votes('s.trajectory_id = :tid and s.annotator is not null')}) v"
    f" where {NEEDS_TIE_BREAK})"
)


def update_tie_breaks(db: Db, trajectory_id: str) -> None:
    """After a first-pass label of `trajectory_id` is written (in its write transaction): drop the
    tie-break and replacement slots its votes no longer call for, add the ones they call for, in each
    batch that plans it."""
    for statement in (STALE_REPLACEMENT, REPLACEMENT, STALE_TIE_BREAK, TIE_BREAK):
        db.execute(statement, {"tid": trajectory_id})


def item_state(dialect: Dialect) -> str:
    """Item v's state (`batch status`): set-aside (skipped or flagged without a verdict more often than
    replacements allow: the lead's to decide), open (votes missing), tie-break (an extra reviewer to
    vote), gold (a calibration item, all voted), agreed, settled (an adjudication settled the split) or
    adjudication (split, no tie-break left: adjudication work)."""
    settled = (
        "select 1 from labels a where a.trajectory_id = v.trajectory_id and a.adjudication = 1 and a.verdict is not null"
        f" and {dialect.json_flag('a.record', 'adjudication', 'settled')}"
    )
    return (
        "case when v.set_aside > v.replaced then 'set-aside'"
        " when v.votes < v.slots then case when v.next > v.overlap then 'tie-break' else 'open' end"
        f" when v.gold = 1 then 'gold' when v.verdicts <= 1 then 'agreed' when {NEEDS_TIE_BREAK} then 'tie-break'"
        f" when exists ({settled}) then 'settled' else 'adjudication' end"
    )
