# Sourced by bench/smoke.sh and bench/run.sh: `ensure_venv` makes bench/.venv hold the pinned
# peers of bench/requirements.txt and sets PY to its python.  Installs python3-venv with apt-get
# when the venv module is missing (Debian ships python3 without it).  `ensure_venv DIR FILE`
# does the same for another folder and requirements file (tests/imports/setup.sh).

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
  local venv=${1:-$VENV} requirements=${2:-bench/requirements.txt}
  local py=$venv/bin/python
  if [ ! -x "$py" ] || ! "$py" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    if ! python3 -m venv "$venv" 2>/dev/null; then
      echo "python3 -m venv failed; installing python3-venv" >&2
      rm -rf "$venv"
      apt_install python3-venv
      python3 -m venv "$venv"
    fi
  fi
  # Reinstall only when the requirements changed since the last install.
  if ! cmp -s "$requirements" "$venv/requirements.installed"; then
    "$py" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.installed"
  fi
}
