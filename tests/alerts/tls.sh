#!/bin/sh
# tls.sh — the webhook over HTTPS to a real receiver with a self-signed
# certificate: trusted through webhook.tls.ca_file; refused (and retried,
# never sent in clear) without it; accepted with tls.insecure; and a
# receiver that requires a client certificate gets webhook.tls.client_cert.
. "$top_srcdir/tests/alerts/lib.sh"
need openssl

cert() { # cert NAME CN [signing CA name]
	if [ $# -eq 2 ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
		    -addext "subjectAltName=IP:127.0.0.1" \
		    -keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null
	else
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" \
		    -keyout "$T/$1.key" -out "$T/$1.csr" 2>/dev/null &&
		openssl x509 -req -in "$T/$1.csr" -CA "$T/$3.pem" \
		    -CAkey "$T/$3.key" -CAcreateserial -days 2 \
		    -out "$T/$1.pem" 2>/dev/null
	fi || fail "openssl ($1)"
}
cert server 127.0.0.1
cert clientca "auditwatch test CA"
cert client "auditwatch-node-1" clientca

send() { # send NAME [options]: one alert to receiver NAME
	n=$1; shift
	"$GEN" -o sqlite.path="$T/$n.db" -o stdout_output.enabled=false \
	    -o webhook.url="https://127.0.0.1:$(eval echo \$PORT_$n)/" \
	    -o webhook.backoff.initial=100ms -o webhook.backoff.max=200ms \
	    --count 1 --stats "$T/$n.json" "$@" 2> "$T/$n.err"
}

note "trusted with tls.ca_file"
start_receiver ca --tls-cert "$T/server.pem" --tls-key "$T/server.key"
send ca -o webhook.tls.ca_file="$T/server.pem" --flush 20 || fail "ca_file: $(cat "$T/ca.err")"
[ "$(lines "$T/ca.log")" -eq 1 ] || fail "not delivered over TLS"

note "unknown CA: refused, kept pending, retried"
start_receiver noca --tls-cert "$T/server.pem" --tls-key "$T/server.key"
send noca --flush 2 && fail "delivered to an untrusted server"
[ "$(lines "$T/noca.log")" -eq 0 ] || fail "sent to an untrusted server"
[ "$(json "$T/noca.json" 'd["destinations"]["webhook"]["failures"]')" -ge 2 ] || fail "not retried"
json "$T/noca.json" 'd["destinations"]["webhook"]["last_error"]' | grep -qi "certificate\|SSL" ||
    fail "error does not say why: $(json "$T/noca.json" 'd["destinations"]["webhook"]["last_error"]')"
[ "$(sqlite3 "$T/noca.db" "SELECT state FROM outbox")" = pending ] || fail "not pending"

note "tls.insecure"
send noca -o webhook.tls.insecure=true -o sqlite.path="$T/noca2.db" --flush 20 ||
    fail "insecure: $(cat "$T/noca.err")"
[ "$(lines "$T/noca.log")" -eq 1 ] || fail "insecure not delivered"

note "client certificate (mutual TLS)"
start_receiver mtls --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
    --client-ca "$T/clientca.pem"
send mtls -o webhook.tls.ca_file="$T/server.pem" --flush 2 &&
    fail "delivered without a client certificate"
send mtls -o webhook.tls.ca_file="$T/server.pem" -o sqlite.path="$T/mtls2.db" \
    -o webhook.tls.client_cert="$T/client.pem" \
    -o webhook.tls.client_key="$T/client.key" --flush 20 ||
    fail "mTLS: $(cat "$T/mtls.err")"
python3 - "$T/mtls.log" <<'PY' || fail "client certificate not presented"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 1 and r[0]["client_cert"]["commonName"] == "auditwatch-node-1", r
PY
echo PASS
