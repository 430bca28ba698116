-- 001_initial.sql — the alert history, the delivery outbox and views.
--
-- Applied by auditwatch in one transaction, after which PRAGMA
-- user_version = 1. Migrations are forward only: never edit a released
-- file, add 002_*.sql instead. Times are integers in ns since the epoch
-- (time_ns) plus RFC 3339 text (time) for people reading rows.

CREATE TABLE meta (
	key	TEXT PRIMARY KEY,
	value	TEXT NOT NULL
) WITHOUT ROWID;

-- One row per alert, as produced. AUTOINCREMENT so that an id is never
-- reused after retention: ids are the delivery cursor and the basis of
-- the idempotency key receivers see.
CREATE TABLE alerts (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	time_ns		INTEGER NOT NULL,	-- event time
	time		TEXT NOT NULL,		-- same, 2026-01-02T03:04:05.123456789Z
	hostname	TEXT NOT NULL,
	rule		TEXT NOT NULL,
	priority	TEXT NOT NULL,		-- Emergency ... Debug
	priority_num	INTEGER NOT NULL,	-- 0 Emergency ... 7 Debug (syslog)
	source		TEXT NOT NULL,		-- syscall, internal
	container_id	TEXT,			-- 12 hex chars, "host", NULL unknown
	container_name	TEXT,
	k8s_pod_name	TEXT,
	k8s_ns_name	TEXT,
	proc_name	TEXT,
	proc_cmdline	TEXT,
	user_name	TEXT,
	fd_name		TEXT,
	tags		TEXT NOT NULL DEFAULT '[]',	-- JSON array
	output		TEXT NOT NULL,		-- Falco's output line
	output_fields	TEXT NOT NULL DEFAULT '{}',	-- JSON object
	audit_serial	INTEGER,
	fingerprint	TEXT,			-- hex hash of rule, container, process, file
	stored_ns	INTEGER NOT NULL	-- when auditwatch wrote the row
);
CREATE INDEX alerts_time ON alerts(time_ns);
CREATE INDEX alerts_rule ON alerts(rule, time_ns);
CREATE INDEX alerts_priority ON alerts(priority_num, time_ns);
CREATE INDEX alerts_container ON alerts(container_id, time_ns);

-- The durable outbox: one row per alert and destination that should get
-- it, written in the same transaction as the alert. state: pending (not
-- yet accepted by the receiver), sent (2xx), dead (refused with a 4xx
-- other than 429; last_error says why). repeats: identical alerts folded
-- into this notification by noise control.
CREATE TABLE outbox (
	alert_id	INTEGER NOT NULL,
	destination	TEXT NOT NULL,		-- webhook, slack
	state		TEXT NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'sent', 'dead')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_ns	INTEGER NOT NULL DEFAULT 0,
	last_error	TEXT,
	repeats		INTEGER NOT NULL DEFAULT 0,
	updated_ns	INTEGER,
	PRIMARY KEY (alert_id, destination)
) WITHOUT ROWID;
-- Each destination's cursor: its pending rows in alert order.
CREATE INDEX outbox_pending ON outbox(destination, alert_id)
	WHERE state = 'pending';

-- Per destination totals and the last outcome, for `auditwatch status`.
CREATE TABLE destinations (
	name		TEXT PRIMARY KEY,
	sent		INTEGER NOT NULL DEFAULT 0,
	dead		INTEGER NOT NULL DEFAULT 0,
	last_sent_id	INTEGER,
	last_ok_ns	INTEGER,
	last_error	TEXT,
	last_error_ns	INTEGER
) WITHOUT ROWID;

-- Readable alerts, newest first.
CREATE VIEW recent_alerts AS
SELECT id, time, priority, rule, hostname,
       coalesce(container_name, container_id) AS container,
       k8s_ns_name AS namespace, k8s_pod_name AS pod,
       proc_name, user_name, fd_name, output
FROM alerts ORDER BY id DESC;

-- The last 24 hours by rule and priority.
CREATE VIEW last_24h_by_rule AS
SELECT rule, priority, count(*) AS alerts,
       min(time) AS first_seen, max(time) AS last_seen
FROM alerts
WHERE time_ns >= (CAST(strftime('%s', 'now') AS INTEGER) - 86400) * 1000000000
GROUP BY rule, priority_num
ORDER BY priority_num, alerts DESC;

-- The last 24 hours by container and pod.
CREATE VIEW last_24h_by_container AS
SELECT coalesce(container_id, '?') AS container_id, container_name,
       k8s_ns_name AS namespace, k8s_pod_name AS pod, count(*) AS alerts,
       min(priority_num) AS worst_priority_num, max(time) AS last_seen
FROM alerts
WHERE time_ns >= (CAST(strftime('%s', 'now') AS INTEGER) - 86400) * 1000000000
GROUP BY container_id
ORDER BY alerts DESC;

-- Delivery state per destination.
CREATE VIEW delivery_status AS
SELECT o.destination, o.state, count(*) AS alerts,
       min(a.time) AS oldest, max(o.attempts) AS max_attempts
FROM outbox o JOIN alerts a ON a.id = o.alert_id
GROUP BY o.destination, o.state;

-- Alerts a receiver refused for good, with its answer.
CREATE VIEW dead_letters AS
SELECT o.destination, o.alert_id, a.time, a.rule, a.priority, o.attempts,
       o.last_error,
       strftime('%Y-%m-%dT%H:%M:%SZ', o.updated_ns / 1000000000, 'unixepoch')
           AS failed_at
FROM outbox o JOIN alerts a ON a.id = o.alert_id
WHERE o.state = 'dead'
ORDER BY o.alert_id DESC;
