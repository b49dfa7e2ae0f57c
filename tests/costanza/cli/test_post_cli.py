"""`costanza post ...` through click's runner, checking output and the database."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from costanza.app import App
from posts.models import Media, Post
from tests.conftest import START
from tests.factories.media import make_jpeg, make_mp4, make_phone_photo, make_text

# A time to pin a post to: 10:00 in Rome, 26 days after the fake clock's start.
_PIN_AT = (START + timedelta(days=26)).astimezone(ZoneInfo("Europe/Rome")).replace(
    hour=10, minute=0)
PIN = _PIN_AT.strftime("%Y-%m-%d %H:%M")
PIN_UTC = _PIN_AT.astimezone(UTC).isoformat()


def media_files(home: Path) -> list[Path]:
    root = home / "media"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def count_posts(app: App) -> int:
    with app.store.read() as db:
        return db.scalar(select(func.count()).select_from(Post)) or 0


def test_init_then_add_list_show(run, home: Path, tmp_path: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome", "--slots",
               "mon 09:30, wed 18:00, fri 12:00").exit_code == 0
    assert (home / "config.toml").exists()
    photo = make_jpeg(tmp_path / "telaio.jpg", size=(1080, 1080))
    result = run("post", "add", "La lana arriva dalla Val di Fiemme", "--photo", str(photo),
                 "--alt", "Il telaio", "--to", "facebook,instagram,x")
    assert result.exit_code == 0, result.output
    assert "Added post 1" in result.output
    assert "facebook: ready as it is" in result.output
    listing = json.loads(run("post", "list", "--json").output)
    assert [row["id"] for row in listing] == [1]
    assert listing[0]["targets"] == ["facebook", "instagram", "x"]
    assert listing[0]["photos"] == 1 and listing[0]["videos"] == 0
    assert listing[0]["planned_at"] is not None
    shown = json.loads(run("post", "show", "1", "--json").output)
    assert shown["media"][0]["alt"] == "Il telaio"
    assert shown["text"].startswith("La lana")
    assert set(shown["verdicts"]) == {"facebook", "instagram", "x"}
    assert shown["deliveries"] == []


def test_same_photo_twice_is_stored_once(run, home: Path, tmp_path: Path) -> None:
    run("init", "--timezone", "Europe/Rome")
    photo = make_jpeg(tmp_path / "a.jpg", size=(800, 800))
    assert run("post", "add", "one", "--photo", str(photo), "--to", "x").exit_code == 0
    copy = tmp_path / "copy of a.jpg"
    copy.write_bytes(photo.read_bytes())
    assert run("post", "add", "two", "--photo", str(copy), "--to", "x").exit_code == 0
    assert len(media_files(home)) == 1
    photo.unlink()
    copy.unlink()
    # The queue does not depend on the originals.
    assert run("post", "show", "1").exit_code == 0


def test_bad_inputs_change_nothing(run, home: Path, tmp_path: Path, app: App) -> None:
    good = make_jpeg(tmp_path / "good.jpg", size=(800, 800))
    mislabelled = make_mp4(tmp_path / "clip.jpg")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = make_text(tmp_path / "notes.jpg")
    (tmp_path / "però è così").mkdir()
    accented = make_jpeg(tmp_path / "però è così" / "foto del telaio.jpg", size=(50, 50))
    cases = [
        (["post", "add"], "no terminal to open an editor in"),
        (["post", "add", ""], "needs some text"),
        (["post", "add", "hi", "--photo", str(tmp_path / "missing.jpg")], "not found"),
        (["post", "add", "hi", "--photo", str(mislabelled)], "video"),
        (["post", "add", "hi", "--photo", str(empty)], "empty"),
        (["post", "add", "hi", "--photo", str(text)], "notes.jpg"),
        (["post", "add", "hi", "--to", "myspace"], "facebook, instagram, x"),
        (["post", "add", "x" * 300, "--to", "x"], "--text-x"),
        (["post", "add", "hi", "--to", "instagram"], "Instagram"),
        (["post", "add", "hi", "--photo", str(good), "--alt", "a", "--alt", "b"], "--alt"),
        (["post", "add", "hi", "--at", "2020-01-01 10:00"], "already passed"),
        (["post", "add", "hi", "--at", "tomorrow-ish"], "year-month-day hours:minutes"),
    ]
    for args, words in cases:
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert words.lower() in result.output.lower(), (args, result.output)
        assert "Traceback" not in result.output
    assert count_posts(app) == 0
    assert media_files(home) == []
    # An accented folder with spaces is fine.
    assert run("post", "add", "ok", "--photo", str(accented), "--to", "x").exit_code == 0


def test_oversized_file_is_refused_before_copying(run, home: Path, tmp_path: Path,
                                                  app: App) -> None:
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as fh:
        fh.truncate(2 * 1024**3)
    result = run("post", "add", "big", "--video", str(huge), "--to", "facebook")
    assert result.exit_code == 1
    assert "GB" in result.output
    assert media_files(home) == []
    assert count_posts(app) == 0


def test_interrupted_add_leaves_no_row_and_no_file(run, home: Path, tmp_path: Path,
                                                   app: App, monkeypatch) -> None:
    video = make_mp4(tmp_path / "tessitura.mp4", seconds=1.0)
    from posts.media import store as media_store

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(media_store, "_write_chunk", interrupted)
    result = run("post", "add", "Come nasce una sciarpa", "--video", str(video),
                 "--to", "facebook")
    assert result.exit_code == 130
    assert "Nothing was changed" in result.output
    assert media_files(home) == []
    assert count_posts(app) == 0


def test_ctrl_c_after_the_post_was_saved_says_so(run, tmp_path: Path, app: App,
                                                  monkeypatch) -> None:
    """Ctrl-C while the post added is being shown: it is saved, and the message must
    not claim that nothing was changed."""
    from costanza.services import posts as services

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "_post_row", interrupted)
    result = run("post", "add", "Come nasce una sciarpa", "--to", "facebook")
    assert result.exit_code == 130
    assert "Nothing was changed" not in result.output
    assert "only after a change had been saved" in result.output
    assert count_posts(app) == 1


def test_database_failure_after_copy_removes_the_new_file(run, home: Path, tmp_path: Path,
                                                          app: App, monkeypatch) -> None:
    photo = make_phone_photo(tmp_path / "phone.jpg")
    from posts import queue

    def broken_insert(*args, **kwargs):  # type: ignore[no-untyped-def]
        from config.errors import StoreError

        raise StoreError("The database could not be written.")

    monkeypatch.setattr(queue, "_insert", broken_insert)
    result = run("post", "add", "phone", "--photo", str(photo), "--to", "x")
    assert result.exit_code == 1
    assert media_files(home) == []
    with app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(Media)) == 0


def test_a_commit_that_fails_removes_the_new_file(run, home: Path, tmp_path: Path,
                                                 app: App) -> None:
    """The rows are written, then the commit itself is refused (a deferred constraint
    stands in for a disk that fails at the last moment): no row, no file."""
    photo = make_phone_photo(tmp_path / "phone.jpg")
    with app.store.engine.begin() as conn:
        if app.store.is_sqlite:
            conn.exec_driver_sql("CREATE TABLE nowhere (id INTEGER PRIMARY KEY)")
            conn.exec_driver_sql("CREATE TABLE commit_guard (post_id INTEGER REFERENCES "
                                 "nowhere(id) DEFERRABLE INITIALLY DEFERRED)")
            conn.exec_driver_sql("CREATE TRIGGER refuse_at_commit AFTER INSERT ON posts "
                                 "BEGIN INSERT INTO commit_guard VALUES (NEW.id); END")
        else:
            conn.exec_driver_sql("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql "
                                 "AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$")
            conn.exec_driver_sql("CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON "
                                 "posts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                                 "EXECUTE FUNCTION refuse()")
    result = run("post", "add", "phone", "--photo", str(photo), "--to", "x")
    assert result.exit_code == 1
    assert media_files(home) == []
    assert count_posts(app) == 0
    with app.store.read() as db:
        assert db.scalar(select(func.count()).select_from(Media)) == 0


def test_list_all_prints_queued_posts_as_the_plain_list_does(run, tmp_path: Path,
                                                              app: App) -> None:
    photo = make_phone_photo(tmp_path / "phone.jpg")
    assert run("post", "add", "La lana grezza", "--to", "x").exit_code == 0
    assert run("post", "add", "Il telaio", "--photo", str(photo), "--to", "x,facebook",
               "--at", PIN).exit_code == 0
    plain = run("post", "list").output
    assert "(pinned)" in plain and "1 photo" in plain and "La lana grezza" in plain
    assert run("post", "list", "--all").output == plain


def test_edit_move_top_remove_replan(run, app: App) -> None:
    for text in ("first", "second", "third"):
        assert run("post", "add", text, "--to", "x").exit_code == 0

    def order() -> list[int]:
        return [row["id"] for row in json.loads(run("post", "list", "--json").output)]

    assert order() == [1, 2, 3]
    assert run("post", "move", "3", "--to", "1").exit_code == 0
    assert order() == [3, 1, 2]
    assert run("post", "add", "urgent", "--to", "x", "--top").exit_code == 0
    assert order() == [4, 3, 1, 2]
    assert run("post", "remove", "3").exit_code == 0
    assert order() == [4, 1, 2]
    first_slot = json.loads(run("post", "list", "--json").output)[0]["planned_at"]
    assert run("post", "edit", "1", "--text", "first, edited", "--at", PIN).exit_code == 0
    rows = json.loads(run("post", "list", "--json").output)
    assert rows[0]["planned_at"] == first_slot  # post 4 keeps the first slot
    pinned = next(r for r in rows if r["id"] == 1)
    assert pinned["text"] == "first, edited"
    assert pinned["planned_at"] == PIN_UTC
    assert run("post", "edit", "9", "--text", "nope").exit_code == 1
    assert run("post", "remove", "9").exit_code == 1
    assert run("post", "edit", "2", "--text", "y" * 400).exit_code == 1
    assert json.loads(run("post", "show", "2", "--json").output)["text"] == "second"


def test_a_move_past_the_end_puts_it_last_and_says_so(run, app: App) -> None:
    for text in ("first", "second", "third"):
        assert run("post", "add", text, "--to", "x").exit_code == 0
    result = run("post", "move", "1", "--to", "99999999999999999999999")
    assert result.exit_code == 0, result.output
    assert "Post 1 is now last in the queue (number 3)" in result.output
    assert [row["id"] for row in json.loads(run("post", "list", "--json").output)] == [2, 3, 1]
    result = run("post", "move", "1", "--to", "2")
    assert "Post 1 is now number 2 in the queue and goes out" in result.output


def test_commands_before_init_say_what_to_do(run) -> None:
    result = run("post", "list")
    assert result.exit_code == 1
    assert "costanza init" in result.output


def test_init_refuses_to_overwrite_without_force(run, home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("init", "--timezone", "Asia/Tokyo")
    assert result.exit_code == 1 and "--force" in result.output
    assert "Europe/Rome" in run("cadence", "show").output
    assert run("init", "--force", "--timezone", "Asia/Tokyo").exit_code == 0
    assert "Asia/Tokyo" in run("cadence", "show").output


def test_bad_setting_names_key_file_and_allowed(run, home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    (home / "config.toml").write_text('[daemon]\ngrace_period = "soon"\n')
    result = run("queue")
    assert result.exit_code == 1
    assert "daemon.grace_period" in result.output
    assert "config.toml" in result.output
    assert '"2h"' in result.output


def test_profiles_keep_separate_queues(run, home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("--profile", "caseificio", "init", "--timezone", "America/New_York",
                 "--slots", "tue 08:00")
    assert result.exit_code == 0, result.output
    assert run("post", "add", "Lana", "--to", "x").exit_code == 0
    assert run("--profile", "caseificio", "post", "add", "Formaggio", "--to",
               "facebook").exit_code == 0
    wool = json.loads(run("post", "list", "--json").output)
    cheese = json.loads(run("--profile", "caseificio", "post", "list", "--json").output)
    assert [r["text"] for r in wool] == ["Lana"]
    assert [r["text"] for r in cheese] == ["Formaggio"]
    assert "Tue 08:00" in run("--profile", "caseificio", "cadence", "show").output
    assert run("--profile", "nobody", "post", "list").exit_code == 1
    again = run("--profile", "caseificio", "init")
    assert again.exit_code == 1 and "caseificio" in again.output


def test_queue_counts_every_post_and_shows_the_first_twenty(run, home: Path,
                                                            tmp_path: Path) -> None:
    """Only the posts shown are read in full; the count and the runway cover them all."""
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    photo = make_phone_photo(tmp_path / "telaio.jpg")
    for i in range(25):
        extra = ["--photo", str(photo)] if i == 3 else []
        targets = "x" if i % 2 else "facebook,x"
        assert run("post", "add", f"Storia {i}", "--to", targets, *extra).exit_code == 0
    assert run("post", "move", "25", "--to", "1").exit_code == 0
    queue = json.loads(run("queue", "--json").output)
    assert queue["queued"] == 25
    entries = queue["entries"]
    assert len(entries) == 20
    assert [e["post_id"] for e in entries] == [25, *range(1, 20)]
    assert [e["excerpt"] for e in entries[:3]] == ["Storia 24", "Storia 0", "Storia 1"]
    assert entries[0]["targets"] == ["facebook", "x"] and entries[2]["targets"] == ["x"]
    listed = json.loads(run("post", "list", "--json").output)
    assert [r["planned_at"] for r in listed[:20]] == [e["at"] for e in entries]
    assert queue["runs_dry_at"] == listed[-1]["planned_at"]


def test_listing_commands_stay_light(home: Path) -> None:
    """Commands that do not publish never import the publishing or media libraries."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, COSTANZA_HOME=str(home))
    subprocess.run([sys.executable, "-m", "costanza", "init", "--timezone", "Europe/Rome"],
                   env=env, check=True, capture_output=True)
    heavy = ("tweepy", "facebook", "av", "apscheduler", "PIL", "boto3")
    for args in (["post", "list"], ["queue"], ["status"], ["cadence", "show"],
                 ["post", "list", "--json"]):
        out = subprocess.run([sys.executable, "-X", "importtime", "-m", "costanza", *args],
                             env=env, capture_output=True, text=True, check=True)
        loaded = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines()
                  if line.startswith("import time:")}
        assert not loaded & set(heavy), (args, loaded & set(heavy))


def test_init_force_keeps_the_time_zone_it_is_not_given(run, home: Path) -> None:
    assert run("init", "--timezone", "Asia/Kolkata").exit_code == 0
    assert run("init", "--force").exit_code == 0
    assert "Asia/Kolkata" in run("cadence", "show").output


def test_pause_from_now_and_with_dates_then_resume(run, home: Path) -> None:
    run("init", "--timezone", "Europe/Rome")
    result = run("pause")
    assert result.exit_code == 0, result.output
    assert "until you run `costanza resume`" in result.output
    queue = json.loads(run("queue", "--json").output)
    assert len(queue["pauses"]) == 1 and queue["pauses"][0]["until"] is None
    assert run("resume").output.startswith("Publishing resumed: posts go out again")
    assert run("resume").output.strip() == ("Nothing is paused right now, so nothing was "
                                            "changed.")
    result = run("pause", "--from", "2099-08-08", "--until", "2099-08-24")
    assert result.exit_code == 0, result.output
    assert "Paused from Sat 08 Aug 00:00 until Tue 25 Aug 00:00." in result.output
    result = run("pause", "--from", "2099-08-24", "--until", "2099-08-08")
    assert result.exit_code == 1
    assert "The pause ends before it starts" in result.output


def test_a_bad_keep_originals_is_refused(run, home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    (home / "config.toml").write_text('[media]\nkeep_originals = "a month"\n')
    result = run("queue")
    assert result.exit_code == 1
    assert "media.keep_originals" in result.output
    assert "config.toml" in result.output
    assert '"never"' in result.output


def test_status_shows_the_media_store_size(run, home: Path) -> None:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("status")
    assert result.exit_code == 0
    assert "Media store: 0.0 MB of originals, 0.0 MB of converted copies." in result.output
    data = json.loads(run("status", "--json").output)
    assert data["media_store"]["originals_bytes"] == 0 and data["media_store"]["due_at"] is None
