"""Modal screens: every host's version (`v`)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..model import Host, HostStatus


class VersionsScreen(ModalScreen[None]):
    """Every host's version, availability and install command."""

    BINDINGS = [Binding("escape,v,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    VersionsScreen { align: center middle; }
    VersionsScreen > Vertical { width: 90%; height: auto;
                                border: round $accent; padding: 0 1; background: $surface; }
    """

    def __init__(self, hosts: list[Host], statuses: dict[str, HostStatus]) -> None:
        super().__init__()
        self.hosts, self.statuses = hosts, statuses

    def compose(self) -> ComposeResult:
        table = Table(title="Hosts", expand=False)
        table.add_column("host", style="bold")
        table.add_column("version / why unavailable")
        table.add_column("install")
        for host in self.hosts:
            s = self.statuses.get(host.name)
            if s is None:
                table.add_row(host.name, "starting…", "")
            elif s.available:
                table.add_row(host.name, s.version, "")
            else:
                table.add_row(host.name, f"[dim]unavailable: {s.reason}[/]", s.install)
        with Vertical():
            yield Static(table)
            yield Static("[dim]esc to close[/]")
