"""`costanza service install`: a systemd unit written from this installation's real paths.

A unit copied from a template breaks on the first difference (the executable is not in
/usr/local/bin, the data is not in /var/lib/costanza, the user is not "costanza"). This
one is written from what is running: the `costanza` executable itself (or this Python
with ``-m costanza``), the settings and data folders in use, the user who runs the
command, and the secrets file handed over as a credential.
"""

from __future__ import annotations

import getpass
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from config.errors import InputError, NotSetUp, os_reason
from config.i18n import _
from config.secrets import BUNDLE_CREDENTIAL as SECRETS_CREDENTIAL
from costanza.app import App

SYSTEM_FOLDER = Path("/etc/systemd/system")


@dataclass(frozen=True)
class Unit:
    path: Path  # where it is installed
    text: str
    user_unit: bool

    @property
    def systemctl(self) -> str:
        return "systemctl --user" if self.user_unit else "sudo systemctl"

    @property
    def journal(self) -> str:
        return "journalctl --user -u costanza" if self.user_unit else "journalctl -u costanza"


def executable(argv0: str, python: str = sys.executable) -> list[str]:
    """The command that starts Costanza: the `costanza` script that runs now, if it is
    one, else this Python with ``-m costanza`` (a run through ``python -m costanza``)."""
    path = Path(argv0)
    if path.name == "costanza":
        found = path if path.is_absolute() or os.sep in argv0 else None
        if found is None:
            import shutil

            which = shutil.which(argv0)
            found = Path(which) if which else None
        if found is not None and found.is_file() and os.access(found, os.X_OK):
            return [str(found.absolute())]
    return [str(Path(python).absolute()), "-m", "costanza"]


def _quote(value: str) -> str:
    """A value as systemd reads it: quoted when it holds spaces or quotes."""
    if value and not any(c in value for c in " \t\"'\\"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_unit(app: App, *, user_unit: bool, command: list[str],
               config_given: str | None = None, env: dict[str, str] | None = None,
               user: str | None = None) -> Unit:
    """The unit for this installation, not yet written anywhere."""
    env = dict(os.environ) if env is None else env
    if not app.is_set_up():
        raise NotSetUp(_("Costanza is not set up yet. Run `costanza init` first, then "
                         "`costanza service install`."))
    home = app.settings.home
    exec_start = [*command]
    if config_given:
        exec_start += ["--config", str(Path(config_given).absolute())]
    exec_start.append("daemon")
    data, media = home.data_dir.absolute(), app.settings.media_dir.absolute()
    writable = [data] if media.is_relative_to(data) else [data, media]
    # A private /tmp would hide a home kept under /tmp from the service.
    private_tmp = not any(p.is_relative_to(t) for p in writable
                          for t in (Path("/tmp"), Path("/var/tmp")))
    lines = [
        "# " + _("Written by `costanza service install` for this installation."),
        "[Unit]",
        "Description=Costanza social-media scheduler",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=notify",
        "NotifyAccess=main",
    ]
    if not user_unit:
        lines.append(f"User={user or getpass.getuser()}")
    if env.get("COSTANZA_HOME"):
        lines.append("Environment=" + _quote(f"COSTANZA_HOME={home.data_dir.absolute()}"))
    lines.append("ExecStart=" + " ".join(_quote(part) for part in exec_start))
    if home.secrets_file.is_file():
        lines.append("LoadCredential=" + _quote(
            f"{SECRETS_CREDENTIAL}:{home.secrets_file.absolute()}"))
    lines += [
        "WatchdogSec=120",
        "Restart=on-failure",
        "RestartSec=10",
        "TimeoutStopSec=300",
        "KillMode=mixed",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        # "-": a folder not made yet (the media folder before the first post) is no error.
        "ReadWritePaths=" + " ".join(_quote(f"-{p}") for p in writable),
        *(["PrivateTmp=yes"] if private_tmp else []),
        "",
        "[Install]",
        f"WantedBy={'default.target' if user_unit else 'multi-user.target'}",
        "",
    ]
    folder = (Path(env.get("XDG_CONFIG_HOME") or Path(env.get("HOME", "~")) / ".config")
              .expanduser() / "systemd" / "user") if user_unit else SYSTEM_FOLDER
    return Unit(path=folder / "costanza.service", text="\n".join(lines), user_unit=user_unit)


def install(unit: Unit) -> None:
    """Write the unit where systemd looks for it."""
    try:
        unit.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = unit.path.with_name(unit.path.name + ".part")
        tmp.write_text(unit.text, encoding="utf-8")
        tmp.replace(unit.path)
    except PermissionError:
        if unit.user_unit:
            raise InputError(_("Costanza may not write {path}. Nothing was installed.")
                             .format(path=unit.path)) from None
        raise InputError(_("Costanza may not write {path}. Run it with sudo, or install it "
                           "for your own user with `costanza service install --user`. "
                           "Nothing was installed.").format(path=unit.path)) from None
    except OSError as exc:
        raise InputError(_("The unit could not be written to {path} "
                           "({reason}). Nothing was installed.")
                         .format(path=unit.path, reason=os_reason(exc))) from None


def next_steps(unit: Unit) -> list[str]:
    """What to type after the unit is in place."""
    linger = ([f"loginctl enable-linger {shlex.quote(getpass.getuser())}   # "
               + _("keeps it running after you log out")] if unit.user_unit else [])
    return [f"{unit.systemctl} daemon-reload",
            f"{unit.systemctl} enable --now costanza",
            *linger,
            f"{unit.journal} -f   # " + _("what it says")]
