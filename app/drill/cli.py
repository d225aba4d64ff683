"""``flask drill graph ID``: write a drill's map as SVG for authors."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .engine import InvalidDrill, best_path, load_drill_file
from .graph import Overlay, path_nodes, render_svg

drill_cli = click.Group("drill", help="Branching scenario drills.")


@drill_cli.command("graph")
@click.argument("drill_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="SVG file to write (default: ID.svg).")
@with_appcontext
def graph(drill_id, output):
    """Draw the drill's graph (the best path dashed) as an SVG picture."""
    path = Path(current_app.config["SCENARIOS_DIR"]) / f"{drill_id}.yaml"
    if not path.is_file():
        click.echo(f"{path}: no such drill", err=True)
        sys.exit(1)
    try:
        drill = load_drill_file(path)
        overlay = Overlay(best=path_nodes(drill, best_path(drill)))
    except InvalidDrill as exc:
        click.echo(f"{exc} (run `flask content check`)", err=True)
        sys.exit(1)
    target = Path(output or f"{drill_id}.svg")
    target.write_text(render_svg(drill, overlay), encoding="utf-8")
    click.echo(f"wrote {target} ({len(drill.nodes)} nodes)")
