#!/bin/sh
# Builds tomcat-demo:v1, :v2 and :v3 — Tomcat 10 and a Java 17 runtime from Debian bookworm's packages plus a tiny
# WAR — as one `docker save` archive that `jswarm image load -i` (or `docker load -i`) takes. The three images
# share their base layer (runtime + Tomcat, ~45 MB compressed) and differ only in a small WAR layer:
#   v1, v2  "tomcat-demo vN on HOST" at /, 200 at /health
#   v3      the same page but /health answers 500 (a broken release whose health check fails)
#
# Usage: examples/tomcat/build-image.sh [-o ARCHIVE]      prints the archive's path as its last line
#
# Everything is cached under $JSWARM_EXAMPLES_CACHE (default /var/cache/jswarm-examples)/tomcat: the downloaded
# .deb files, the linked Java runtime and the archive itself, which is rebuilt only when this script or the web
# application changes. First run: 1-2.5 min (downloads ~11 MB, jlink); later runs: instant.
#
# Needs (as root on Debian): apt-get (with package lists: `apt-get update`), dpkg-deb, tar, gzip, sha256sum and
# Debian's openjdk-17-jdk-headless (javac, jar and jlink with its jmods; the one the jswarm build uses).
#
# The runtime: openjdk-17-jre-headless with all of its modules is 44 MB compressed by itself, too much for the
# daemon API's 64 MiB request body limit with Tomcat and libc beside it. So the runtime is linked with jlink from
# the jmods of Debian's openjdk-17-jdk-headless (the same OpenJDK build as the JRE package), keeping only the
# modules Tomcat uses. The native libraries (libc6, libgcc-s1, libstdc++6, zlib1g), Tomcat (libtomcat10-java,
# tomcat10-common, tomcat10) and busybox (sh for catalina.sh, wget for the health check) are Debian's packages,
# unpacked with dpkg-deb.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${JSWARM_EXAMPLES_CACHE:-/var/cache/jswarm-examples}/tomcat
out=$cache/tomcat-demo.tar
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown argument $1 (allowed: -o ARCHIVE)" >&2; exit 2 ;;
  esac
done

debs="libc6 libgcc-s1 libstdc++6 zlib1g busybox-static libtomcat10-java tomcat10-common tomcat10"
modules="java.base,java.desktop,java.logging,java.management,java.naming,java.rmi,java.xml,java.instrument,java.sql,java.security.jgss,jdk.unsupported,jdk.crypto.ec,jdk.zipfs"
tomcat_uid=999

jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
for tool in javac jar jlink; do
  [ -x "$jdk/bin/$tool" ] || { echo "build-image.sh: $jdk/bin/$tool not found; install openjdk-17-jdk-headless or set JAVA_HOME" >&2; exit 1; }
done
[ -d "$jdk/jmods" ] || { echo "build-image.sh: $jdk/jmods not found; jlink needs the JDK's jmods (openjdk-17-jdk-headless)" >&2; exit 1; }

# The archive is up to date when it was built by this very script from these very sources with this JDK.
stamp=$( (cat "$0" "$here"/webapp/web.xml.in "$here"/webapp/src/demo/*.java "$here"/rootfs/usr/local/bin/*; "$jdk/bin/java" -version 2>&1) | sha256sum | cut -c1-16)
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "up to date (cached)" >&2
  echo "$out"
  exit 0
fi

mkdir -p "$cache/debs"
start=$(date +%s)

# 1. Debian packages (downloaded once).
missing=""
for p in $debs; do
  ls "$cache/debs/${p}_"*.deb >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "downloading$missing" >&2
  (cd "$cache/debs" && apt-get download $missing >/dev/null 2>&1) ||
    { apt-get update -qq && (cd "$cache/debs" && apt-get download $missing >/dev/null); }
fi

# 2. The Java runtime (linked once per JDK version and module list), with a CDS archive for a faster start.
jlink_opts="--strip-debug --no-header-files --no-man-pages --compress=2 --generate-cds-archive"
jre=$cache/jre-$( ("$jdk/bin/java" -version 2>&1; echo "$modules $jlink_opts") | sha256sum | cut -c1-12)
if [ ! -x "$jre/bin/java" ]; then
  echo "linking a Java runtime with $modules" >&2
  rm -rf "$jre.tmp"
  "$jdk/bin/jlink" --add-modules "$modules" $jlink_opts --output "$jre.tmp"
  mv "$jre.tmp" "$jre"
fi

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 3. The base root file system: libc, runtime, Tomcat laid out the way Debian's tomcat10 package does
#    (CATALINA_HOME=/usr/share/tomcat10, CATALINA_BASE=/var/lib/tomcat10, conf in /etc/tomcat10), busybox.
root=$work/base
mkdir -p "$root"
for f in "$cache"/debs/*.deb; do
  dpkg-deb -x "$f" "$root"
done
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/locale" "$root/usr/share/lintian" \
  "$root/etc/cron.daily" "$root/etc/logrotate.d" "$root/etc/rsyslog.d" "$root/lib/systemd" "$root/usr/lib/sysusers.d" \
  "$root/usr/lib/tmpfiles.d" "$root/usr/lib/x86_64-linux-gnu/gconv" "$root/usr/share/tomcat10-root"
mkdir -p "$root/usr/lib/jvm"
cp -a "$jre" "$root/usr/lib/jvm/java-17-runtime"
rm -f "$root/usr/lib/jvm/java-17-runtime/lib/server/classes_nocoops.jsa" # for heaps over 32 GB only
cp -a "$root/usr/share/tomcat10/etc/." "$root/etc/tomcat10/"
# Start faster: the demo has no JSPs or tag libraries, so no jar needs scanning for TLDs (the last value wins).
echo 'tomcat.util.scan.StandardJarScanFilter.jarsToSkip=*' >> "$root/etc/tomcat10/catalina.properties"
# jar files the package links to but that this image leaves out (JSP compiler, ant tasks) would only log warnings.
for l in "$root"/usr/share/tomcat10/lib/*.jar; do
  [ -e "$l" ] || rm -f "$l"
done
for a in $("$root/bin/busybox" --list); do
  [ -e "$root/bin/$a" ] || [ -e "$root/usr/bin/$a" ] || [ -e "$root/sbin/$a" ] || ln -s busybox "$root/bin/$a"
done
cp -a "$here/rootfs/." "$root/"
mkdir -p "$root/tmp" "$root/root" "$root/etc/default"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\ntomcat:x:%s:%s:Apache Tomcat:/var/lib/tomcat10:/bin/false\n' $tomcat_uid $tomcat_uid \
  > "$root/etc/passwd"
printf 'root:x:0:\ntomcat:x:%s:\n' $tomcat_uid > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
if command -v ldconfig >/dev/null 2>&1; then
  ldconfig -r "$root" 2>/dev/null || true
fi
chown -R $tomcat_uid:$tomcat_uid "$root/var/lib/tomcat10/webapps" "$root/var/log/tomcat10" "$root/var/cache/tomcat10" \
  "$root/etc/tomcat10/Catalina"

layer() { # layer DIR NAME: writes NAME.tar.gz to the archive dir, sets diffid/blob
  tar --numeric-owner --sort=name -C "$1" -cf "$work/$2.tar" .
  diffid=$(sha256sum "$work/$2.tar" | cut -d' ' -f1)
  gzip -n -6 "$work/$2.tar"
  mv "$work/$2.tar.gz" "$work/archive/$diffid.tar.gz"
  blob=$diffid.tar.gz
}
mkdir -p "$work/archive"
layer "$root" base
base_diffid=$diffid
base_blob=$blob

# 4. One WAR per version, each in a layer of its own.
classes=$work/classes
mkdir -p "$classes"
"$jdk/bin/javac" --release 17 -nowarn -d "$classes" \
  -cp "$root/usr/share/java/tomcat10-servlet-api.jar" "$here"/webapp/src/demo/*.java
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
manifest="["
for v in v1 v2 v3; do
  healthy=true
  [ "$v" = v3 ] && healthy=false
  war=$work/war-$v
  mkdir -p "$war/WEB-INF/classes" "$work/app-$v/var/lib/tomcat10/webapps"
  cp -a "$classes/." "$war/WEB-INF/classes/"
  sed -e "s/@VERSION@/$v/g" -e "s/@HEALTHY@/$healthy/g" "$here/webapp/web.xml.in" > "$war/WEB-INF/web.xml"
  "$jdk/bin/jar" --create --file "$work/app-$v/var/lib/tomcat10/webapps/ROOT.war" -C "$war" .
  chown -R $tomcat_uid:$tomcat_uid "$work/app-$v/var/lib/tomcat10/webapps"
  layer "$work/app-$v" "app-$v"
  cat > "$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"$created",
 "config":{"User":"tomcat","WorkingDir":"/var/lib/tomcat10","ExposedPorts":{"8080/tcp":{}},
  "Env":["PATH=/usr/lib/jvm/java-17-runtime/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-runtime",
   "CATALINA_HOME=/usr/share/tomcat10","CATALINA_BASE=/var/lib/tomcat10","CATALINA_TMPDIR=/tmp","STOP_DRAIN_SECONDS=2",
   "JAVA_OPTS=-Xms32m -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.security.egd=file:/dev/urandom"],
  "Cmd":["/usr/local/bin/tomcat-run"],
  "Labels":{"org.opencontainers.image.title":"tomcat-demo","org.opencontainers.image.version":"$v"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$base_diffid","sha256:$diffid"]},
 "history":[{"created":"$created","created_by":"build-image.sh: Debian bookworm $debs, jlink $modules"},
  {"created":"$created","created_by":"build-image.sh: ROOT.war tomcat-demo $v"}]}
EOF
  cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/archive/$cfg.json"
  [ "$manifest" = "[" ] || manifest="$manifest,"
  manifest="$manifest{\"Config\":\"$cfg.json\",\"RepoTags\":[\"tomcat-demo:$v\"],\"Layers\":[\"$base_blob\",\"$blob\"]}"
done
echo "$manifest]" > "$work/archive/manifest.json"

mkdir -p "$(dirname "$out")"
tar --numeric-owner --owner=0 --group=0 -C "$work/archive" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "$stamp" > "$out.stamp"
echo "built $out ($(du -m "$out" | cut -f1) MB) in $(($(date +%s) - start)) s" >&2
echo "$out"
