# vm_lib.sh — sourced by live tests that run auditwatch in a throw-away
# KVM guest (tests/live/locked.live), after tests/live/lib.sh (for fail,
# cannot_run and $TMP).
#
# Some kernel audit states cannot be undone on the machine that runs the
# tests (`auditctl -e 2` locks audit until reboot). Such tests boot a real
# Debian kernel in qemu with an initramfs as its root and do everything
# inside: nothing in the guest reaches the host's kernel audit state, and
# the guest is gone when qemu exits.
#
#   vm_kernel          sets VM_KERNEL to a Debian amd64 vmlinuz: the one
#                      linux-image-amd64 depends on, fetched with
#                      `apt-get download` (never installed on the host)
#                      and cached in $AW_VM_CACHE (default
#                      /var/cache/auditwatch-test); a cached one is reused.
#   vm_root_init DIR   an initramfs tree with busybox (static) as /bin/*.
#   vm_add_prog DIR FILE [DEST]
#                      a program and every shared library ldd lists for
#                      it (the dynamic loader too), at the same paths.
#   vm_cpio DIR OUT    the tree as a newc cpio archive (uncompressed:
#                      the kernel unpacks it without a decompressor).
#   vm_boot INITRD LOG SECONDS [KERNEL ARGS...]
#                      boots it under a hard timeout, serial console in
#                      LOG; KVM if /dev/kvm works (vm_accel), else TCG
#                      with 3x the time. VM_RC is timeout's status (124:
#                      timed out), VM_ACCEL kvm or tcg.
#
# What cannot be had (not x86_64, no qemu, no busybox-static, no kernel)
# is cannot_run: skip, or fail when CI=true.

AW_VM_CACHE=${AW_VM_CACHE:-/var/cache/auditwatch-test}

vm_require() {
	[ "$(uname -m)" = x86_64 ] || cannot_run "the guest kernel is amd64; this is $(uname -m)"
	command -v qemu-system-x86_64 >/dev/null ||
	    cannot_run "needs qemu-system-x86_64 (Debian package qemu-system-x86)"
	VM_BUSYBOX=$(command -v busybox) ||
	    cannot_run "needs busybox (Debian package busybox-static)"
	# The guest has no libraries of its own for busybox.
	ldd "$VM_BUSYBOX" >/dev/null 2>&1 &&
	    cannot_run "$VM_BUSYBOX is dynamically linked; needs busybox-static"
	command -v ldd >/dev/null || cannot_run "needs ldd"
}

# The kernel: linux-image-amd64's dependency, e.g. linux-image-6.1.0-27-amd64.
vm_kernel() {
	local pkg ver dir tmp deb
	mkdir -p "$AW_VM_CACHE" || cannot_run "cannot create $AW_VM_CACHE"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' |
	    head -n 1)
	ver=""
	[ -n "$pkg" ] && ver=$(apt-cache show --no-all-versions "$pkg" \
	    2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
	if [ -n "$pkg" ] && [ -n "$ver" ]; then
		dir="$AW_VM_CACHE/${pkg}_$ver"
		if [ ! -s "$dir/vmlinuz" ]; then
			tmp=$(mktemp -d "$AW_VM_CACHE/dl.XXXXXX") || return 1
			# apt drops privileges to _apt for the download.
			chmod 755 "$tmp"
			(cd "$tmp" && apt-get download -q "$pkg=$ver" \
			    >"$tmp/apt.log" 2>&1) ||
			    echo "apt-get download $pkg=$ver failed: $(tail -n 3 "$tmp/apt.log")" >&2
			deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
			# Only boot/ of the package (the modules are not needed:
			# the guest uses only built-in drivers).
			if [ -n "$deb" ] && mkdir -p "$tmp/x" &&
			    dpkg-deb --fsys-tarfile "$deb" |
			    tar -x -C "$tmp/x" --wildcards './boot/*' &&
			    mkdir -p "$dir" &&
			    cp "$tmp"/x/boot/vmlinuz-* "$dir/vmlinuz.new" &&
			    cp "$tmp"/x/boot/config-* "$dir/config" &&
			    mv "$dir/vmlinuz.new" "$dir/vmlinuz"; then
				:
			else
				rm -rf "$dir"
			fi
			rm -rf "$tmp"
		fi
	fi
	# Offline, or the mirror moved on: the newest kernel cached before.
	if [ -z "${dir:-}" ] || [ ! -s "$dir/vmlinuz" ]; then
		dir=$(ls -d "$AW_VM_CACHE"/linux-image-*/ 2>/dev/null |
		    sort -V | tail -n 1)
		dir=${dir%/}
	fi
	[ -n "$dir" ] && [ -s "$dir/vmlinuz" ] ||
	    cannot_run "no guest kernel: apt-get download ${pkg:-(the dependency of linux-image-amd64)} failed and none is cached in $AW_VM_CACHE"
	VM_KERNEL="$dir/vmlinuz"
	VM_KCONFIG="$dir/config"
}

# vm_kconfig_check NAME...: each CONFIG_NAME is built in (=y), or cannot run.
vm_kconfig_check() {
	local c
	[ -f "$VM_KCONFIG" ] || return 0
	for c in "$@"; do
		grep -qx "CONFIG_$c=y" "$VM_KCONFIG" ||
		    cannot_run "guest kernel $VM_KERNEL lacks built-in CONFIG_$c"
	done
}

vm_root_init() {
	local root=$1 d
	for d in bin sbin etc proc sys dev run tmp var lib lib64 usr/bin \
	    usr/sbin; do
		mkdir -p "$root/$d" || return 1
	done
	cp "$VM_BUSYBOX" "$root/bin/busybox" || return 1
	# Applets as symlinks; what the kernel needs before /init runs
	# (/dev/console) is created by devtmpfs, mounted by /init.
	for d in $("$VM_BUSYBOX" --list); do
		[ -e "$root/bin/$d" ] || ln -s busybox "$root/bin/$d"
	done
}

vm_add_prog() {
	local root=$1 src=$2 dest=${3:-$2} lib
	mkdir -p "$root/$(dirname "$dest")" &&
	    cp -L "$src" "$root/$dest" || return 1
	# "libx.so => /path (addr)", and the loader as "/lib64/ld... (addr)"
	for lib in $(ldd "$src" 2>/dev/null |
	    sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		[ -e "$root/$lib" ] && continue
		mkdir -p "$root/$(dirname "$lib")" &&
		    cp -L "$lib" "$root/$lib" || return 1
	done
}

vm_cpio() {
	local root=$1 out=$2
	(cd "$root" && find . | LC_ALL=C sort |
	    "$VM_BUSYBOX" cpio -o -H newc 2>/dev/null) >"$out" &&
	    [ -s "$out" ]
}

# kvm when /dev/kvm is usable and the CPU has hardware virtualisation
# (vmx/svm): a /dev/kvm without them (e.g. PVM, kvm_pvm) boots only
# kernels made for it, and a stock kernel hangs. AW_VM_ACCEL=kvm|tcg
# overrides.
vm_accel() {
	case "${AW_VM_ACCEL:-}" in
	kvm|tcg) echo "$AW_VM_ACCEL"; return ;;
	esac
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
	    grep -qwE 'vmx|svm' /proc/cpuinfo; then
		echo kvm
	else
		echo tcg
	fi
}

vm_boot() {
	local initrd=$1 log=$2 secs=$3 accel
	shift 3
	VM_ACCEL=$(vm_accel)
	if [ "$VM_ACCEL" = kvm ]; then
		accel="-enable-kvm -cpu host"
	else
		secs=$((secs * 3))
		echo "no hardware-virtualised /dev/kvm: emulating (TCG), timeout $secs s" >&2
		accel="-accel tcg -cpu max"
	fi
	# No disk, no network, no display: the serial port is the console.
	# panic=-1 and -no-reboot: if /init dies, qemu exits at once.
	# shellcheck disable=SC2086
	timeout -k 5 "$secs" qemu-system-x86_64 $accel -m 512M -smp 1 \
	    -nodefaults -no-user-config -display none -no-reboot \
	    -serial "file:$log" -kernel "$VM_KERNEL" -initrd "$initrd" \
	    -append "console=ttyS0 panic=-1 $*" </dev/null >"$log.qemu" 2>&1
	VM_RC=$?
}
