"""The core is reachable without the UI, and cheap to import."""

import pkgutil
import subprocess
import sys

import nnplay
import nnplay.core


def _modules(package, prefix: str) -> list[str]:
    return [prefix + m.name for m in pkgutil.iter_modules(package.__path__) if not m.ispkg]


# Every module of the core, and every top-level one but the app's package: found, not
# listed (a list written by hand had missed three).
CORE = _modules(nnplay.core, "nnplay.core.") + _modules(nnplay, "nnplay.")


def imported_after(modules):
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print(sorted(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return out


def test_core_imports_neither_textual_nor_scikit_learn():
    loaded = imported_after(CORE)
    assert "'textual'" not in loaded
    assert "'sklearn'" not in loaded
    assert "'nnplay.core.train'" in loaded  # the check looked at a real import
    assert {"nnplay.core.boundary", "nnplay.headless", "nnplay.serve", "nnplay.cli"} <= set(CORE)


def test_loading_the_digits_does_not_import_scikit_learn():
    code = "import sys; from nnplay import data; data.load('digits'); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]


def test_the_commands_entry_point_imports_nothing_before_it_handles_ctrl_c():
    # nnplay.__main__ is what the nnplay script and python -m nnplay import first: what it
    # imported would be imported with no KeyboardInterrupt handler running.
    loaded = imported_after(["nnplay.__main__"])
    assert "'numpy'" not in loaded and "'nnplay.cli'" not in loaded
    assert "'nnplay.__main__'" in loaded
