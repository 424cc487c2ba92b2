# Sourced by bench/smoke.sh and bench/run.sh: `ensure_venv` makes bench/.venv hold the pinned
# peers of bench/requirements.txt and sets PY to its python.  Installs python3-venv with apt-get
# when the venv module is missing (Debian ships python3 without it).

VENV=bench/.venv
PY=$VENV/bin/python

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

ensure_venv() {
  if [ ! -x "$PY" ] || ! "$PY" -c 'import sys' 2>/dev/null; then
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
      echo "python3 -m venv failed; installing python3-venv" >&2
      rm -rf "$VENV"
      apt_install python3-venv
      python3 -m venv "$VENV"
    fi
  fi
  # Reinstall only when requirements.txt changed since the last install.
  if ! cmp -s bench/requirements.txt "$VENV/requirements.installed"; then
    "$PY" -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
    cp bench/requirements.txt "$VENV/requirements.installed"
  fi
}
