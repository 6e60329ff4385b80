"""Create the project's virtual environment with nothing but python3 (standard library only).

Debian's python3 has no `ensurepip` unless python3-venv is installed. When it is missing we make
the environment without pip and bootstrap a pinned, hash-checked pip wheel from PyPI.
"""

import hashlib
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

PIP_URL = (
    "https://files.pythonhosted.org/packages/44/3c/d717024885424591d5376220b5e836c2d5293ce2011523c9de23ff7bf068/"
    "pip-25.3-py3-none-any.whl"
)
PIP_SHA256 = "9655943313a94722b7774661c21049070f6bbb0a1516bf02f7c8d5d9201514cd"


def main(target: str) -> int:
    env_dir = Path(target)
    python = env_dir / "bin" / "python"
    if (
        python.exists()
        and subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode == 0
    ):
        return 0
    if sys.version_info < (3, 11):
        print(
            f"Lantern needs Python 3.11 or newer; this is {sys.version.split()[0]}.",
            file=sys.stderr,
        )
        return 1
    try:
        venv.create(env_dir, with_pip=True, clear=True)
        return 0
    except (subprocess.CalledProcessError, OSError) as error:
        print(f"ensurepip is not available ({error}); bootstrapping pip from PyPI", file=sys.stderr)
    venv.create(env_dir, with_pip=False, clear=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = Path(tmp) / PIP_URL.rsplit("/", 1)[1]
        with urllib.request.urlopen(PIP_URL, timeout=120) as response:
            data = response.read()
        if hashlib.sha256(data).hexdigest() != PIP_SHA256:
            print("The downloaded pip wheel does not match its pinned hash", file=sys.stderr)
            return 1
        wheel.write_bytes(data)
        subprocess.run(
            [python, str(wheel / "pip"), "install", "--no-index", str(wheel)], check=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".venv"))
