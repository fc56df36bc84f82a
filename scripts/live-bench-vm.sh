#!/usr/bin/env bash
# Runs the live benchmark (`cargo bench --bench live`, SQLite) inside a throwaway QEMU
# guest, for machines whose container caps open files below what the run needs: one
# server process holds one socket per subscriber, so 50,000 subscribers need more than
# 50,000 open files, and without CAP_SYS_RESOURCE the hard limit cannot be raised. In the
# guest we are root of our own kernel.
#
#   BENCH_SUBSCRIBERS=50000 BENCH_CHANGES=2 scripts/live-bench-vm.sh
#
# BENCH_* variables are passed to the benchmark in the guest. The guest boots Debian's
# cloud kernel from an initramfs holding busybox, the release server and benchmark binaries
# and their shared libraries; nothing is written to disk but target/vm. VM_CPUS (2),
# VM_MEMORY (8G) and VM_ACCEL (tcg: software emulation, slow but everywhere; kvm where a
# standard kernel runs under it) set the guest. Under emulation latencies and CPU figures
# are the emulator's, not the machine's: read the memory column.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=target/vm
mkdir -p "$work"

# Debian's cloud kernel: virtio, serial console, loopback and initramfs built in.
if ! ls "$work"/vmlinuz-* >/dev/null 2>&1; then
  package=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
  say "fetching $package"
  (cd "$work" && apt-get download "$package" >/dev/null && dpkg -x "$package"_*.deb kernel)
  cp "$work"/kernel/boot/vmlinuz-* "$work"/
  rm -rf "$work"/kernel "$work"/"$package"_*.deb
fi
kernel=$(ls "$work"/vmlinuz-* | head -n 1)

say "building the benchmark (release)"
bench=$(cargo bench --bench live --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | grep '/live-' | tail -n 1)
server="$PWD/target/release/delivery-desk"
[ -x "$bench" ] && [ -x "$server" ] || { echo "no benchmark binary built" >&2; exit 1; }

say "packing the guest's initramfs"
root="$work/root"
rm -rf "$root"
mkdir -p "$root"/{bin,proc,sys,dev,tmp,run}
cp /bin/busybox "$root/bin/"
for binary in "$bench" "$server"; do
  mkdir -p "$root$(dirname "$binary")"
  cp "$binary" "$root$binary"
  # Each shared library where the loader looks for it.
  for lib in $(ldd "$binary" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
done
env_lines=$(env | grep '^BENCH_' | grep -v '^BENCH_DATABASE_URL=' | sed "s/^\([^=]*\)=\(.*\)$/export \1='\2'/" || true)
cat > "$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
ip addr add 127.0.0.1/8 dev lo; ip link set lo up
# Room for the sockets of both sides, as a machine set up for the run would have.
echo 1048576 > /proc/sys/fs/nr_open
echo 4096 > /proc/sys/net/core/somaxconn
echo 4096 > /proc/sys/net/ipv4/tcp_max_syn_backlog
ulimit -n 200000
# Everything runs many times slower under emulation: the server's timeouts for a client's
# first message and for taking a message are stretched to match.
export WS_INIT_TIMEOUT_SECONDS=600 WS_SEND_TIMEOUT_SECONDS=600
$env_lines
cd /tmp
echo "guest: \$(nproc) cpus, \$(grep MemTotal /proc/meminfo), open files \$(ulimit -n)"
echo ==== results
$bench --bench
echo "==== exit \$?"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz"
rm -rf "$root"

accel=${VM_ACCEL:-tcg}
[ "$accel" = tcg ] && accel="tcg,thread=multi"
say "booting the guest ($accel, ${VM_CPUS:-2} cpus, ${VM_MEMORY:-8G})"
log="$work/live-vm.log"
qemu-system-x86_64 -accel "$accel" -smp "${VM_CPUS:-2}" -m "${VM_MEMORY:-8G}" \
  -kernel "$kernel" -initrd "$work/initramfs.gz" \
  -append "console=ttyS0 quiet panic=-1" -nographic -no-reboot </dev/null | tee "$log"
sed -n '/^==== results/,/^==== exit/p' "$log" | tr -d '\r' > "$work/live-vm.md"
grep -q '^==== exit 0' "$work/live-vm.md" || { echo "the benchmark failed in the guest: $log" >&2; exit 1; }
say "results: $work/live-vm.md"
