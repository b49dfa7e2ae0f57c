"""The README's "Try it" block runs as written, in a scratch copy of the repository.

The block is taken from README.md exactly and run by bash in a copy of the
working tree (as a fresh clone would be), with a free port through the ``PORT``
variable the block itself offers. Only the first run of ``./scripts/setup`` is
spared: the copy gets a ``.venv`` that already sees the installed dependencies
(as a second run of setup would find them), so setup's pip still installs
Costanza itself, from the copy, without a minute of downloading.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from costanza.demo.sandbox.control import SandboxClient

ROOT = Path(__file__).resolve().parents[2]
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "try",
                                     ".pytest_cache", ".ruff_cache", ".hypothesis", "build",
                                     "dist", ".costanza-demo")


# The "Try it" section's heading in each README (README.it.md must show the same block:
# test_readme_italian.py checks it, so running README.md's block runs the Italian one too).
TRY_IT = {"README.md": "Try it", "README.it.md": "Prova subito"}


def try_it_block(readme: str, heading: str = TRY_IT["README.md"]) -> str:
    """The one fenced block of the README's "Try it" section."""
    section = re.search(rf"^## {re.escape(heading)}.*?(?=^## )", readme,
                        re.MULTILINE | re.DOTALL)
    assert section, f"the README has no '## {heading}' section"
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", section.group(0), re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, "the Try it section should show exactly one block"
    return str(blocks[0])


@pytest.mark.parametrize("name", list(TRY_IT))
def test_the_block_is_at_most_five_lines(name: str) -> None:
    block = try_it_block((ROOT / name).read_text(encoding="utf-8"), TRY_IT[name])
    lines = [line for line in block.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 5
    assert "${PORT:-8787}" in block  # so that a test (or a busy machine) can pick the port


def scratch_venv(folder: Path) -> None:
    """A .venv whose python sees this one's installed packages (through a .pth file)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / ".venv")],
                   check=True, timeout=120)
    purelib = Path(sysconfig.get_paths()["purelib"])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    target = folder / ".venv" / "lib" / version / "site-packages"
    (target / "costanza-try-it-deps.pth").write_text(f"{purelib}\n", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")), reason="needs bash")
def test_the_try_it_block_runs_as_written(tmp_path: Path) -> None:
    block = try_it_block((ROOT / "README.md").read_text(encoding="utf-8"))
    clone = tmp_path / "costanza"
    shutil.copytree(ROOT, clone, ignore=COPY_IGNORE)
    scratch_venv(clone)
    (clone / "try-it.sh").write_text(block, encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COSTANZA_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(PORT=str(port), HOME=str(tmp_path / "user"),
               PATH=os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                    if not p.startswith(str(ROOT))))
    out = tmp_path / "out.txt"
    with out.open("wb") as sink:
        # Its own session, so that the sandbox it leaves in the background is stopped
        # with it, by the group's id; output to a file (the sandbox keeps it open).
        shell = subprocess.Popen(["bash", "try-it.sh"], cwd=clone, env=env, stdout=sink,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = shell.wait(timeout=400)
            posts = SandboxClient(f"http://127.0.0.1:{port}").posts()
        finally:
            try:
                os.killpg(shell.pid, signal.SIGTERM)  # the group bash started: the sandbox
            except ProcessLookupError:
                pass
    text = out.read_text(encoding="utf-8", errors="replace")
    assert code == 0, text
    assert sorted(p["network"] for p in posts) == ["facebook", "instagram", "x"], text
    for post in posts:
        assert post["permalink"] in text, text  # `costanza log` printed it
    assert (clone / "try" / "config.toml").exists()  # COSTANZA_HOME stayed in the copy
    assert "sandbox-ig: Instagram account" in text
