#!/bin/sh
# Prints the path of a Python >= 3.12 (on PATH first, then in pyenv), or explains and fails.
for candidate in "$PYTHON" python3.14 python3.13 python3.12 python3; do
    [ -n "$candidate" ] || continue
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
        echo "$path"; exit 0
    fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
    if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
        echo "$path"; exit 0
    fi
done
echo "allmende needs Python 3.12 or newer (Django 6 requires it), and none was found on PATH or in pyenv." >&2
echo "Install one (e.g. 'pyenv install 3.13') or point PYTHON at it: make run PYTHON=/path/to/python3.13" >&2
echo "allmende braucht Python 3.12 oder neuer; keines gefunden. Bitte installieren oder PYTHON=... angeben." >&2
exit 1
