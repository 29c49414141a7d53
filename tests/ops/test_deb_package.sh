#!/usr/bin/env bash
# The Debian package, built and checked by the tools that consume it:
#   cpack -G DEB from the build directory; lintian (every tag it still reports is explained in
#   packaging/deb/lintian-overrides, shipped in the package); dpkg -i; chainidx --version,
#   man -w for every page, the bash/zsh/fish completions, the units (systemd-analyze verify with
#   the real /usr/bin/chainidx and man pages), the chainidx system user; dpkg -i again (upgrade
#   in place); dpkg -r, then dpkg -P: no file of the package is left, and the directories it
#   wrote into hold exactly what they held before.
# Installs into the real system, so it needs root (CI runs as root) and refuses to run where a
# chainidx is installed already. Needs CHAINIDX_BIN (its directory is the build directory) and
# Debian's lintian, dpkg-dev, fakeroot, file, man-db, systemd (ensure_packages).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

: "${CHAINIDX_BIN:=$CHAINIDX_ROOT/build/chainidx}"
[ -x "$CHAINIDX_BIN" ] || die "no chainidx binary at $CHAINIDX_BIN: build it (scripts/test does) or set CHAINIDX_BIN"
build_dir=$(cd "$(dirname "$CHAINIDX_BIN")" && pwd)
[ "$(id -u)" -eq 0 ] || die "this test installs a package: run it as root (id -u is $(id -u))"
for tool in cpack lintian dpkg-shlibdeps fakeroot file man systemd-analyze; do
    command -v "$tool" >/dev/null || die "$tool is missing (ensure_packages in scripts/lib/common.sh installs it)"
done
if dpkg-query -W -f='${Status}' chainidx 2>/dev/null | grep -q installed || [ -e /usr/bin/chainidx ]; then
    die "chainidx is installed on this machine already; this test would replace and then remove it"
fi

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chainidx-deb.XXXXXX")
installed=false
cleanup() {
    if $installed; then dpkg -P chainidx >/dev/null 2>&1 || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- build and lint
(cd "$build_dir" && cpack -G DEB -B "$tmp/out") >"$tmp/cpack.log" 2>&1 ||
    { cat "$tmp/cpack.log" >&2; die "cpack -G DEB failed"; }
deb=$(ls "$tmp"/out/chainidx_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$tmp/cpack.log" >&2; die "cpack made no chainidx_*.deb"; }
ok "cpack built $(basename "$deb")"
dpkg-deb -f "$deb" Depends | grep -q 'libc6' ||
    fail "Depends lacks the shared libraries (CPACK_DEBIAN_PACKAGE_SHLIBDEPS): $(dpkg-deb -f "$deb" Depends)"

# --fail-on warning: an error or warning fails; info tags are printed, and each one left is
# overridden with its reason (packaging/deb/lintian-overrides).
if lintian --fail-on error,warning --display-info --show-overrides "$deb" >"$tmp/lintian.log" 2>&1; then
    ok "lintian: no error or warning ($(grep -c '^O:' "$tmp/lintian.log" || true) tags overridden, each explained)"
else
    fail "lintian found problems"
fi
grep -v '^O:' "$tmp/lintian.log" | sed 's/^/  lintian: /' || true
if grep -Eq '^(E|W|I):' "$tmp/lintian.log"; then fail "lintian tags without an override (fix them or explain them in packaging/deb/lintian-overrides)"; fi

# ---- install
mapfile -t pkg_files < <(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#; s#/$##' | grep -v '^/\?$')
# The directories the package writes into, listed (not recursively) before it comes.
mapfile -t parent_dirs < <(for f in "${pkg_files[@]}"; do dirname "$f"; done | sort -u)
snapshot() {
    local d
    for d in "${parent_dirs[@]}"; do
        [ -d "$d" ] && find "$d" -mindepth 1 -maxdepth 1 -printf '%p\n'
    done
    # dpkg's own records of the package, and what postinst or the units could have made.
    ls -d /var/lib/dpkg/info/chainidx.* /etc/chainidx /var/lib/chainidx 2>/dev/null || true
}
snapshot | sort -u >"$tmp/before.txt"

installed=true
dpkg -i "$deb" >"$tmp/dpkg-i.log" 2>&1 || { cat "$tmp/dpkg-i.log" >&2; die "dpkg -i failed"; }
ok "dpkg -i $(basename "$deb")"

version=$(chainidx --version 2>&1) || fail "chainidx --version failed: $version"
[ "$(command -v chainidx)" = /usr/bin/chainidx ] || fail "chainidx is not /usr/bin/chainidx"
grep -qF "$(dpkg-deb -f "$deb" Version)" <<<"$version" && ok "chainidx --version: $version" ||
    fail "chainidx --version says '$version', the package is $(dpkg-deb -f "$deb" Version)"
for page in man/*.1; do
    name=$(basename "$page" .1)
    where=$(man -w "$name" 2>&1) && [ "$where" = "/usr/share/man/man1/$name.1.gz" ] ||
        fail "man -w $name: $where"
done
man chainidx 2>/dev/null | grep -q 'chainidx' || fail "man chainidx shows nothing"
ok "man -w finds all $(ls man/*.1 | wc -l) pages in /usr/share/man/man1"
for f in /usr/share/bash-completion/completions/chainidx /usr/share/zsh/vendor-completions/_chainidx \
    /usr/share/fish/vendor_completions.d/chainidx.fish; do
    [ -s "$f" ] || fail "completion $f missing"
done
bash -c '. /usr/share/bash-completion/completions/chainidx && complete -p chainidx' >/dev/null 2>&1 ||
    fail "the bash completion does not register for chainidx"
ok "bash, zsh and fish completions installed"
[ -s /usr/share/doc/chainidx/chainidx.example.toml ] || fail "the example config is not in /usr/share/doc/chainidx"
for f in chainidx-dashboard.json chainidx-alerts.yml; do
    [ -s "/usr/share/chainidx/monitoring/$f" ] || fail "$f is not in /usr/share/chainidx/monitoring"
done
promtool check rules /usr/share/chainidx/monitoring/chainidx-alerts.yml >/dev/null 2>&1 ||
    fail "promtool check rules refuses the installed chainidx-alerts.yml"
ok "the dashboard and alert rules are in /usr/share/chainidx/monitoring"

units_dir=$(dirname "$(dpkg -L chainidx | grep -m1 'systemd/system/chainidx-scan@.service$')")
inst=()
for u in chainidx-scan@.service chainidx-scan-once@.service chainidx-scan-once@.timer \
    chainidx-reconcile@.service chainidx-reconcile@.timer; do
    [ -f "$units_dir/$u" ] || fail "$u not installed"
    inst+=("$units_dir/${u/@./@ethereum.}")
done
if SYSTEMD_LOG_COLOR=0 systemd-analyze verify "${inst[@]}" >"$tmp/verify.log" 2>&1 && [ ! -s "$tmp/verify.log" ]; then
    ok "systemd-analyze verify: the installed units in $units_dir are clean"
else cat "$tmp/verify.log" >&2; fail "systemd-analyze verify on the installed units"; fi

user=$(getent passwd chainidx || true)
if [ -n "$user" ] && [ "$(cut -d: -f3 <<<"$user")" -lt 1000 ] && [[ "$(cut -d: -f7 <<<"$user")" == */nologin ]]; then
    ok "postinst made the system user: $user"
else fail "no chainidx system user with a nologin shell: '$user'"; fi

dpkg -i "$deb" >"$tmp/dpkg-i2.log" 2>&1 && ok "dpkg -i again (in place) works" ||
    { cat "$tmp/dpkg-i2.log" >&2; fail "a second dpkg -i failed"; }

# ---- remove, purge
dpkg -r chainidx >"$tmp/dpkg-r.log" 2>&1 || { cat "$tmp/dpkg-r.log" >&2; fail "dpkg -r failed"; }
[ ! -e /usr/bin/chainidx ] || fail "dpkg -r left /usr/bin/chainidx"
dpkg -P chainidx >"$tmp/dpkg-p.log" 2>&1 || { cat "$tmp/dpkg-p.log" >&2; fail "dpkg -P failed"; }
installed=false
left=()
for f in "${pkg_files[@]}"; do
    [ -f "$f" ] || [ -L "$f" ] && left+=("$f")
done
[ ${#left[@]} -eq 0 ] || fail "dpkg -P left files of the package: ${left[*]}"
snapshot | sort -u >"$tmp/after.txt"
if diff "$tmp/before.txt" "$tmp/after.txt" >"$tmp/diff.txt"; then
    ok "dpkg -r and dpkg -P leave no stray file ($(wc -l <"$tmp/before.txt") entries compared)"
else
    sed 's/^/  /' "$tmp/diff.txt" >&2
    fail "the system differs after dpkg -P (< before, > after)"
fi

if [ "$failures" -gt 0 ]; then
    echo "test_deb_package.sh: $failures failure(s)" >&2
    exit 1
fi
echo "test_deb_package.sh: ok"
