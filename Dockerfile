# auditwatch container image: the image the Helm chart (helm/auditwatch)
# runs by default.
#
#   docker build -t ghcr.io/auditwatch/auditwatch:0.1.0 .
#
# Two stages on Debian 12 slim: "build" compiles and installs into /out
# with the -dev packages that .ci/install-deps installs for the build; the
# runtime stage gets only the shared libraries the binary links against
# (tests/deploy/dockerfile.sh checks both lists against the real build),
# plus CA certificates for Slack and webhooks and the sqlite3 shell for
# reading the alert history with `kubectl exec`.
#
# The container needs the host's PID and network namespaces and the
# AUDIT_CONTROL and AUDIT_READ capabilities; see helm/auditwatch/values.yaml.
# Outside Kubernetes:
#   docker run --rm --pid=host --network=host --cap-drop=ALL \
#     --cap-add=AUDIT_CONTROL --cap-add=AUDIT_READ --cap-add=SYS_PTRACE \
#     --cap-add=DAC_READ_SEARCH --security-opt apparmor=unconfined \
#     -v /var/lib/auditwatch:/var/lib/auditwatch -v /run/auditwatch:/run/auditwatch \
#     --read-only --tmpfs /tmp ghcr.io/auditwatch/auditwatch:0.1.0

ARG DEBIAN_IMAGE=debian:12-slim

FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		build-essential autoconf automake libtool pkg-config make gcc \
		libaudit-dev libnl-3-dev libyaml-dev libsqlite3-dev \
		libcurl4-openssl-dev libjansson-dev libpcre2-dev uthash-dev \
		libcap-ng-dev libmicrohttpd-dev libseccomp-dev \
	&& rm -rf /var/lib/apt/lists/*
COPY . /src
# Out of tree, with the paths a distribution package uses: the binary in
# /usr/bin, the configuration in /etc/auditwatch, state in /var/lib.
RUN cd /src && autoreconf -fi \
	&& mkdir /build && cd /build \
	&& /src/configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
		--runstatedir=/run \
	&& make -j"$(nproc)" \
	&& make install-strip DESTDIR=/out \
	&& /out/usr/bin/auditwatch --version

FROM ${DEBIAN_IMAGE}
LABEL org.opencontainers.image.title="auditwatch" \
	org.opencontainers.image.description="Falco-compatible runtime threat detection over the Linux kernel audit subsystem" \
	org.opencontainers.image.licenses="Apache-2.0" \
	org.opencontainers.image.source="https://github.com/auditwatch/auditwatch"
RUN apt-get update \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		libaudit1 libnl-3-200 libyaml-0-2 libsqlite3-0 libcurl4 \
		libjansson4 libpcre2-8-0 libcap-ng0 libmicrohttpd12 libseccomp2 \
		ca-certificates sqlite3 \
	&& rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /
# Root, for the hostPath store and reading /proc; the chart drops every
# capability but the few it needs and makes the root filesystem read-only.
USER 0:0
VOLUME ["/var/lib/auditwatch"]
ENTRYPOINT ["/usr/bin/auditwatch"]
CMD ["-c", "/etc/auditwatch/auditwatch.yaml", "run"]
