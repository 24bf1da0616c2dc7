# shellcheck shell=bash
# Shared paths and helpers for the project's scripts. Sourced, never executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"                 # git-ignored: venv, database cluster, logs, filestore
VENV="$ROOT/.venv"
# The cluster lives in .local unless bin/setup found .local unreachable for the cluster's owner or its
# path too long for a unix socket; then .local/pg.env names the folder used instead.
PG_BASE="$LOCAL"
# shellcheck disable=SC1091
[ -f "$LOCAL/pg.env" ] && source "$LOCAL/pg.env"
PGDATA_DIR="$PG_BASE/pgdata"
PGRUN_DIR="$PG_BASE/pgrun"           # unix socket directory, no TCP port is opened
PGLOG="$PGRUN_DIR/postgresql.log"
PG_PORT="${AR_PG_PORT:-5432}"        # only names the socket file inside $PGRUN_DIR
DB_USER="odoo"
ODOO_CONF="$LOCAL/odoo.conf"
ODOO_DEFAULT_SRC="/opt/odoo/19.0"
ODOO_ARCHIVE_URL="${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz}"
AR_ADDONS="ar_automation,ar_dunning,ar_bank_psd2,ar_portal"
# bin/setup's wkhtmltopdf with patched Qt (prints headers and footers) goes before the system's.
[ -x "$LOCAL/wkhtmltox/bin/wkhtmltopdf" ] && export PATH="$LOCAL/wkhtmltox/bin:$PATH"

die() { echo "error: $*" >&2; exit 1; }
info() { echo "==> $*" >&2; }

# The unprivileged system user that owns the cluster when we run as root.
pg_os_user() {
    if [ "$(id -u)" != 0 ]; then id -un; return; fi
    for u in postgres odoo nobody; do
        if id "$u" >/dev/null 2>&1; then echo "$u"; return; fi
    done
    die "running as root and no unprivileged user (postgres) exists to own the PostgreSQL cluster: create one with 'useradd -r postgres'"
}

as_pg_user() {
    local user; user="$(pg_os_user)"
    if [ "$(id -u)" = 0 ]; then
        # runuser keeps no root privileges; cd / so an unreadable cwd is no problem
        (cd / && runuser -u "$user" -- "$@")
    else
        "$@"
    fi
}

pg_bindir() {
    local d
    if [ -n "${PG_BINDIR:-}" ]; then
        [ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ] \
            || die "PG_BINDIR=$PG_BINDIR holds no PostgreSQL server binaries (initdb, pg_ctl): install PostgreSQL >= 13 (apt-get install postgresql) or fix PG_BINDIR"
        echo "$PG_BINDIR"; return
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        if [ -x "$d/initdb" ]; then echo "$d"; return; fi
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
        if [ -x "$d/initdb" ]; then echo "$d"; return; fi
    done
    if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
    die "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL >= 13 (Debian/Ubuntu: apt-get install postgresql) or set PG_BINDIR"
}

pg_is_running() {
    [ -f "$PGDATA_DIR/postmaster.pid" ] && as_pg_user "$(pg_bindir)/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

# Odoo's source: ODOO_SRC, else the default location, else the official archive unpacked into .local.
odoo_src() {
    local src
    if [ -n "${ODOO_SRC:-}" ]; then
        src="$ODOO_SRC"
        check_odoo_src "$src" "ODOO_SRC=$src"
    elif [ -d "$ODOO_DEFAULT_SRC" ]; then
        src="$ODOO_DEFAULT_SRC"
        check_odoo_src "$src" "$src"
    else
        src="$LOCAL/odoo-src"
        [ -f "$src/odoo-bin" ] || fetch_odoo_archive "$src"
        check_odoo_src "$src" "$src"
    fi
    echo "$src"
}

check_odoo_src() {
    local src="$1" what="$2" major
    [ -d "$src" ] || die "$what is not a folder: point ODOO_SRC at an Odoo 19.0 source tree (the folder holding odoo-bin)"
    [ -f "$src/odoo-bin" ] && [ -f "$src/odoo/release.py" ] \
        || die "$what is not an Odoo source tree (no odoo-bin or odoo/release.py): point ODOO_SRC at an Odoo 19.0 source tree"
    major="$(sed -n 's/^version_info = (\([0-9]*\),.*/\1/p' "$src/odoo/release.py")"
    [ "$major" = 19 ] || die "$what holds Odoo ${major:-of unknown version}, not 19.0: point ODOO_SRC at an Odoo 19.0 source tree"
    [ -d "$src/addons/account" ] || die "$what has no addons/account: the Odoo 19.0 source tree is incomplete"
}

fetch_odoo_archive() {
    local dest="$1" tmp
    info "Odoo 19.0 not found in ODOO_SRC or $ODOO_DEFAULT_SRC: downloading Odoo's official source archive"
    mkdir -p "$LOCAL"
    tmp="$(mktemp -d "$LOCAL/odoo-dl.XXXX")"
    if ! curl -fsSL --max-time 900 -o "$tmp/odoo.tar.gz" "$ODOO_ARCHIVE_URL"; then
        rm -rf "$tmp"
        die "could not download $ODOO_ARCHIVE_URL: put Odoo 19.0's source at $ODOO_DEFAULT_SRC or set ODOO_SRC"
    fi
    mkdir -p "$tmp/x" && tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/x" --strip-components=1
    rm -rf "$dest" && mv "$tmp/x" "$dest" && rm -rf "$tmp"
}
