"""Postcode lookups for a big import, made in another process while the files are checked.

The first lookup of a postcode loads the ONS directory for its first letter: about 0.2 s of CPU
a letter, and a council's placements usually span four or five letters. A big import starts a
small Python process (no Django) that looks up the Episodes table's postcodes on the second core
while this one checks the Header and Missing tables. If that process fails for any reason the
postcodes are looked up here instead, as a small import's always are: the answers are the same.
"""

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from lantern.geo import postcodes

ROOT = Path(__file__).resolve().parent.parent.parent
WAIT_SECONDS = 60


class PostcodeLookups:
    """Postcodes being looked up in another process; ``results()`` waits for the answers."""

    def __init__(self, normalised: Iterable[str]) -> None:
        self.wanted = sorted(set(normalised))
        self.process: subprocess.Popen[bytes] | None = None
        # Embedded interpreters (a uWSGI worker, say) have some other program as their
        # executable: then the lookups are made here.
        if not Path(sys.executable).name.startswith("python"):
            return
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from lantern.imports.lookups import main; main()"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(self.wanted).encode())
            self.process.stdin.close()
            self.process.stdin = None  # sent: communicate() has only to read the answer
        except (OSError, ValueError):
            self.close()

    def results(self) -> dict[str, postcodes.PostcodeInfo | None]:
        """Each postcode's place (None if unknown). Looked up here if the other process failed."""
        found: dict[str, postcodes.PostcodeInfo | None] | None = None
        if self.process is not None:
            try:
                out, _ = self.process.communicate(timeout=WAIT_SECONDS)
                if self.process.returncode == 0:
                    found = {
                        code: postcodes.PostcodeInfo(code, *place) if place else None
                        for code, place in json.loads(out).items()
                    }
            except (OSError, ValueError, TypeError, subprocess.TimeoutExpired):
                found = None
            finally:
                self.close()
        if found is None or set(found) != set(self.wanted):
            found = {code: postcodes.lookup(code) for code in self.wanted}
        return found

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


def main() -> None:
    """The other process: a JSON list of postcodes in, a JSON object of their places out."""
    wanted = json.load(sys.stdin)
    places = {}
    for code in wanted:
        info = postcodes.lookup(code)
        places[code] = (
            None if info is None else [info.lad_code, info.area_code, info.easting, info.northing]
        )
    json.dump(places, sys.stdout)
