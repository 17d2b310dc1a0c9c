"""Promote a saved model version by hand, or roll back to an earlier one.

    python -m training.promote --registry DIR --version V

Verifies the version first (every file against SHA256SUMS, library versions, trusted
types), then switches ``CURRENT`` to it atomically; running services pick it up on their
next poll or on ``POST /v1/model/reload``. Prints the previous and the new CURRENT. Exit 2,
with CURRENT untouched, for an unknown or tampered version.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from model.registry import ArtifactError, current_version, list_versions, promote

from . import config

log = logging.getLogger("training.promote")


def previous_version(registry: Path) -> str | None:
    """CURRENT before the switch; a malformed CURRENT counts as none (it is being replaced)."""
    try:
        return current_version(registry)
    except ArtifactError as error:
        log.warning("%s", error)
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.promote", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", type=Path, default=config.REGISTRY)
    parser.add_argument("--version", required=True, help="the version to make CURRENT")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    previous = previous_version(args.registry)
    try:
        promote(args.registry, args.version)
    except (ArtifactError, OSError) as error:
        newest = list_versions(args.registry)[-10:]
        log.error("not promoted, CURRENT is still %s: %s (newest versions in %s: %s)",
                  previous, error, args.registry, ", ".join(newest) or "none")
        return 2
    log.info("CURRENT was %s, is now %s", previous, args.version)
    print(f"previous CURRENT: {previous or '(none)'}", flush=True)
    print(f"new CURRENT: {args.version}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
