"""Opening the database: engine, sessions, migrations.

SQLite runs in WAL mode with a busy timeout, and every write transaction
starts with ``BEGIN IMMEDIATE`` so that the command line and a running daemon
can both write without "database is locked" surprises. PostgreSQL is used
as is. Alembic migrations are applied on first use and after an upgrade.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

from config.errors import StoreError
from config.i18n import _

MIGRATIONS = Path(__file__).with_name("migrations")
_migrated: set[str] = set()
DEFAULT_CONNECTIONS = 5  # kept open; a command line needs one, the daemon asks for more
OVERFLOW = 4  # opened beyond those for a moment when all are busy
_migrate_lock = threading.Lock()
# A pooled PostgreSQL connection idle this long is checked before use (the server may
# have restarted meanwhile); one in steady use is not, which saves a round trip for
# every transaction of a busy daemon. A connection that breaks while in steady use
# fails once, and the pool then replaces every connection it holds.
PING_AFTER_IDLE = 5.0


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception:
            alive = False
        if not alive:
            raise DisconnectionError("the database connection was closed")  # a new one


def _sqlite_setup(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")  # a committed intent survives power loss
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def forget_migrated() -> None:
    """Forget which databases were checked (tests that drop and re-create databases)."""
    with _migrate_lock:
        _migrated.clear()


class Store:
    """The database of one Costanza home."""

    def __init__(self, url: str, busy_timeout_ms: int = 10_000, migrate: bool = True) -> None:
        self.url = url
        self.busy_timeout_ms = busy_timeout_ms
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.connections = DEFAULT_CONNECTIONS
        self.engine = self._make_engine(self.connections)
        self._sessionmaker: Any = None
        self._write_turn: Any = threading.RLock() if self.is_sqlite else contextlib.nullcontext()
        self.committed_writes = 0  # write transactions committed through ``write``
        if migrate:
            self.migrate()

    def _make_engine(self, connections: int) -> Engine:
        parsed = make_url(self.url)
        kwargs: dict[str, Any] = {"pool_size": connections, "max_overflow": OVERFLOW}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": self.busy_timeout_ms / 1000,
                                      "check_same_thread": False}
        try:
            engine = create_engine(self.url, **kwargs)
        except ImportError:  # the address names a driver that is not installed
            if parsed.get_backend_name() == "postgresql":
                raise StoreError(_(
                    "Costanza needs the PostgreSQL driver to use the database address "
                    "{address}, and it is not installed. Install it with "
                    "`pip install 'costanza[postgres]'`, then run the command again."
                ).format(address=repr(parsed))) from None
            raise StoreError(_(
                "Costanza cannot use the database address {address}: its driver is not "
                "installed. Install the driver, or use another address."
            ).format(address=repr(parsed))) from None
        except Exception as exc:  # bad driver name...
            raise StoreError(_(
                "Costanza cannot use the database address {address}: {error}"
            ).format(address=repr(parsed), error=exc)) from None
        if self.is_sqlite:
            _sqlite_setup(engine, self.busy_timeout_ms)
        else:
            _ping_after_idle(engine, PING_AFTER_IDLE)
        return engine

    def use_connections(self, connections: int) -> None:
        """Keep up to ``connections`` database connections open (the daemon: one per
        publishing thread, plus its own). Call it before the store is shared by threads."""
        if connections <= self.connections:
            return
        self.engine.dispose()
        self.connections = connections
        self.engine = self._make_engine(connections)
        self._sessionmaker = None

    # -- transactions ---------------------------------------------------
    def _sessions(self) -> Session:
        # The ORM is imported on first use: fast read paths use Core only.
        if self._sessionmaker is None:
            from sqlalchemy.orm import sessionmaker

            self._sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessionmaker()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read session; closing it ends the transaction. Objects loaded in it stay
        readable afterwards (detached, not expired)."""
        with self._sessions() as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: BEGIN IMMEDIATE on SQLite, committed at the end.

        On SQLite the threads of one process also take turns on a lock of their own:
        SQLite lets a blocked writer sleep and poll (up to 100 ms a time), while this
        lock hands the turn over the moment the previous writer commits.
        """
        with self._write_turn, self._sessions() as session:
            session.connection(execution_options={"write": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            self.committed_writes += 1

    @contextlib.contextmanager
    def one_statement(self) -> Iterator[Session]:
        """A session for a single statement that needs no transaction around it. On
        PostgreSQL it runs in autocommit (atomic by itself, and no BEGIN and COMMIT round
        trips); on SQLite it is a write transaction. Never run two writes in it."""
        if self.is_sqlite:
            with self.write() as session:
                yield session
            return
        from sqlalchemy.orm import Session

        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            with Session(bind=conn) as session:
                yield session

    # -- schema -----------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema up to date (once per process and database)."""
        with _migrate_lock:
            if self.url in _migrated:
                return
            if self._at_head():
                _migrated.add(self.url)
                return
            from alembic import command
            from alembic.config import Config

            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["engine"] = self.engine
            try:
                command.upgrade(cfg, "head")
            except OperationalError as exc:
                raise StoreError(_(
                    "The database could not be prepared ({error}). "
                    "Check that its folder exists and is writable."
                ).format(error=exc.orig)) from None
            _migrated.add(self.url)

    def _at_head(self) -> bool:
        """True when the schema is at the newest revision (a cheap check, no Alembic)."""
        from sqlalchemy import text

        from posts.migrations import HEAD

        try:
            with self.engine.connect() as conn:
                version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return False
        return version == HEAD

    def has_tables(self) -> bool:
        return inspect(self.engine).has_table("profiles")

    def dispose(self) -> None:
        self.engine.dispose()
