"""A PostgreSQL address without psycopg installed says which package to install."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The one place faking is acceptable: psycopg is installed here, so its absence is
# simulated by a None entry in sys.modules before Costanza starts.
RUN = ("import sys; sys.modules['psycopg'] = None; sys.modules['psycopg2'] = None; "
       "from costanza.cli.main import main; sys.argv = ['costanza'] + sys.argv[1:]; main()")


def test_postgres_url_without_driver_says_what_to_install(tmp_path: Path) -> None:
    env = {**os.environ, "COSTANZA_HOME": str(tmp_path / "home"),
           "COSTANZA_DATABASE_URL": "postgresql+psycopg://costanza:s3cret@127.0.0.1/costanza"}
    result = subprocess.run([sys.executable, "-c", RUN, "init", "--timezone", "Europe/Rome"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "pip install 'costanza[postgres]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected problem" not in result.stderr
    assert "s3cret" not in result.stderr
