"""Planning: slots for the queue, pins, pauses, the grace rule and the runway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.planning.cadence import WeeklySlot, occurrences, parse_slots
from scheduler.planning.planner import (
    ON_TIME,
    Plan,
    QueuedPost,
    due,
    format_local,
    next_wake,
    plan,
    runway_days,
    runway_sentence,
)

ROME = ZoneInfo("Europe/Rome")
SLOTS = parse_slots("mon 09:30, wed 18:00, fri 12:00")
GRACE = timedelta(hours=2)
# Sunday 6 December 2026, 13:00 in Rome. The next slots (Rome time): Mon 07 09:30,
# Wed 09 18:00, Fri 11 12:00, Mon 14 09:30, Wed 16 18:00, Fri 18 12:00, Mon 21 09:30.
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME).astimezone(UTC)


def queue(*ids: int) -> list[QueuedPost]:
    return [QueuedPost(i) for i in ids]


def shown(result: Plan) -> list[tuple[int, str]]:
    return [(e.post_id, format_local(e.at, ROME)) for e in result.entries]


def make(posts: list[QueuedPost], now: datetime = NOW, **kwargs: object) -> Plan:
    options: dict[str, object] = {"slots": SLOTS, "tz": ROME, "pauses": [], "grace": GRACE}
    options.update(kwargs)
    return plan(posts, now=now, **options)  # type: ignore[arg-type]


# --- the i-th post takes the i-th free slot -------------------------------------


def test_posts_take_slots_in_queue_order() -> None:
    result = make(queue(1, 2, 3, 4))
    assert shown(result) == [
        (1, "Mon 07 Dec 09:30"), (2, "Wed 09 Dec 18:00"), (3, "Fri 11 Dec 12:00"),
        (4, "Mon 14 Dec 09:30")]
    assert all(not e.pinned and not e.late for e in result.entries)
    assert all(e.at.tzinfo is UTC for e in result.entries)
    assert result.runs_dry_at == rome(2026, 12, 14, 9, 30)
    assert result.free_slots_after == [
        rome(2026, 12, 16, 18, 0), rome(2026, 12, 18, 12, 0), rome(2026, 12, 21, 9, 30)]
    assert result.skipped == [] and result.unplanned == [] and not result.truncated


def test_moving_and_removing_replan_at_once() -> None:
    moved = make(queue(3, 1, 2))
    assert shown(moved) == [
        (3, "Mon 07 Dec 09:30"), (1, "Wed 09 Dec 18:00"), (2, "Fri 11 Dec 12:00")]
    removed = make(queue(1, 3))
    assert shown(removed) == [(1, "Mon 07 Dec 09:30"), (3, "Wed 09 Dec 18:00")]


def test_a_slot_exactly_now_is_used() -> None:
    now = rome(2026, 12, 7, 9, 30)
    result = make(queue(1, 2), now=now, grace=timedelta(0))
    assert result.entries[0].at == now and not result.entries[0].late
    assert due(result, now) == result.entries[:1]


def test_slots_follow_wall_clock_across_dst() -> None:
    slots = parse_slots("sun 02:30")
    result = make(queue(1, 2, 3), now=utc(2026, 3, 20), slots=slots)
    # 22 March 02:30 CET, 29 March (02:30 does not exist) 03:30 CEST, 5 April 02:30 CEST.
    assert [e.at for e in result.entries] == [
        utc(2026, 3, 22, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 4, 5, 0, 30)]


# --- pins ----------------------------------------------------------------------


def test_pinned_post_keeps_its_time_and_its_slot_is_not_offered() -> None:
    posts = [QueuedPost(1), QueuedPost(2, rome(2026, 12, 9, 18, 0)), QueuedPost(3),
             QueuedPost(4, rome(2026, 12, 8, 10, 0))]
    result = make(posts)
    assert shown(result) == [
        (1, "Mon 07 Dec 09:30"), (4, "Tue 08 Dec 10:00"), (2, "Wed 09 Dec 18:00"),
        (3, "Fri 11 Dec 12:00")]
    assert [e.pinned for e in result.entries] == [False, True, True, False]


def test_two_pins_at_one_time_do_not_share_it() -> None:
    at = rome(2026, 12, 8, 10, 0)
    result = make([QueuedPost(1, at), QueuedPost(2), QueuedPost(3, at)])
    assert shown(result) == [
        (2, "Mon 07 Dec 09:30"), (1, "Tue 08 Dec 10:00"), (3, "Wed 09 Dec 18:00")]


def test_pinned_post_within_grace_goes_out_late() -> None:
    pinned_at = NOW - timedelta(hours=1)
    result = make([QueuedPost(1), QueuedPost(2, pinned_at)])
    assert result.entries[0] == (2, pinned_at, True, True)
    assert due(result, NOW) == [result.entries[0]]
    assert result.lost_pins == []


def test_a_slot_reached_a_moment_after_its_time_is_on_time() -> None:
    # The daemon wakes a few milliseconds after 09:30 (a cadence slot) and 10:00 (a pin).
    slot, pinned_at = rome(2026, 12, 7, 9, 30), rome(2026, 12, 7, 10, 0)
    woke = make(queue(1), now=slot + timedelta(milliseconds=5))
    assert woke.entries[0][:2] == (1, slot) and not woke.entries[0].late
    woke = make([QueuedPost(1, pinned_at)], now=pinned_at + timedelta(seconds=2))
    assert woke.entries[0] == (1, pinned_at, True, False)
    # A minute or more after its time, it is late.
    late = make(queue(1), now=slot + ON_TIME)
    assert late.entries[0][:2] == (1, slot) and late.entries[0].late
    late = make([QueuedPost(1, pinned_at)], now=pinned_at + ON_TIME)
    assert late.entries[0].late


def test_post_now_pin_is_never_late() -> None:
    asked = NOW - timedelta(minutes=40)  # `post now`, the daemon was down since
    result = make([QueuedPost(1), QueuedPost(2, asked, asap=True)])
    assert result.entries[0] == (2, asked, True, False)
    assert due(result, NOW) == [result.entries[0]]


def test_post_now_pin_missed_beyond_grace_loses_its_pin_like_any_other() -> None:
    result = make([QueuedPost(1), QueuedPost(2, NOW - timedelta(hours=5), asap=True)])
    assert result.lost_pins == [2]
    assert [e.post_id for e in result.entries][:2] == [2, 1]


def test_pinned_post_missed_beyond_grace_loses_its_pin_and_goes_to_the_top() -> None:
    posts = [QueuedPost(1), QueuedPost(2, NOW - timedelta(hours=5)), QueuedPost(3),
             QueuedPost(4, NOW - timedelta(hours=30))]
    result = make(posts)
    # The missed pins go first, in the order of their pinned times.
    assert shown(result) == [
        (4, "Mon 07 Dec 09:30"), (2, "Wed 09 Dec 18:00"), (1, "Fri 11 Dec 12:00"),
        (3, "Mon 14 Dec 09:30")]
    assert not any(e.pinned for e in result.entries)
    assert result.lost_pins == [4, 2]


# --- pauses --------------------------------------------------------------------


def test_bounded_pause_holds_slots_back_but_not_pins() -> None:
    pause = (rome(2026, 12, 8, 0, 0), rome(2026, 12, 12, 0, 0))
    pinned_at = rome(2026, 12, 10, 11, 0)
    result = make([QueuedPost(1), QueuedPost(2), QueuedPost(3, pinned_at), QueuedPost(4)],
                  pauses=[pause])
    assert shown(result) == [
        (1, "Mon 07 Dec 09:30"), (3, "Thu 10 Dec 11:00"), (2, "Mon 14 Dec 09:30"),
        (4, "Wed 16 Dec 18:00")]


def test_pause_start_is_included_and_end_excluded() -> None:
    pause = (rome(2026, 12, 7, 9, 30), rome(2026, 12, 9, 18, 0))
    result = make(queue(1, 2), pauses=[pause])
    assert shown(result) == [(1, "Wed 09 Dec 18:00"), (2, "Fri 11 Dec 12:00")]


def test_open_ended_pause_leaves_posts_waiting() -> None:
    pinned_at = rome(2027, 1, 6, 12, 0)
    posts = [QueuedPost(1), QueuedPost(2), QueuedPost(3), QueuedPost(4, pinned_at)]
    result = make(posts, pauses=[(rome(2026, 12, 10, 0, 0), None)])
    assert shown(result) == [(1, "Mon 07 Dec 09:30"), (2, "Wed 09 Dec 18:00"),
                             (4, "Wed 06 Jan 12:00")]
    assert result.unplanned == [3]
    assert result.unplanned_reason == "the queue is paused with no end"
    assert result.free_slots_after == []
    assert runway_days(result, NOW) is None
    assert runway_sentence(result, ROME, NOW) == (
        "1 queued post waits without a time because the queue is paused with no end.")


def test_pause_that_started_in_the_past_with_no_end() -> None:
    result = make(queue(1, 2), pauses=[(NOW - timedelta(days=3), None)])
    assert result.entries == [] and result.unplanned == [1, 2]


# --- missed slots and the grace period ------------------------------------------

MONDAY_SLOT = rome(2026, 12, 7, 9, 30)
LAST_FRIDAY = rome(2026, 12, 4, 12, 0)


def test_missed_slot_within_grace_is_published_late() -> None:
    now = MONDAY_SLOT + timedelta(minutes=30)
    result = make(queue(1, 2), now=now, last_used=LAST_FRIDAY)
    assert result.entries[0] == (1, MONDAY_SLOT, False, True)
    assert shown(result)[1] == (2, "Wed 09 Dec 18:00")
    assert due(result, now) == result.entries[:1]
    assert result.skipped == []


def test_missed_slot_beyond_grace_is_skipped_and_the_queue_shifts() -> None:
    now = MONDAY_SLOT + timedelta(hours=2, minutes=30)
    result = make(queue(1, 2), now=now, last_used=LAST_FRIDAY)
    assert shown(result) == [(1, "Wed 09 Dec 18:00"), (2, "Fri 11 Dec 12:00")]
    assert result.skipped == [MONDAY_SLOT]
    assert due(result, now) == []


def test_grace_boundary_is_included() -> None:
    now = MONDAY_SLOT + GRACE
    result = make(queue(1), now=now, last_used=LAST_FRIDAY)
    assert result.entries[0].at == MONDAY_SLOT and result.entries[0].late


def test_several_missed_slots_within_grace_give_one_late_post() -> None:
    slots = parse_slots("mon 09:00, mon 09:30, mon 10:00")
    now = rome(2026, 12, 7, 10, 10)
    result = make(queue(1, 2, 3), now=now, slots=slots, last_used=LAST_FRIDAY)
    assert shown(result) == [
        (1, "Mon 07 Dec 10:00"), (2, "Mon 14 Dec 09:00"), (3, "Mon 14 Dec 09:30")]
    assert [e.late for e in result.entries] == [True, False, False]
    assert result.skipped == [rome(2026, 12, 7, 9, 0), rome(2026, 12, 7, 9, 30)]
    assert len(due(result, now)) == 1


def test_daemon_down_for_days_skips_and_does_not_burst() -> None:
    now = rome(2026, 12, 10, 13, 0)  # Thursday: Monday's and Wednesday's slots were missed
    result = make(queue(1, 2), now=now, last_used=LAST_FRIDAY)
    assert result.skipped == [MONDAY_SLOT, rome(2026, 12, 9, 18, 0)]
    assert shown(result) == [(1, "Fri 11 Dec 12:00"), (2, "Mon 14 Dec 09:30")]
    assert due(result, now) == []


def test_last_used_slot_is_never_offered_again() -> None:
    now = MONDAY_SLOT + timedelta(minutes=10)
    result = make(queue(1), now=now, last_used=MONDAY_SLOT)
    assert shown(result) == [(1, "Wed 09 Dec 18:00")]
    # last_used later than now (a clock step back) still holds.
    result = make(queue(1), now=now - timedelta(days=2), last_used=MONDAY_SLOT)
    assert shown(result) == [(1, "Wed 09 Dec 18:00")]


def test_without_last_used_nothing_is_reported_skipped() -> None:
    now = MONDAY_SLOT + timedelta(hours=5)
    result = make(queue(1), now=now)
    assert result.skipped == []
    assert shown(result) == [(1, "Wed 09 Dec 18:00")]


def test_a_daemon_restarted_after_missing_several_slots() -> None:
    """Walk a daemon through a week with downtime: at most one post per slot, one late post."""
    posts = queue(*range(1, 11))
    last_used: datetime | None = LAST_FRIDAY
    published: list[tuple[int, datetime, datetime]] = []  # post, planned time, sent at
    down = (rome(2026, 12, 7, 0, 0), rome(2026, 12, 11, 13, 0))  # misses Mon, Wed, Fri 12:00
    now = rome(2026, 12, 5, 0, 0)
    while now < rome(2026, 12, 24, 0, 0):
        if not down[0] <= now < down[1]:
            result = make(posts, now=now, last_used=last_used)
            for entry in due(result, now):
                published.append((entry.post_id, entry.at, now))
                posts = [p for p in posts if p.id != entry.post_id]
                last_used = max(last_used or entry.at, entry.at)
        now += timedelta(minutes=15)
    sent_at = [sent for _, _, sent in published]
    assert len(sent_at) == len(set(sent_at))  # never two at one wake: no burst
    assert [p for p, _, _ in published] == list(range(1, len(published) + 1))
    # Friday's 12:00 slot was missed by one hour: published late, once.
    assert published[0] == (1, rome(2026, 12, 11, 12, 0), rome(2026, 12, 11, 13, 0))
    assert [format_local(at, ROME) for _, at, _ in published[1:4]] == [
        "Mon 14 Dec 09:30", "Wed 16 Dec 18:00", "Fri 18 Dec 12:00"]


# --- no slots, empty queue, limits -------------------------------------------------


def test_no_slots_only_pins_are_planned() -> None:
    pinned_at = rome(2026, 12, 20, 10, 0)
    result = make([QueuedPost(1), QueuedPost(2, pinned_at), QueuedPost(3)], slots=[])
    assert shown(result) == [(2, "Sun 20 Dec 10:00")]
    assert result.unplanned == [1, 3]
    assert result.unplanned_reason == "no cadence is set"
    assert result.runs_dry_at == pinned_at
    assert result.free_slots_after == []
    assert runway_days(result, NOW) is None
    assert runway_sentence(result, ROME, NOW) == (
        "2 queued posts wait without a time because no cadence is set.")


def test_empty_queue() -> None:
    result = make([])
    assert result.entries == [] and result.runs_dry_at is None
    assert result.free_slots_after[0] == MONDAY_SLOT
    assert runway_days(result, NOW) == 0.0
    assert runway_sentence(result, ROME, NOW) == "The queue is empty."
    assert next_wake(result) is None and due(result, NOW) == []


def test_limit_bounds_the_work() -> None:
    result = make(queue(*range(10_000)), limit=5)
    assert [e.post_id for e in result.entries] == [0, 1, 2, 3, 4]
    assert result.truncated and result.runs_dry_at is None
    assert runway_days(result, NOW) is None
    assert make(queue(1, 2), limit=5).truncated is False


def test_ten_thousand_posts() -> None:
    pause = (rome(2027, 2, 1, 0, 0), rome(2027, 3, 1, 0, 0))
    pins = {17: rome(2027, 1, 1, 0, 0), 500: rome(2026, 12, 9, 18, 0)}
    posts = [QueuedPost(i, pins.get(i)) for i in range(10_000)]
    result = make(posts, pauses=[pause])
    pinned = [(e.post_id, e.at) for e in result.entries if e.pinned]
    assert pinned == [(500, pins[500]), (17, pins[17])]
    free = (at for at in occurrences(SLOTS, ROME, NOW)
            if at not in pins.values() and not pause[0] <= at < pause[1])
    expected = list(islice(free, 9_998))
    unpinned = [e for e in result.entries if not e.pinned]
    assert [e.post_id for e in unpinned] == [i for i in range(10_000) if i not in pins]
    assert [e.at for e in unpinned] == expected
    assert result.runs_dry_at == expected[-1]
    assert all(a.at < b.at for a, b in pairwise(result.entries))


# --- due, next wake, runway --------------------------------------------------------


def test_due_and_next_wake() -> None:
    result = make(queue(1, 2, 3))
    assert next_wake(result) == MONDAY_SLOT
    assert due(result, MONDAY_SLOT - timedelta(seconds=1)) == []
    assert [e.post_id for e in due(result, MONDAY_SLOT)] == [1]
    assert [e.post_id for e in due(result, rome(2026, 12, 10, 0, 0))] == [1, 2]
    assert next_wake(result, after=MONDAY_SLOT) == rome(2026, 12, 9, 18, 0)
    assert next_wake(result, after=rome(2027, 1, 1, 0, 0)) is None


def test_runway() -> None:
    result = make(queue(1, 2, 3, 4))
    assert runway_days(result, NOW) == (rome(2026, 12, 14, 9, 30) - NOW) / timedelta(days=1)
    assert runway_days(result, rome(2027, 1, 1, 0, 0)) == 0.0
    assert runway_sentence(result, ROME, NOW) == "The queue runs dry after Mon 14 Dec."
    longer = make(queue(*range(12)))
    assert runway_sentence(longer, ROME, NOW) == "The queue runs dry after Fri 01 Jan 2027."
    assert format_local(MONDAY_SLOT, ROME) == "Mon 07 Dec 09:30"
    assert format_local(utc(2026, 12, 19, 23, 30), ROME) == "Sun 20 Dec 00:30"


# --- properties ------------------------------------------------------------------------

ZONES = [ROME, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"),
         ZoneInfo("Asia/Kolkata")]
BASE = utc(2026, 3, 1)
minutes = st.integers(0, 60 * 24 * 60)  # within 60 days of BASE


@st.composite
def planning(draw: st.DrawFn) -> dict[str, object]:
    now = BASE + timedelta(minutes=draw(minutes))
    size = draw(st.integers(0, 25))
    ids = draw(st.permutations(range(1, size + 1)))
    posts = []
    for post_id in ids:
        pinned = draw(st.one_of(
            st.none(), st.none(),
            st.builds(lambda m: now + timedelta(minutes=m), st.integers(-3 * 1440, 21 * 1440)),
            st.builds(lambda m: now + timedelta(minutes=30 * m), st.integers(-8, 8))))
        posts.append(QueuedPost(post_id, pinned))
    pauses = []
    for _ in range(draw(st.integers(0, 2))):
        start = now + timedelta(minutes=draw(st.integers(-5 * 1440, 20 * 1440)))
        length = draw(st.one_of(st.none(), st.integers(1, 10 * 1440)))
        pauses.append((start, None if length is None else start + timedelta(minutes=length)))
    slots = draw(st.lists(st.builds(WeeklySlot, st.integers(0, 6),
                                    st.integers(0, 1439).map(lambda m: m - m % 30)),
                          max_size=5))
    last_used = draw(st.one_of(st.none(), st.builds(
        lambda m: now - timedelta(minutes=m), st.integers(0, 10 * 1440))))
    return {"posts": posts, "slots": slots, "tz": draw(st.sampled_from(ZONES)),
            "pauses": pauses, "now": now, "last_used": last_used,
            "grace": timedelta(minutes=draw(st.sampled_from([0, 30, 120, 600])))}


def paused(at: datetime, pauses: list[tuple[datetime, datetime | None]]) -> bool:
    return any(s <= at and (e is None or at < e) for s, e in pauses)


@settings(max_examples=150, deadline=None)
@given(planning())
def test_plan_properties(case: dict[str, object]) -> None:
    result = plan(**case)  # type: ignore[arg-type]
    posts: list[QueuedPost] = case["posts"]  # type: ignore[assignment]
    now: datetime = case["now"]  # type: ignore[assignment]
    grace: timedelta = case["grace"]  # type: ignore[assignment]
    last_used: datetime | None = case["last_used"]  # type: ignore[assignment]
    pauses: list[tuple[datetime, datetime | None]] = case["pauses"]  # type: ignore[assignment]
    entries = result.entries

    # In time order, no two at one time, every post once (planned or waiting).
    assert all(a.at < b.at for a, b in pairwise(entries))
    planned = [e.post_id for e in entries]
    assert sorted(planned + result.unplanned) == sorted(p.id for p in posts)

    pinned_at = {p.id: p.pinned_at for p in posts}
    for entry in entries:
        if entry.pinned:
            assert entry.at == pinned_at[entry.post_id]
            assert entry.at >= now - grace
        else:
            assert last_used is None or entry.at > last_used
            assert not paused(entry.at, pauses)
            assert entry.at >= now - grace
        assert entry.late == (entry.at <= now - ON_TIME)

    # Unpinned posts follow the queue order (missed pins first, by pinned time).
    lost = sorted((p for p in posts if p.pinned_at is not None and p.pinned_at < now - grace),
                  key=lambda p: p.pinned_at)  # type: ignore[arg-type, return-value]
    assert result.lost_pins == [p.id for p in lost]
    order = [p.id for p in lost] + [p.id for p in posts if p not in lost]
    unpinned = [e.post_id for e in entries if not e.pinned] + result.unplanned
    assert unpinned == [i for i in order if i in set(unpinned)]

    # No burst: at most one unpinned post is late, and it is the latest missed slot.
    late = [e for e in entries if e.late and not e.pinned]
    assert len(late) <= 1
    assert all(s < now - grace or s < late[0].at for s in result.skipped) if late else True
    assert len([e for e in due(result, now) if not e.pinned]) <= 1

    if result.entries:
        assert result.runs_dry_at == entries[-1].at
        assert next_wake(result) == entries[0].at


@settings(max_examples=80, deadline=None)
@given(planning(), st.data())
def test_moves_change_who_not_when(case: dict[str, object], data: st.DataObject) -> None:
    """Re-ordering the queue changes which post takes a slot, not which slots are used."""
    posts: list[QueuedPost] = list(case["posts"])  # type: ignore[call-overload]
    shuffled = data.draw(st.permutations(posts))
    first = plan(**case)  # type: ignore[arg-type]
    second = plan(**{**case, "posts": shuffled})  # type: ignore[arg-type]
    if not any(p.pinned_at is not None for p in posts):
        assert [(e.at, e.late) for e in first.entries] == [
            (e.at, e.late) for e in second.entries]
        assert [e.post_id for e in second.entries] + second.unplanned == [
            p.id for p in shuffled]
    assert len(first.entries) == len(second.entries)


@settings(max_examples=80, deadline=None)
@given(planning(), st.data())
def test_removing_a_post_moves_the_later_ones_up(case: dict[str, object],
                                                   data: st.DataObject) -> None:
    posts: list[QueuedPost] = [QueuedPost(p.id) for p in case["posts"]]  # type: ignore[attr-defined]
    if not posts:
        return
    case = {**case, "posts": posts}
    index = data.draw(st.integers(0, len(posts) - 1))
    before = plan(**case)  # type: ignore[arg-type]
    after = plan(**{**case, "posts": posts[:index] + posts[index + 1:]})  # type: ignore[arg-type]
    times = [e.at for e in before.entries]
    assert [e.at for e in after.entries] == times[:len(after.entries)]
    remaining = [p.id for p in posts if p.id != posts[index].id]
    assert [e.post_id for e in after.entries] + after.unplanned == remaining
