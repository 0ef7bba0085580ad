#!/usr/bin/env bash
# Run OpenStack Swift 2.30 (Debian's python3-swift) as a one-node
# "Swift all in one" on loopback, to check the end-to-end suite itself:
#
#   test/reference/swift-saio.sh start      # proxy on http://127.0.0.1:18080
#   SCISWIFT_E2E_URL=http://127.0.0.1:18080 go test ./test/e2e/
#   test/reference/swift-saio.sh stop
#
# Every assertion of test/e2e that is about Swift's behaviour must pass
# against it; tests that need a sciswift process of their own skip, and
# sciswift-only requirements (no xattr metadata limit, /info without
# features sciswift lacks) are logged instead of failing.
#
# Needs: apt-get install python3-swift memcached  (not installed by the
# project's setup: this is a tool for people changing the tests).
# Same users as sciswift's defaults. State lives in $SAIO (default
# ${TMPDIR:-/tmp}/sciswift-reference-swift); processes are stopped by the
# PIDs recorded there.
set -euo pipefail

SAIO=${SAIO:-${TMPDIR:-/tmp}/sciswift-reference-swift}
PROXY_PORT=${PROXY_PORT:-18080}
OBJ_PORT=16010 CONT_PORT=16011 ACCT_PORT=16012 MEMCACHE_PORT=21211
PY=/usr/bin/python3

die() { echo "swift-saio: $*" >&2; exit 1; }

stop() {
	[ -f "$SAIO/pids" ] || return 0
	while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$SAIO/pids"
	rm -f "$SAIO/pids"
}

configure() {
	mkdir -p "$SAIO"/{etc,srv/d1,log,cache}
	local user
	user=$(id -un)
	cat >"$SAIO/etc/swift.conf" <<EOF
[swift-hash]
swift_hash_path_suffix = reference-suffix
swift_hash_path_prefix = reference-prefix

[storage-policy:0]
name = Policy-0
default = yes
EOF
	local common="[DEFAULT]
user = $user
devices = $SAIO/srv
mount_check = false
disable_fallocate = true
bind_ip = 127.0.0.1
workers = 0
swift_dir = $SAIO/etc
recon_cache_path = $SAIO/cache
log_level = INFO"
	for role in object:$OBJ_PORT container:$CONT_PORT account:$ACCT_PORT; do
		local name=${role%%:*} port=${role##*:}
		cat >"$SAIO/etc/$name-server.conf" <<EOF
$common
bind_port = $port

[pipeline:main]
pipeline = $name-server

[app:$name-server]
use = egg:swift#$name

[$name-replicator]
[$name-auditor]
[object-updater]
interval = 1
[container-updater]
interval = 1
EOF
	done
	cat >"$SAIO/etc/proxy-server.conf" <<EOF
[DEFAULT]
user = $user
bind_ip = 127.0.0.1
bind_port = $PROXY_PORT
workers = 0
swift_dir = $SAIO/etc
recon_cache_path = $SAIO/cache
log_level = INFO

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
# One 507 (xattr metadata too large on ext4) must not take the only
# object device out of service for the rest of the run.
error_suppression_interval = 0

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
user_test_tester2 = testing2 .admin
user_test_tester3 = testing3
user_test2_tester2 = testing2 .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MEMCACHE_PORT
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF
	cat >"$SAIO/etc/object-expirer.conf" <<EOF
[DEFAULT]
user = $user
swift_dir = $SAIO/etc
recon_cache_path = $SAIO/cache
log_level = INFO

[object-expirer]
interval = 1

[pipeline:main]
pipeline = catch_errors proxy-logging cache proxy-server

[app:proxy-server]
use = egg:swift#proxy

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MEMCACHE_PORT
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:proxy-logging]
use = egg:swift#proxy_logging
EOF
	# A launcher: Swift reads /etc/swift/swift.conf unless told otherwise.
	cat >"$SAIO/launch.py" <<EOF
import sys, time
import swift.common.utils as utils
utils.SWIFT_CONF_FILE = '$SAIO/etc/swift.conf'
utils.validate_hash_conf()
from swift.common import constraints
constraints.reload_constraints()
from swift.common.storage_policy import reload_storage_policies
reload_storage_policies()
mode, conf, name = sys.argv[1:4]
if mode == 'wsgi':
    from swift.common.wsgi import run_wsgi
    sys.exit(run_wsgi(conf, name, verbose=True))
if mode == 'rings':
    from swift.common.ring import RingBuilder
    for kind, port in [('object', $OBJ_PORT), ('container', $CONT_PORT), ('account', $ACCT_PORT)]:
        b = RingBuilder(10, 1, 1)
        b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 100})
        b.rebalance()
        b.get_ring().save('$SAIO/etc/%s.ring.gz' % kind)
    sys.exit(0)
if name == 'container-updater':
    # The forking daemon does not report from inside containers; sweep
    # in-process every second instead.
    from swift.container.updater import ContainerUpdater
    u = ContainerUpdater(utils.readconf(conf, 'container-updater'))
    while True:
        for p in u.get_paths():
            u.container_sweep(p)
        time.sleep(1)
from swift.common.daemon import run_daemon
if name == 'object-expirer':
    from swift.obj.expirer import ObjectExpirer as klass
else:
    from swift.obj.updater import ObjectUpdater as klass
run_daemon(klass, conf, section_name=name, verbose=True, once=False)
EOF
	[ -f "$SAIO/etc/object.ring.gz" ] || "$PY" "$SAIO/launch.py" rings - -
}

start() {
	"$PY" -c 'import swift' 2>/dev/null || die "python3-swift is not installed (apt-get install python3-swift)"
	command -v memcached >/dev/null || die "memcached is not installed (apt-get install memcached)"
	stop
	configure
	: >"$SAIO/pids"
	memcached -u "$(id -un)" -l 127.0.0.1 -p "$MEMCACHE_PORT" -U 0 >"$SAIO/log/memcached.log" 2>&1 &
	echo $! >>"$SAIO/pids"
	for s in object container account proxy; do
		"$PY" "$SAIO/launch.py" wsgi "$SAIO/etc/$s-server.conf" "$s-server" >"$SAIO/log/$s.log" 2>&1 &
		echo $! >>"$SAIO/pids"
	done
	"$PY" "$SAIO/launch.py" daemon "$SAIO/etc/object-expirer.conf" object-expirer >"$SAIO/log/expirer.log" 2>&1 &
	echo $! >>"$SAIO/pids"
	"$PY" "$SAIO/launch.py" daemon "$SAIO/etc/container-server.conf" container-updater >"$SAIO/log/container-updater.log" 2>&1 &
	echo $! >>"$SAIO/pids"
	"$PY" "$SAIO/launch.py" daemon "$SAIO/etc/object-server.conf" object-updater >"$SAIO/log/object-updater.log" 2>&1 &
	echo $! >>"$SAIO/pids"
	for _ in $(seq 1 100); do
		if [ "$(curl -s -m 2 "http://127.0.0.1:$PROXY_PORT/healthcheck" || true)" = OK ]; then
			echo "swift-saio: Swift $("$PY" -c 'import swift; print(swift.__version__)') at http://127.0.0.1:$PROXY_PORT (state in $SAIO)"
			return 0
		fi
		sleep 0.2
	done
	tail -n 20 "$SAIO"/log/*.log >&2
	die "the proxy did not answer /healthcheck"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
wipe) stop; rm -rf "$SAIO" ;;
*) die "usage: $0 start|stop|wipe" ;;
esac
