/*
 * fields.c — Falco's field table and the extractors over an audit event.
 *
 * The table lists the field names of Falco's syscall source (libsinsp
 * filterchecks plus the container plugin) with their value type, argument
 * rules and what the audit source can do with each:
 *   AV_YES      derivable from the audit records plus the process table,
 *               /proc and cgroups (enrich.h);
 *   AV_PARTIAL  heuristic, racy, or needs container-runtime data;
 *   AV_NO       audit can never supply it (libsinsp-internal state, I/O
 *               buffers, CPU numbers).
 * Every name is known, so a Falco rule never fails to load for an unknown
 * field that Falco knows; compile.c uses the availability to mark rules
 * partial. Extraction returns "missing" for anything not in the event,
 * which eval.c turns into Falco's missing-field semantics.
 *
 * Extractors are one switch on the field id. Strings point into the event,
 * the enricher, or the per-event arena; nothing here outlives the event.
 * evt.arg.* follows Falco's parameter names per syscall (the exit events of
 * recent libs carry the enter parameters too), rendered the way libsinsp
 * resolves them (O_* flags, S_I* modes, PTRACE_*, AF_*, user names).
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libaudit.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enrich.h"
#include "rules/rules_int.h"

enum fid {
	F_EVT_NUM, F_EVT_TIME, F_EVT_TIME_S, F_EVT_TIME_ISO, F_EVT_DATETIME,
	F_EVT_DATETIME_S, F_EVT_RAWTIME, F_EVT_RAWTIME_S, F_EVT_RAWTIME_NS,
	F_EVT_RELTIME, F_EVT_LATENCY, F_EVT_DIR, F_EVT_TYPE, F_EVT_TYPE_IS,
	F_SYSCALL_TYPE, F_EVT_CATEGORY, F_EVT_CPU, F_EVT_ARGS, F_EVT_ARG,
	F_EVT_RAWARG, F_EVT_INFO, F_EVT_BUFFER, F_EVT_BUFLEN, F_EVT_RES,
	F_EVT_RAWRES, F_EVT_FAILED, F_EVT_IS_IO, F_EVT_IS_IO_READ,
	F_EVT_IS_IO_WRITE, F_EVT_IO_DIR, F_EVT_IS_WAIT, F_EVT_COUNT,
	F_EVT_IS_SYSLOG, F_EVT_ABSPATH, F_EVT_IS_OPEN_READ, F_EVT_IS_OPEN_WRITE,
	F_EVT_IS_OPEN_EXEC, F_EVT_IS_OPEN_CREATE, F_EVT_HOSTNAME, F_EVT_SOURCE,
	F_EVT_IS_ASYNC, F_EVT_PLUGINNAME,

	F_PROC_EXE, F_PROC_PEXE, F_PROC_AEXE, F_PROC_EXEPATH, F_PROC_PEXEPATH,
	F_PROC_AEXEPATH, F_PROC_NAME, F_PROC_PNAME, F_PROC_ANAME, F_PROC_ARGS,
	F_PROC_CMDLINE, F_PROC_PCMDLINE, F_PROC_ACMDLINE, F_PROC_CMDNARGS,
	F_PROC_CMDLENARGS, F_PROC_EXELINE, F_PROC_ENV, F_PROC_AENV, F_PROC_CWD,
	F_PROC_LOGINSHELLID, F_PROC_TTY, F_PROC_PID, F_PROC_PPID, F_PROC_APID,
	F_PROC_VPID, F_PROC_PVPID, F_PROC_SID, F_PROC_SNAME, F_PROC_SID_EXE,
	F_PROC_SID_EXEPATH, F_PROC_VPGID, F_PROC_VPGID_NAME, F_PROC_VPGID_EXE,
	F_PROC_VPGID_EXEPATH, F_PROC_DURATION, F_PROC_PPID_DURATION,
	F_PROC_PID_TS, F_PROC_PPID_TS, F_PROC_IS_EXE_WRITABLE,
	F_PROC_IS_EXE_UPPER_LAYER, F_PROC_IS_EXE_FROM_MEMFD,
	F_PROC_IS_SID_LEADER, F_PROC_IS_VPGID_LEADER, F_PROC_EXE_INO,
	F_PROC_EXE_INO_CTIME, F_PROC_EXE_INO_MTIME,
	F_PROC_EXE_INO_CTIME_DUR_PROC, F_PROC_EXE_INO_CTIME_DUR_PIDNS,
	F_PROC_PIDNS_INIT_START_TS, F_PROC_NTHREADS, F_PROC_NCHILDS,
	F_PROC_FDOPENCOUNT, F_PROC_FDLIMIT, F_PROC_FDUSAGE, F_PROC_VMSIZE,
	F_PROC_VMRSS, F_PROC_VMSWAP, F_PROC_PFMAJOR, F_PROC_PFMINOR,
	F_PROC_IS_HEALTHCHECK, F_PROC_IS_LIVENESS, F_PROC_IS_READINESS,
	F_PROC_STDIN_TYPE, F_PROC_STDIN_NAME, F_PROC_STDOUT_TYPE,
	F_PROC_STDOUT_NAME, F_PROC_STDERR_TYPE, F_PROC_STDERR_NAME,

	F_THREAD_TID, F_THREAD_ISMAIN, F_THREAD_VTID, F_THREAD_EXECTIME,
	F_THREAD_TOTEXECTIME, F_THREAD_CGROUPS, F_THREAD_CGROUP,
	F_THREAD_NAMETID, F_THREAD_CAP_PERMITTED, F_THREAD_CAP_INHERITABLE,
	F_THREAD_CAP_EFFECTIVE, F_THREAD_VMSIZE, F_THREAD_VMRSS,

	F_USER_UID, F_USER_NAME, F_USER_HOMEDIR, F_USER_SHELL, F_USER_LOGINUID,
	F_USER_LOGINNAME, F_GROUP_GID, F_GROUP_NAME,

	F_FD_NUM, F_FD_TYPE, F_FD_TYPECHAR, F_FD_NAME, F_FD_DIRECTORY,
	F_FD_FILENAME, F_FD_IP, F_FD_CIP, F_FD_SIP, F_FD_LIP, F_FD_RIP,
	F_FD_PORT, F_FD_CPORT, F_FD_SPORT, F_FD_LPORT, F_FD_RPORT, F_FD_L4PROTO,
	F_FD_SOCKFAMILY, F_FD_IS_SERVER, F_FD_UID, F_FD_CONTAINERNAME,
	F_FD_CONTAINERDIRECTORY, F_FD_PROTO, F_FD_CPROTO, F_FD_SPROTO,
	F_FD_LPROTO, F_FD_RPROTO, F_FD_NET, F_FD_CNET, F_FD_SNET, F_FD_LNET,
	F_FD_RNET, F_FD_CONNECTED, F_FD_NAME_CHANGED, F_FD_CIP_NAME,
	F_FD_SIP_NAME, F_FD_LIP_NAME, F_FD_RIP_NAME, F_FD_DEV, F_FD_DEV_MAJOR,
	F_FD_DEV_MINOR, F_FD_INO, F_FD_NAMERAW, F_FD_TYPES, F_FDLIST_NUMS,
	F_FDLIST_NAMES, F_FDLIST_CIPS, F_FDLIST_SIPS, F_FDLIST_CPORTS,
	F_FDLIST_SPORTS,

	F_FS_PATH_NAME, F_FS_PATH_NAMERAW, F_FS_PATH_SOURCE,
	F_FS_PATH_SOURCERAW, F_FS_PATH_TARGET, F_FS_PATH_TARGETRAW,

	F_CT_ID, F_CT_FULL_ID, F_CT_NAME, F_CT_IMAGE, F_CT_IMAGE_ID,
	F_CT_IMAGE_REPOSITORY, F_CT_IMAGE_TAG, F_CT_IMAGE_DIGEST, F_CT_TYPE,
	F_CT_PRIVILEGED, F_CT_MOUNTS, F_CT_MOUNT, F_CT_MOUNT_SOURCE,
	F_CT_MOUNT_DEST, F_CT_MOUNT_MODE, F_CT_MOUNT_RDWR,
	F_CT_MOUNT_PROPAGATION, F_CT_HEALTHCHECK, F_CT_LIVENESS,
	F_CT_READINESS, F_CT_START_TS, F_CT_DURATION, F_CT_IP, F_CT_CNI_JSON,
	F_CT_HOST_PID, F_CT_HOST_NETWORK, F_CT_HOST_IPC, F_CT_LABEL,
	F_CT_LABELS,

	F_K8S_POD_NAME, F_K8S_POD_ID, F_K8S_POD_UID, F_K8S_POD_SANDBOX_ID,
	F_K8S_POD_FULL_SANDBOX_ID, F_K8S_POD_LABEL, F_K8S_POD_LABELS,
	F_K8S_POD_IP, F_K8S_POD_CNI_JSON, F_K8S_NS_NAME,

	F_AUDIT_KEY, F_AUDIT_SERIAL, F_AUDIT_AUID, F_AUDIT_SES, F_AUDIT_ARCH,
	F_AUDIT_TYPES, F_AUDIT_SYSCALL, F_AUDIT_SUCCESS, F_AUDIT_EXIT,
	F_AUDIT_NODE, F_AUDIT_ARG, F_AUDIT_UID, F_AUDIT_GID, F_AUDIT_EUID,
	F_AUDIT_EGID, F_AUDIT_SUID, F_AUDIT_SGID, F_AUDIT_FSUID, F_AUDIT_FSGID,
	F_AUDIT_SUBJ, F_AUDIT_ITEMS, F_AUDIT_CLOSED_BY, F_AUDIT_PROCTITLE,
	F_AUDIT_ARGV_INCOMPLETE,
};

/* Entries: name, id, type, avail, flags, why. */
#define E(n, id, t, av, fl, why) { n, id, t, av, fl, why }

static const char W_PROC[] = "needs /proc state that audit does not record "
    "(racy)";
static const char W_RUNTIME[] = "needs container-runtime metadata (docker/"
    "containerd/CRI-O API)";
static const char W_FDTABLE[] = "needs a file-descriptor table; audit "
    "records no socket state";
static const char W_SINSP[] = "libsinsp internal state with no audit "
    "equivalent";
static const char W_DNS[] = "needs DNS resolution of the address";
static const char W_IO[] = "I/O data is never audited";
static const char W_CAP[] = "capability sets come from racy /proc/<pid>/"
    "status reads";
static const char W_NS[] = "namespace-relative ids need /proc/<pid>/status "
    "(NSpid)";

static const struct aw_field field_table[] = {
	/* evt.* */
	E("evt.num", F_EVT_NUM, FT_INT, AV_YES, 0, NULL),
	E("evt.time", F_EVT_TIME, FT_STR, AV_YES, FF_TIME_TEXT, NULL),
	E("evt.time.s", F_EVT_TIME_S, FT_STR, AV_YES, 0, NULL),
	E("evt.time.iso8601", F_EVT_TIME_ISO, FT_STR, AV_YES, 0, NULL),
	E("evt.datetime", F_EVT_DATETIME, FT_STR, AV_YES, 0, NULL),
	E("evt.datetime.s", F_EVT_DATETIME_S, FT_STR, AV_YES, 0, NULL),
	E("evt.rawtime", F_EVT_RAWTIME, FT_ABSTIME, AV_YES, 0, NULL),
	E("evt.rawtime.s", F_EVT_RAWTIME_S, FT_ABSTIME, AV_YES, 0, NULL),
	E("evt.rawtime.ns", F_EVT_RAWTIME_NS, FT_ABSTIME, AV_YES, 0, NULL),
	E("evt.reltime", F_EVT_RELTIME, FT_RELTIME, AV_NO, 0,
	    "relative to a capture start"),
	E("evt.latency", F_EVT_LATENCY, FT_RELTIME, AV_NO, 0,
	    "audit records only the syscall exit"),
	E("evt.dir", F_EVT_DIR, FT_STR, AV_YES, 0, NULL),
	E("evt.type", F_EVT_TYPE, FT_STR, AV_YES, 0, NULL),
	E("evt.type.is", F_EVT_TYPE_IS, FT_INT, AV_YES, FF_ARG_REQ, NULL),
	E("syscall.type", F_SYSCALL_TYPE, FT_STR, AV_YES, 0, NULL),
	E("evt.category", F_EVT_CATEGORY, FT_STR, AV_PARTIAL, 0,
	    "libsinsp event categories are not mapped"),
	E("evt.cpu", F_EVT_CPU, FT_INT, AV_NO, 0, "audit does not record "
	    "the CPU"),
	E("evt.args", F_EVT_ARGS, FT_STR, AV_PARTIAL, 0, "rebuilt from "
	    "a0..a3 and auxiliary records; layout differs from Falco"),
	E("evt.arg", F_EVT_ARG, FT_STR, AV_YES,
	    FF_ARG_REQ | FF_ARG_DOT, NULL),
	E("evt.rawarg", F_EVT_RAWARG, FT_DYN, AV_YES,
	    FF_ARG_REQ | FF_ARG_DOT, NULL),
	E("evt.info", F_EVT_INFO, FT_STR, AV_PARTIAL, 0, "rebuilt from the "
	    "arguments"),
	E("evt.buffer", F_EVT_BUFFER, FT_BYTES, AV_NO, 0, W_IO),
	E("evt.buflen", F_EVT_BUFLEN, FT_INT, AV_NO, 0, W_IO),
	E("evt.res", F_EVT_RES, FT_STR, AV_YES, 0, NULL),
	E("evt.rawres", F_EVT_RAWRES, FT_INT, AV_YES, 0, NULL),
	E("evt.failed", F_EVT_FAILED, FT_BOOL, AV_YES, 0, NULL),
	E("evt.is_io", F_EVT_IS_IO, FT_BOOL, AV_YES, 0, NULL),
	E("evt.is_io_read", F_EVT_IS_IO_READ, FT_BOOL, AV_YES, 0, NULL),
	E("evt.is_io_write", F_EVT_IS_IO_WRITE, FT_BOOL, AV_YES, 0, NULL),
	E("evt.io_dir", F_EVT_IO_DIR, FT_STR, AV_YES, 0, NULL),
	E("evt.is_wait", F_EVT_IS_WAIT, FT_BOOL, AV_PARTIAL, 0,
	    "libsinsp event flags are not mapped"),
	E("evt.count", F_EVT_COUNT, FT_INT, AV_YES, 0, NULL),
	E("evt.is_syslog", F_EVT_IS_SYSLOG, FT_BOOL, AV_NO, 0, W_IO),
	E("evt.abspath", F_EVT_ABSPATH, FT_STR, AV_YES, FF_ARG_OPT, NULL),
	E("evt.is_open_read", F_EVT_IS_OPEN_READ, FT_BOOL, AV_YES, 0, NULL),
	E("evt.is_open_write", F_EVT_IS_OPEN_WRITE, FT_BOOL, AV_YES, 0, NULL),
	E("evt.is_open_exec", F_EVT_IS_OPEN_EXEC, FT_BOOL, AV_YES, 0, NULL),
	E("evt.is_open_create", F_EVT_IS_OPEN_CREATE, FT_BOOL, AV_YES, 0,
	    NULL),
	E("evt.hostname", F_EVT_HOSTNAME, FT_STR, AV_YES, 0, NULL),
	E("evt.source", F_EVT_SOURCE, FT_STR, AV_YES, 0, NULL),
	E("evt.is_async", F_EVT_IS_ASYNC, FT_BOOL, AV_YES, 0, NULL),
	E("evt.pluginname", F_EVT_PLUGINNAME, FT_STR, AV_NO, 0,
	    "no plugins"),

	/* proc.* */
	E("proc.exe", F_PROC_EXE, FT_STR, AV_YES, 0, NULL),
	E("proc.pexe", F_PROC_PEXE, FT_STR, AV_YES, 0, NULL),
	E("proc.aexe", F_PROC_AEXE, FT_STR, AV_YES,
	    FF_ARG_OPT | FF_ARG_INDEX | FF_ANCESTORS, NULL),
	E("proc.exepath", F_PROC_EXEPATH, FT_STR, AV_YES, 0, NULL),
	E("proc.pexepath", F_PROC_PEXEPATH, FT_STR, AV_YES, 0, NULL),
	E("proc.aexepath", F_PROC_AEXEPATH, FT_STR, AV_YES,
	    FF_ARG_OPT | FF_ARG_INDEX | FF_ANCESTORS, NULL),
	E("proc.name", F_PROC_NAME, FT_STR, AV_YES, 0, NULL),
	E("proc.pname", F_PROC_PNAME, FT_STR, AV_YES, 0, NULL),
	E("proc.aname", F_PROC_ANAME, FT_STR, AV_YES,
	    FF_ARG_OPT | FF_ARG_INDEX | FF_ANCESTORS, NULL),
	E("proc.args", F_PROC_ARGS, FT_STR, AV_YES, 0, NULL),
	E("proc.cmdline", F_PROC_CMDLINE, FT_STR, AV_YES, 0, NULL),
	E("proc.pcmdline", F_PROC_PCMDLINE, FT_STR, AV_YES, 0, NULL),
	E("proc.acmdline", F_PROC_ACMDLINE, FT_STR, AV_YES,
	    FF_ARG_OPT | FF_ARG_INDEX | FF_ANCESTORS, NULL),
	E("proc.cmdnargs", F_PROC_CMDNARGS, FT_INT, AV_YES, 0, NULL),
	E("proc.cmdlenargs", F_PROC_CMDLENARGS, FT_INT, AV_YES, 0, NULL),
	E("proc.exeline", F_PROC_EXELINE, FT_STR, AV_YES, 0, NULL),
	E("proc.env", F_PROC_ENV, FT_STR, AV_PARTIAL, FF_ARG_OPT,
	    "needs racy /proc/<pid>/environ reads"),
	E("proc.aenv", F_PROC_AENV, FT_STR, AV_PARTIAL, FF_ARG_OPT,
	    "needs racy /proc/<pid>/environ reads"),
	E("proc.cwd", F_PROC_CWD, FT_STR, AV_YES, 0, NULL),
	E("proc.loginshellid", F_PROC_LOGINSHELLID, FT_INT, AV_PARTIAL, 0,
	    W_PROC),
	E("proc.tty", F_PROC_TTY, FT_INT, AV_YES, 0, NULL),
	E("proc.pid", F_PROC_PID, FT_INT, AV_YES, 0, NULL),
	E("proc.ppid", F_PROC_PPID, FT_INT, AV_YES, 0, NULL),
	E("proc.apid", F_PROC_APID, FT_INT, AV_YES,
	    FF_ARG_OPT | FF_ARG_INDEX | FF_ANCESTORS, NULL),
	E("proc.vpid", F_PROC_VPID, FT_INT, AV_PARTIAL, 0, W_NS),
	E("proc.pvpid", F_PROC_PVPID, FT_INT, AV_PARTIAL, 0, W_NS),
	E("proc.sid", F_PROC_SID, FT_INT, AV_PARTIAL, 0, "the POSIX session "
	    "id is in /proc/<pid>/stat (audit ses= is the login session)"),
	E("proc.sname", F_PROC_SNAME, FT_STR, AV_PARTIAL, 0, W_PROC),
	E("proc.sid.exe", F_PROC_SID_EXE, FT_STR, AV_PARTIAL, 0, W_PROC),
	E("proc.sid.exepath", F_PROC_SID_EXEPATH, FT_STR, AV_PARTIAL, 0,
	    W_PROC),
	E("proc.vpgid", F_PROC_VPGID, FT_INT, AV_PARTIAL, 0, W_NS),
	E("proc.vpgid.name", F_PROC_VPGID_NAME, FT_STR, AV_PARTIAL, 0, W_NS),
	E("proc.vpgid.exe", F_PROC_VPGID_EXE, FT_STR, AV_PARTIAL, 0, W_NS),
	E("proc.vpgid.exepath", F_PROC_VPGID_EXEPATH, FT_STR, AV_PARTIAL, 0,
	    W_NS),
	E("proc.duration", F_PROC_DURATION, FT_RELTIME, AV_YES, 0, NULL),
	E("proc.ppid.duration", F_PROC_PPID_DURATION, FT_RELTIME, AV_YES, 0,
	    NULL),
	E("proc.pid.ts", F_PROC_PID_TS, FT_ABSTIME, AV_YES, 0, NULL),
	E("proc.ppid.ts", F_PROC_PPID_TS, FT_ABSTIME, AV_YES, 0, NULL),
	E("proc.is_exe_writable", F_PROC_IS_EXE_WRITABLE, FT_BOOL, AV_PARTIAL,
	    0, "needs an access() check of the executable (racy)"),
	E("proc.is_exe_upper_layer", F_PROC_IS_EXE_UPPER_LAYER, FT_BOOL,
	    AV_PARTIAL, 0, "overlayfs upper-layer flag is not audited"),
	E("proc.is_exe_from_memfd", F_PROC_IS_EXE_FROM_MEMFD, FT_BOOL,
	    AV_PARTIAL, 0, "heuristic: exe= starts with /memfd:"),
	E("proc.is_sid_leader", F_PROC_IS_SID_LEADER, FT_BOOL, AV_PARTIAL, 0,
	    W_PROC),
	E("proc.is_vpgid_leader", F_PROC_IS_VPGID_LEADER, FT_BOOL, AV_PARTIAL,
	    0, W_NS),
	E("proc.exe_ino", F_PROC_EXE_INO, FT_INT, AV_PARTIAL, 0,
	    "stat() of the executable after the fact (racy)"),
	E("proc.exe_ino.ctime", F_PROC_EXE_INO_CTIME, FT_ABSTIME, AV_PARTIAL,
	    0, "stat() of the executable after the fact (racy)"),
	E("proc.exe_ino.mtime", F_PROC_EXE_INO_MTIME, FT_ABSTIME, AV_PARTIAL,
	    0, "stat() of the executable after the fact (racy)"),
	E("proc.exe_ino.ctime_duration_proc_start",
	    F_PROC_EXE_INO_CTIME_DUR_PROC, FT_RELTIME, AV_PARTIAL, 0,
	    "stat() of the executable after the fact (racy)"),
	E("proc.exe_ino.ctime_duration_pidns_start",
	    F_PROC_EXE_INO_CTIME_DUR_PIDNS, FT_RELTIME, AV_PARTIAL, 0,
	    "stat() of the executable after the fact (racy)"),
	E("proc.pidns_init_start_ts", F_PROC_PIDNS_INIT_START_TS, FT_INT,
	    AV_PARTIAL, 0, W_NS),
	E("proc.nthreads", F_PROC_NTHREADS, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("proc.nchilds", F_PROC_NCHILDS, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("proc.fdopencount", F_PROC_FDOPENCOUNT, FT_INT, AV_NO, 0,
	    W_FDTABLE),
	E("proc.fdlimit", F_PROC_FDLIMIT, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("proc.fdusage", F_PROC_FDUSAGE, FT_INT, AV_NO, 0, W_FDTABLE),
	E("proc.vmsize", F_PROC_VMSIZE, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("proc.vmrss", F_PROC_VMRSS, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("proc.vmswap", F_PROC_VMSWAP, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("proc.pfmajor", F_PROC_PFMAJOR, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("proc.pfminor", F_PROC_PFMINOR, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("proc.is_container_healthcheck", F_PROC_IS_HEALTHCHECK, FT_BOOL,
	    AV_PARTIAL, 0, W_RUNTIME),
	E("proc.is_container_liveness_probe", F_PROC_IS_LIVENESS, FT_BOOL,
	    AV_PARTIAL, 0, W_RUNTIME),
	E("proc.is_container_readiness_probe", F_PROC_IS_READINESS, FT_BOOL,
	    AV_PARTIAL, 0, W_RUNTIME),
	E("proc.stdin.type", F_PROC_STDIN_TYPE, FT_STR, AV_NO, 0, W_FDTABLE),
	E("proc.stdin.name", F_PROC_STDIN_NAME, FT_STR, AV_NO, 0, W_FDTABLE),
	E("proc.stdout.type", F_PROC_STDOUT_TYPE, FT_STR, AV_NO, 0, W_FDTABLE),
	E("proc.stdout.name", F_PROC_STDOUT_NAME, FT_STR, AV_NO, 0, W_FDTABLE),
	E("proc.stderr.type", F_PROC_STDERR_TYPE, FT_STR, AV_NO, 0, W_FDTABLE),
	E("proc.stderr.name", F_PROC_STDERR_NAME, FT_STR, AV_NO, 0, W_FDTABLE),

	/* thread.* */
	E("thread.tid", F_THREAD_TID, FT_INT, AV_PARTIAL, 0, "audit pid= is "
	    "the thread group id"),
	E("thread.ismain", F_THREAD_ISMAIN, FT_BOOL, AV_PARTIAL, 0,
	    "audit pid= is the thread group id"),
	E("thread.vtid", F_THREAD_VTID, FT_INT, AV_PARTIAL, 0, W_NS),
	E("thread.exectime", F_THREAD_EXECTIME, FT_RELTIME, AV_NO, 0,
	    "scheduler switch events are not audited"),
	E("thread.totexectime", F_THREAD_TOTEXECTIME, FT_RELTIME, AV_NO, 0,
	    "scheduler switch events are not audited"),
	E("thread.cgroups", F_THREAD_CGROUPS, FT_STR, AV_PARTIAL, 0, W_PROC),
	E("thread.cgroup", F_THREAD_CGROUP, FT_STR, AV_PARTIAL, FF_ARG_REQ,
	    W_PROC),
	E("thread.nametid", F_THREAD_NAMETID, FT_STR, AV_PARTIAL, 0,
	    "audit pid= is the thread group id"),
	E("thread.cap_permitted", F_THREAD_CAP_PERMITTED, FT_STR, AV_PARTIAL,
	    0, W_CAP),
	E("thread.cap_inheritable", F_THREAD_CAP_INHERITABLE, FT_STR,
	    AV_PARTIAL, 0, W_CAP),
	E("thread.cap_effective", F_THREAD_CAP_EFFECTIVE, FT_STR, AV_PARTIAL,
	    0, W_CAP),
	E("thread.vmsize", F_THREAD_VMSIZE, FT_INT, AV_PARTIAL, 0, W_PROC),
	E("thread.vmrss", F_THREAD_VMRSS, FT_INT, AV_PARTIAL, 0, W_PROC),

	/* user.*, group.* */
	E("user.uid", F_USER_UID, FT_INT, AV_YES, 0, NULL),
	E("user.name", F_USER_NAME, FT_STR, AV_YES, 0, NULL),
	E("user.homedir", F_USER_HOMEDIR, FT_STR, AV_PARTIAL, 0,
	    "passwd lookup not provided by the enricher"),
	E("user.shell", F_USER_SHELL, FT_STR, AV_PARTIAL, 0,
	    "passwd lookup not provided by the enricher"),
	E("user.loginuid", F_USER_LOGINUID, FT_INT, AV_YES, 0, NULL),
	E("user.loginname", F_USER_LOGINNAME, FT_STR, AV_YES, 0, NULL),
	E("group.gid", F_GROUP_GID, FT_INT, AV_YES, 0, NULL),
	E("group.name", F_GROUP_NAME, FT_STR, AV_YES, 0, NULL),

	/* fd.* */
	E("fd.num", F_FD_NUM, FT_INT, AV_YES, 0, NULL),
	E("fd.type", F_FD_TYPE, FT_STR, AV_PARTIAL, 0, "known for opens and "
	    "socket calls only; other syscalls (dup of a socket) need an fd "
	    "table"),
	E("fd.typechar", F_FD_TYPECHAR, FT_STR, AV_YES, 0, NULL),
	E("fd.name", F_FD_NAME, FT_STR, AV_YES, 0, NULL),
	E("fd.directory", F_FD_DIRECTORY, FT_STR, AV_YES, 0, NULL),
	E("fd.filename", F_FD_FILENAME, FT_STR, AV_YES, 0, NULL),
	E("fd.ip", F_FD_IP, FT_IPADDR, AV_YES, FF_FILTER_ONLY, NULL),
	E("fd.cip", F_FD_CIP, FT_IPADDR, AV_PARTIAL, 0, "known on accept "
	    "(the peer's SOCKADDR) only; the local address of a connect is "
	    "not audited"),
	E("fd.sip", F_FD_SIP, FT_IPADDR, AV_YES, 0, NULL),
	E("fd.lip", F_FD_LIP, FT_IPADDR, AV_PARTIAL, 0, "the local address "
	    "is not audited (connect: the client's; accept: the listening "
	    "socket's)"),
	E("fd.rip", F_FD_RIP, FT_IPADDR, AV_YES, 0, NULL),
	E("fd.port", F_FD_PORT, FT_INT, AV_YES, FF_FILTER_ONLY, NULL),
	E("fd.cport", F_FD_CPORT, FT_INT, AV_PARTIAL, 0, "known on accept "
	    "(the peer's SOCKADDR) only; the local port of a connect is not "
	    "audited"),
	E("fd.sport", F_FD_SPORT, FT_INT, AV_YES, 0, NULL),
	E("fd.lport", F_FD_LPORT, FT_INT, AV_PARTIAL, 0, "the local port is "
	    "not audited (connect: the ephemeral port; accept: the listening "
	    "port); only a racy /proc/net lookup would give it"),
	E("fd.rport", F_FD_RPORT, FT_INT, AV_YES, 0, NULL),
	E("fd.l4proto", F_FD_L4PROTO, FT_STR, AV_PARTIAL, 0, "known on "
	    "socket() events only (type and protocol arguments); connect, "
	    "sendto and accept records carry no socket type"),
	E("fd.sockfamily", F_FD_SOCKFAMILY, FT_STR, AV_PARTIAL, 0,
	    "SOCKADDR is recorded for outbound calls only"),
	E("fd.is_server", F_FD_IS_SERVER, FT_BOOL, AV_PARTIAL, 0, "known on "
	    "connect, sendto, bind and accept; other syscalls need a "
	    "file-descriptor table"),
	E("fd.uid", F_FD_UID, FT_STR, AV_NO, 0, W_SINSP),
	E("fd.containername", F_FD_CONTAINERNAME, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("fd.containerdirectory", F_FD_CONTAINERDIRECTORY, FT_STR,
	    AV_PARTIAL, 0, W_RUNTIME),
	E("fd.proto", F_FD_PROTO, FT_INT, AV_PARTIAL, 0, W_FDTABLE),
	E("fd.cproto", F_FD_CPROTO, FT_STR, AV_PARTIAL, 0, W_FDTABLE),
	E("fd.sproto", F_FD_SPROTO, FT_STR, AV_PARTIAL, 0, W_FDTABLE),
	E("fd.lproto", F_FD_LPROTO, FT_STR, AV_PARTIAL, 0, W_FDTABLE),
	E("fd.rproto", F_FD_RPROTO, FT_STR, AV_PARTIAL, 0, W_FDTABLE),
	E("fd.net", F_FD_NET, FT_IPNET, AV_YES, FF_FILTER_ONLY, NULL),
	E("fd.cnet", F_FD_CNET, FT_IPNET, AV_PARTIAL, FF_FILTER_ONLY,
	    "known on accept only; the local address of a connect is not "
	    "audited"),
	E("fd.snet", F_FD_SNET, FT_IPNET, AV_YES, FF_FILTER_ONLY, NULL),
	E("fd.lnet", F_FD_LNET, FT_IPNET, AV_PARTIAL, FF_FILTER_ONLY,
	    "the local address is not audited"),
	E("fd.rnet", F_FD_RNET, FT_IPNET, AV_YES, FF_FILTER_ONLY, NULL),
	E("fd.connected", F_FD_CONNECTED, FT_BOOL, AV_NO, 0, W_SINSP),
	E("fd.name_changed", F_FD_NAME_CHANGED, FT_BOOL, AV_NO, 0, W_SINSP),
	E("fd.cip.name", F_FD_CIP_NAME, FT_STR, AV_PARTIAL, 0, W_DNS),
	E("fd.sip.name", F_FD_SIP_NAME, FT_STR, AV_PARTIAL, 0, W_DNS),
	E("fd.lip.name", F_FD_LIP_NAME, FT_STR, AV_PARTIAL, 0, W_DNS),
	E("fd.rip.name", F_FD_RIP_NAME, FT_STR, AV_PARTIAL, 0, W_DNS),
	E("fd.dev", F_FD_DEV, FT_INT, AV_YES, 0, NULL),
	E("fd.dev.major", F_FD_DEV_MAJOR, FT_INT, AV_YES, 0, NULL),
	E("fd.dev.minor", F_FD_DEV_MINOR, FT_INT, AV_YES, 0, NULL),
	E("fd.ino", F_FD_INO, FT_INT, AV_YES, 0, NULL),
	E("fd.nameraw", F_FD_NAMERAW, FT_STR, AV_YES, 0, NULL),
	E("fd.types", F_FD_TYPES, FT_STR, AV_PARTIAL,
	    FF_LIST | FF_ARG_OPT | FF_ARG_INDEX, W_FDTABLE),
	E("fdlist.nums", F_FDLIST_NUMS, FT_INT, AV_NO, FF_LIST, W_FDTABLE),
	E("fdlist.names", F_FDLIST_NAMES, FT_STR, AV_NO, FF_LIST, W_FDTABLE),
	E("fdlist.cips", F_FDLIST_CIPS, FT_IPADDR, AV_NO, FF_LIST, W_FDTABLE),
	E("fdlist.sips", F_FDLIST_SIPS, FT_IPADDR, AV_NO, FF_LIST, W_FDTABLE),
	E("fdlist.cports", F_FDLIST_CPORTS, FT_INT, AV_NO, FF_LIST, W_FDTABLE),
	E("fdlist.sports", F_FDLIST_SPORTS, FT_INT, AV_NO, FF_LIST, W_FDTABLE),

	/* fs.path.* */
	E("fs.path.name", F_FS_PATH_NAME, FT_STR, AV_YES, 0, NULL),
	E("fs.path.nameraw", F_FS_PATH_NAMERAW, FT_STR, AV_YES, 0, NULL),
	E("fs.path.source", F_FS_PATH_SOURCE, FT_STR, AV_YES, 0, NULL),
	E("fs.path.sourceraw", F_FS_PATH_SOURCERAW, FT_STR, AV_YES, 0, NULL),
	E("fs.path.target", F_FS_PATH_TARGET, FT_STR, AV_YES, 0, NULL),
	E("fs.path.targetraw", F_FS_PATH_TARGETRAW, FT_STR, AV_YES, 0, NULL),

	/* container.* (Falco's container plugin) */
	E("container.id", F_CT_ID, FT_STR, AV_YES, 0, NULL),
	E("container.full_id", F_CT_FULL_ID, FT_STR, AV_YES, 0, NULL),
	E("container.name", F_CT_NAME, FT_STR, AV_PARTIAL, 0, W_RUNTIME),
	E("container.image", F_CT_IMAGE, FT_STR, AV_PARTIAL, 0, W_RUNTIME),
	E("container.image.id", F_CT_IMAGE_ID, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.image.repository", F_CT_IMAGE_REPOSITORY, FT_STR,
	    AV_PARTIAL, 0, W_RUNTIME),
	E("container.image.tag", F_CT_IMAGE_TAG, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.image.digest", F_CT_IMAGE_DIGEST, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.type", F_CT_TYPE, FT_STR, AV_YES, 0, NULL),
	E("container.privileged", F_CT_PRIVILEGED, FT_BOOL, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.mounts", F_CT_MOUNTS, FT_STR, AV_PARTIAL, 0, W_RUNTIME),
	E("container.mount", F_CT_MOUNT, FT_STR, AV_PARTIAL, FF_ARG_REQ,
	    W_RUNTIME),
	E("container.mount.source", F_CT_MOUNT_SOURCE, FT_STR, AV_PARTIAL,
	    FF_ARG_REQ, W_RUNTIME),
	E("container.mount.dest", F_CT_MOUNT_DEST, FT_STR, AV_PARTIAL,
	    FF_ARG_REQ, W_RUNTIME),
	E("container.mount.mode", F_CT_MOUNT_MODE, FT_STR, AV_PARTIAL,
	    FF_ARG_REQ, W_RUNTIME),
	E("container.mount.rdwr", F_CT_MOUNT_RDWR, FT_STR, AV_PARTIAL,
	    FF_ARG_REQ, W_RUNTIME),
	E("container.mount.propagation", F_CT_MOUNT_PROPAGATION, FT_STR,
	    AV_PARTIAL, FF_ARG_REQ, W_RUNTIME),
	E("container.healthcheck", F_CT_HEALTHCHECK, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.liveness_probe", F_CT_LIVENESS, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.readiness_probe", F_CT_READINESS, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.start_ts", F_CT_START_TS, FT_ABSTIME, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.duration", F_CT_DURATION, FT_RELTIME, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.ip", F_CT_IP, FT_STR, AV_PARTIAL, 0, W_RUNTIME),
	E("container.cni.json", F_CT_CNI_JSON, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.host_pid", F_CT_HOST_PID, FT_BOOL, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.host_network", F_CT_HOST_NETWORK, FT_BOOL, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.host_ipc", F_CT_HOST_IPC, FT_BOOL, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("container.label", F_CT_LABEL, FT_STR, AV_PARTIAL, FF_ARG_REQ,
	    W_RUNTIME),
	E("container.labels", F_CT_LABELS, FT_STR, AV_PARTIAL, 0, W_RUNTIME),

	/* k8s.* */
	E("k8s.pod.name", F_K8S_POD_NAME, FT_STR, AV_PARTIAL, 0, W_RUNTIME),
	E("k8s.pod.id", F_K8S_POD_ID, FT_STR, AV_YES, 0, NULL),
	E("k8s.pod.uid", F_K8S_POD_UID, FT_STR, AV_YES, 0, NULL),
	E("k8s.pod.sandbox_id", F_K8S_POD_SANDBOX_ID, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("k8s.pod.full_sandbox_id", F_K8S_POD_FULL_SANDBOX_ID, FT_STR,
	    AV_PARTIAL, 0, W_RUNTIME),
	E("k8s.pod.label", F_K8S_POD_LABEL, FT_STR, AV_PARTIAL, FF_ARG_REQ,
	    W_RUNTIME),
	E("k8s.pod.labels", F_K8S_POD_LABELS, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("k8s.pod.ip", F_K8S_POD_IP, FT_STR, AV_PARTIAL, 0, W_RUNTIME),
	E("k8s.pod.cni.json", F_K8S_POD_CNI_JSON, FT_STR, AV_PARTIAL, 0,
	    W_RUNTIME),
	E("k8s.ns.name", F_K8S_NS_NAME, FT_STR, AV_PARTIAL, 0, W_RUNTIME),

	/* audit.* (auditwatch extras) */
	E("audit.key", F_AUDIT_KEY, FT_STR, AV_YES, 0, NULL),
	E("audit.serial", F_AUDIT_SERIAL, FT_INT, AV_YES, 0, NULL),
	E("audit.auid", F_AUDIT_AUID, FT_INT, AV_YES, 0, NULL),
	E("audit.ses", F_AUDIT_SES, FT_INT, AV_YES, 0, NULL),
	E("audit.arch", F_AUDIT_ARCH, FT_STR, AV_YES, 0, NULL),
	E("audit.types", F_AUDIT_TYPES, FT_STR, AV_YES, FF_LIST, NULL),
	E("audit.syscall", F_AUDIT_SYSCALL, FT_INT, AV_YES, 0, NULL),
	E("audit.success", F_AUDIT_SUCCESS, FT_BOOL, AV_YES, 0, NULL),
	E("audit.exit", F_AUDIT_EXIT, FT_INT, AV_YES, 0, NULL),
	E("audit.node", F_AUDIT_NODE, FT_STR, AV_YES, 0, NULL),
	E("audit.arg", F_AUDIT_ARG, FT_INT, AV_YES,
	    FF_ARG_REQ | FF_ARG_INDEX, NULL),
	E("audit.uid", F_AUDIT_UID, FT_INT, AV_YES, 0, NULL),
	E("audit.gid", F_AUDIT_GID, FT_INT, AV_YES, 0, NULL),
	E("audit.euid", F_AUDIT_EUID, FT_INT, AV_YES, 0, NULL),
	E("audit.egid", F_AUDIT_EGID, FT_INT, AV_YES, 0, NULL),
	E("audit.suid", F_AUDIT_SUID, FT_INT, AV_YES, 0, NULL),
	E("audit.sgid", F_AUDIT_SGID, FT_INT, AV_YES, 0, NULL),
	E("audit.fsuid", F_AUDIT_FSUID, FT_INT, AV_YES, 0, NULL),
	E("audit.fsgid", F_AUDIT_FSGID, FT_INT, AV_YES, 0, NULL),
	E("audit.subj", F_AUDIT_SUBJ, FT_STR, AV_YES, 0, NULL),
	E("audit.items", F_AUDIT_ITEMS, FT_INT, AV_YES, 0, NULL),
	E("audit.closed_by", F_AUDIT_CLOSED_BY, FT_STR, AV_YES, 0, NULL),
	E("audit.proctitle", F_AUDIT_PROCTITLE, FT_STR, AV_YES, 0, NULL),
	E("audit.argv_incomplete", F_AUDIT_ARGV_INCOMPLETE, FT_BOOL, AV_YES, 0,
	    NULL),
};

#define NFIELDS (sizeof(field_table) / sizeof(field_table[0]))

struct fentry {
	const struct aw_field *f;
	UT_hash_handle hh;
};

/* ---------------------------------------------------------- evt.arg names */

enum argcode {
	A_FD, A_NAME, A_FLAGS, A_MODE, A_DEV, A_INO, A_DIRFD, A_RES, A_EXE,
	A_ARGS, A_TID, A_PID, A_PTID, A_CWD, A_COMM, A_FILENAME, A_PATHNAME,
	A_TUPLE, A_ADDR, A_DOMAIN, A_TYPE, A_PROTO, A_SIZE, A_DATA,
	A_REQUEST, A_UID, A_GID, A_EUID, A_RUID, A_SUID, A_EGID, A_RGID,
	A_SGID, A_NSTYPE, A_TARGET, A_LINKPATH, A_LINKDIRFD, A_OLDPATH,
	A_NEWPATH, A_OLDDIR, A_NEWDIR, A_OLDDIRFD, A_NEWDIRFD, A_PATH, A_LEN,
	A_UARGS, A_CMD, A_RES_OR_FD, A_OLDFD, A_NEWFD, A_SIG, A_BACKLOG,
	A_OPTION, A_ARG2, A_RESOLVE, A_LENGTH, A_PROT, A_ARGUMENT, A_DIR,
	A_LOGINUID, A_TTY, A_ENV, A_COUNT
};

static const struct {
	const char *name;
	int avail;
	int numeric;		/* evt.rawarg type */
	const char *why;
} argnames[A_COUNT] = {
	[A_FD] = { "fd", AV_YES, 1, NULL },
	[A_NAME] = { "name", AV_YES, 0, NULL },
	[A_FLAGS] = { "flags", AV_PARTIAL, 1, "openat2, execve and some "
	    "syscalls keep flags out of the audit record" },
	[A_MODE] = { "mode", AV_YES, 1, NULL },
	[A_DEV] = { "dev", AV_YES, 1, NULL },
	[A_INO] = { "ino", AV_YES, 1, NULL },
	[A_DIRFD] = { "dirfd", AV_YES, 1, NULL },
	[A_RES] = { "res", AV_YES, 1, NULL },
	[A_EXE] = { "exe", AV_YES, 0, NULL },
	[A_ARGS] = { "args", AV_YES, 0, NULL },
	[A_TID] = { "tid", AV_YES, 1, NULL },
	[A_PID] = { "pid", AV_YES, 1, NULL },
	[A_PTID] = { "ptid", AV_YES, 1, NULL },
	[A_CWD] = { "cwd", AV_YES, 0, NULL },
	[A_COMM] = { "comm", AV_YES, 0, NULL },
	[A_FILENAME] = { "filename", AV_YES, 0, NULL },
	[A_PATHNAME] = { "pathname", AV_YES, 0, NULL },
	[A_TUPLE] = { "tuple", AV_YES, 0, NULL },
	[A_ADDR] = { "addr", AV_YES, 0, NULL },
	[A_DOMAIN] = { "domain", AV_YES, 1, NULL },
	[A_TYPE] = { "type", AV_YES, 1, NULL },
	[A_PROTO] = { "proto", AV_YES, 1, NULL },
	[A_SIZE] = { "size", AV_YES, 1, NULL },
	[A_DATA] = { "data", AV_NO, 0, "I/O data is never audited" },
	[A_REQUEST] = { "request", AV_YES, 1, NULL },
	[A_UID] = { "uid", AV_YES, 1, NULL },
	[A_GID] = { "gid", AV_YES, 1, NULL },
	[A_EUID] = { "euid", AV_YES, 1, NULL },
	[A_RUID] = { "ruid", AV_YES, 1, NULL },
	[A_SUID] = { "suid", AV_YES, 1, NULL },
	[A_EGID] = { "egid", AV_YES, 1, NULL },
	[A_RGID] = { "rgid", AV_YES, 1, NULL },
	[A_SGID] = { "sgid", AV_YES, 1, NULL },
	[A_NSTYPE] = { "nstype", AV_YES, 1, NULL },
	[A_TARGET] = { "target", AV_YES, 0, NULL },
	[A_LINKPATH] = { "linkpath", AV_YES, 0, NULL },
	[A_LINKDIRFD] = { "linkdirfd", AV_YES, 1, NULL },
	[A_OLDPATH] = { "oldpath", AV_YES, 0, NULL },
	[A_NEWPATH] = { "newpath", AV_YES, 0, NULL },
	[A_OLDDIR] = { "olddir", AV_YES, 1, NULL },
	[A_NEWDIR] = { "newdir", AV_YES, 1, NULL },
	[A_OLDDIRFD] = { "olddirfd", AV_YES, 1, NULL },
	[A_NEWDIRFD] = { "newdirfd", AV_YES, 1, NULL },
	[A_PATH] = { "path", AV_YES, 0, NULL },
	[A_LEN] = { "len", AV_YES, 1, NULL },
	[A_UARGS] = { "uargs", AV_NO, 0, "module arguments are behind a "
	    "pointer" },
	[A_CMD] = { "cmd", AV_YES, 1, NULL },
	[A_RES_OR_FD] = { "res_or_fd", AV_YES, 1, NULL },
	[A_OLDFD] = { "oldfd", AV_YES, 1, NULL },
	[A_NEWFD] = { "newfd", AV_YES, 1, NULL },
	[A_SIG] = { "sig", AV_YES, 1, NULL },
	[A_BACKLOG] = { "backlog", AV_YES, 1, NULL },
	[A_OPTION] = { "option", AV_YES, 1, NULL },
	[A_ARG2] = { "arg2", AV_YES, 1, NULL },
	[A_RESOLVE] = { "resolve", AV_NO, 1, "openat2 keeps it behind a "
	    "pointer" },
	[A_LENGTH] = { "length", AV_YES, 1, NULL },
	[A_PROT] = { "prot", AV_YES, 1, NULL },
	[A_ARGUMENT] = { "argument", AV_YES, 1, NULL },
	[A_DIR] = { "dir", AV_YES, 0, NULL },
	[A_LOGINUID] = { "loginuid", AV_YES, 1, NULL },
	[A_TTY] = { "tty", AV_YES, 1, NULL },
	[A_ENV] = { "env", AV_PARTIAL, 0, "needs racy /proc/<pid>/environ "
	    "reads" },
};

/* Where a parameter comes from, and how it is rendered. */
enum src {
	S_RES, S_A0, S_A1, S_A2, S_A3, S_PATH, S_SOCK, S_EXE, S_ARGS, S_CWD,
	S_PID, S_PPID, S_COMM, S_NONE, S_DEV, S_INO, S_AUID, S_TTY,
};
enum render {
	R_DEC, R_FD, R_HEX, R_OCT, R_OPENFLAGS, R_MODEFLAGS, R_PTRACE, R_AF,
	R_SOCKTYPE, R_CLONE, R_BPFCMD, R_UNLINKFLAGS, R_UID, R_GID,
};
enum psel {			/* which PATH item */
	PS_MAIN, PS_NORMAL, PS_DELETE, PS_CREATE, PS_UNKNOWN, PS_ITEM0,
};

struct argdef {
	uint8_t code;
	uint8_t src;
	uint8_t how;		/* render (A*, RES) or psel (PATH) */
	uint8_t raw;		/* PATH: not resolved against cwd */
};

struct scspec {
	const char *name;
	struct argdef a[8];
	int n;
	UT_hash_handle hh;
};

#define RES(c)		{ c, S_RES, R_DEC, 0 }
#define RESFD(c)	{ c, S_RES, R_FD, 0 }
#define AR(c, i, r)	{ c, S_A0 + (i), r, 0 }
#define PATH(c, s)	{ c, S_PATH, s, 0 }
#define PATHRAW(c, s)	{ c, S_PATH, s, 1 }
#define SRC(c, s)	{ c, s, 0, 0 }

static struct scspec specs[] = {
	{ "open", { RESFD(A_FD), PATH(A_NAME, PS_MAIN),
	    AR(A_FLAGS, 1, R_OPENFLAGS), AR(A_MODE, 2, R_OCT), SRC(A_DEV, S_DEV),
	    SRC(A_INO, S_INO) }, 6, { 0 } },
	{ "openat", { RESFD(A_FD), AR(A_DIRFD, 0, R_FD), PATH(A_NAME, PS_MAIN),
	    AR(A_FLAGS, 2, R_OPENFLAGS), AR(A_MODE, 3, R_OCT),
	    SRC(A_DEV, S_DEV), SRC(A_INO, S_INO) }, 7, { 0 } },
	{ "openat2", { RESFD(A_FD), AR(A_DIRFD, 0, R_FD),
	    PATH(A_NAME, PS_MAIN), SRC(A_FLAGS, S_NONE), SRC(A_MODE, S_NONE),
	    SRC(A_RESOLVE, S_NONE), SRC(A_DEV, S_DEV), SRC(A_INO, S_INO) }, 8,
	    { 0 } },
	{ "creat", { RESFD(A_FD), PATH(A_NAME, PS_MAIN), AR(A_MODE, 1, R_OCT),
	    SRC(A_DEV, S_DEV), SRC(A_INO, S_INO) }, 5, { 0 } },
	{ "execve", { RES(A_RES), SRC(A_EXE, S_EXE), SRC(A_ARGS, S_ARGS),
	    SRC(A_TID, S_PID), SRC(A_PID, S_PID), SRC(A_PTID, S_PPID),
	    SRC(A_CWD, S_CWD), PATHRAW(A_FILENAME, PS_ITEM0) }, 8, { 0 } },
	{ "execveat", { RES(A_RES), SRC(A_EXE, S_EXE), SRC(A_ARGS, S_ARGS),
	    SRC(A_PID, S_PID), SRC(A_PTID, S_PPID), AR(A_DIRFD, 0, R_FD),
	    PATHRAW(A_PATHNAME, PS_ITEM0), SRC(A_FLAGS, S_NONE) }, 8, { 0 } },
	{ "connect", { RES(A_RES), SRC(A_TUPLE, S_SOCK), AR(A_FD, 0, R_FD),
	    SRC(A_ADDR, S_SOCK) }, 4, { 0 } },
	{ "bind", { RES(A_RES), SRC(A_ADDR, S_SOCK), AR(A_FD, 0, R_FD) }, 3,
	    { 0 } },
	{ "listen", { RES(A_RES), AR(A_FD, 0, R_FD), AR(A_BACKLOG, 1, R_DEC) },
	    3, { 0 } },
	{ "accept", { RESFD(A_FD), SRC(A_TUPLE, S_NONE) }, 2, { 0 } },
	{ "accept4", { RESFD(A_FD), SRC(A_TUPLE, S_NONE),
	    AR(A_FLAGS, 3, R_DEC) }, 3, { 0 } },
	{ "socket", { RESFD(A_FD), AR(A_DOMAIN, 0, R_AF),
	    AR(A_TYPE, 1, R_SOCKTYPE), AR(A_PROTO, 2, R_DEC) }, 4, { 0 } },
	{ "sendto", { RES(A_RES), AR(A_FD, 0, R_FD), AR(A_SIZE, 2, R_DEC),
	    SRC(A_TUPLE, S_SOCK), SRC(A_DATA, S_NONE) }, 5, { 0 } },
	{ "sendmsg", { RES(A_RES), AR(A_FD, 0, R_FD), SRC(A_TUPLE, S_SOCK),
	    SRC(A_DATA, S_NONE) }, 4, { 0 } },
	{ "recvfrom", { RES(A_RES), AR(A_FD, 0, R_FD), AR(A_SIZE, 2, R_DEC),
	    SRC(A_TUPLE, S_NONE), SRC(A_DATA, S_NONE) }, 5, { 0 } },
	{ "recvmsg", { RES(A_RES), AR(A_FD, 0, R_FD), SRC(A_TUPLE, S_NONE),
	    SRC(A_DATA, S_NONE) }, 4, { 0 } },
	{ "ptrace", { RES(A_RES), AR(A_ADDR, 2, R_HEX), AR(A_DATA, 3, R_HEX),
	    AR(A_REQUEST, 0, R_PTRACE), AR(A_PID, 1, R_DEC) }, 5, { 0 } },
	{ "setuid", { RES(A_RES), AR(A_UID, 0, R_UID) }, 2, { 0 } },
	{ "setgid", { RES(A_RES), AR(A_GID, 0, R_GID) }, 2, { 0 } },
	{ "setfsuid", { RES(A_RES), AR(A_UID, 0, R_UID) }, 2, { 0 } },
	{ "setfsgid", { RES(A_RES), AR(A_GID, 0, R_GID) }, 2, { 0 } },
	{ "setreuid", { RES(A_RES), AR(A_RUID, 0, R_UID),
	    AR(A_EUID, 1, R_UID) }, 3, { 0 } },
	{ "setregid", { RES(A_RES), AR(A_RGID, 0, R_GID),
	    AR(A_EGID, 1, R_GID) }, 3, { 0 } },
	{ "setresuid", { RES(A_RES), AR(A_RUID, 0, R_UID),
	    AR(A_EUID, 1, R_UID), AR(A_SUID, 2, R_UID) }, 4, { 0 } },
	{ "setresgid", { RES(A_RES), AR(A_RGID, 0, R_GID),
	    AR(A_EGID, 1, R_GID), AR(A_SGID, 2, R_GID) }, 4, { 0 } },
	{ "setns", { RES(A_RES), AR(A_FD, 0, R_FD), AR(A_NSTYPE, 1, R_CLONE) },
	    3, { 0 } },
	{ "unshare", { RES(A_RES), AR(A_FLAGS, 0, R_CLONE) }, 2, { 0 } },
	{ "symlink", { RES(A_RES), PATHRAW(A_TARGET, PS_UNKNOWN),
	    PATH(A_LINKPATH, PS_CREATE) }, 3, { 0 } },
	{ "symlinkat", { RES(A_RES), PATHRAW(A_TARGET, PS_UNKNOWN),
	    AR(A_LINKDIRFD, 1, R_FD), PATH(A_LINKPATH, PS_CREATE) }, 4, { 0 } },
	{ "link", { RES(A_RES), PATH(A_OLDPATH, PS_NORMAL),
	    PATH(A_NEWPATH, PS_CREATE) }, 3, { 0 } },
	{ "linkat", { RES(A_RES), AR(A_OLDDIR, 0, R_FD),
	    PATH(A_OLDPATH, PS_NORMAL), AR(A_NEWDIR, 2, R_FD),
	    PATH(A_NEWPATH, PS_CREATE), SRC(A_FLAGS, S_NONE) }, 6, { 0 } },
	{ "rename", { RES(A_RES), PATH(A_OLDPATH, PS_DELETE),
	    PATH(A_NEWPATH, PS_CREATE) }, 3, { 0 } },
	{ "renameat", { RES(A_RES), AR(A_OLDDIRFD, 0, R_FD),
	    PATH(A_OLDPATH, PS_DELETE), AR(A_NEWDIRFD, 2, R_FD),
	    PATH(A_NEWPATH, PS_CREATE) }, 5, { 0 } },
	{ "renameat2", { RES(A_RES), AR(A_OLDDIRFD, 0, R_FD),
	    PATH(A_OLDPATH, PS_DELETE), AR(A_NEWDIRFD, 2, R_FD),
	    PATH(A_NEWPATH, PS_CREATE), SRC(A_FLAGS, S_NONE) }, 6, { 0 } },
	{ "unlink", { RES(A_RES), PATH(A_PATH, PS_DELETE) }, 2, { 0 } },
	{ "unlinkat", { RES(A_RES), AR(A_DIRFD, 0, R_FD),
	    PATH(A_NAME, PS_DELETE), AR(A_FLAGS, 2, R_UNLINKFLAGS) }, 4, { 0 } },
	{ "mkdir", { RES(A_RES), PATH(A_PATH, PS_CREATE), AR(A_MODE, 1, R_OCT) },
	    3, { 0 } },
	{ "mkdirat", { RES(A_RES), AR(A_DIRFD, 0, R_FD),
	    PATH(A_PATH, PS_CREATE), AR(A_MODE, 2, R_OCT) }, 4, { 0 } },
	{ "rmdir", { RES(A_RES), PATH(A_PATH, PS_DELETE) }, 2, { 0 } },
	{ "chmod", { RES(A_RES), PATH(A_FILENAME, PS_MAIN),
	    AR(A_MODE, 1, R_MODEFLAGS) }, 3, { 0 } },
	{ "fchmod", { RES(A_RES), AR(A_FD, 0, R_FD),
	    AR(A_MODE, 1, R_MODEFLAGS) }, 3, { 0 } },
	{ "fchmodat", { RES(A_RES), AR(A_DIRFD, 0, R_FD),
	    PATH(A_FILENAME, PS_MAIN), AR(A_MODE, 2, R_MODEFLAGS) }, 4, { 0 } },
	{ "chown", { RES(A_RES), PATH(A_PATH, PS_MAIN), AR(A_UID, 1, R_UID),
	    AR(A_GID, 2, R_GID) }, 4, { 0 } },
	{ "lchown", { RES(A_RES), PATH(A_PATH, PS_MAIN), AR(A_UID, 1, R_UID),
	    AR(A_GID, 2, R_GID) }, 4, { 0 } },
	{ "fchown", { RES(A_RES), AR(A_FD, 0, R_FD), AR(A_UID, 1, R_UID),
	    AR(A_GID, 2, R_GID) }, 4, { 0 } },
	{ "fchownat", { RES(A_RES), AR(A_DIRFD, 0, R_FD),
	    PATH(A_PATHNAME, PS_MAIN), AR(A_UID, 2, R_UID),
	    AR(A_GID, 3, R_GID), SRC(A_FLAGS, S_NONE) }, 6, { 0 } },
	{ "init_module", { RES(A_RES), AR(A_LEN, 1, R_DEC),
	    SRC(A_UARGS, S_NONE) }, 3, { 0 } },
	{ "finit_module", { RES(A_RES), AR(A_FD, 0, R_FD),
	    SRC(A_UARGS, S_NONE), AR(A_FLAGS, 2, R_DEC) }, 4, { 0 } },
	{ "bpf", { RESFD(A_RES_OR_FD), AR(A_CMD, 0, R_BPFCMD) }, 2, { 0 } },
	{ "dup", { RESFD(A_RES), AR(A_OLDFD, 0, R_FD) }, 2, { 0 } },
	{ "dup2", { RESFD(A_RES), AR(A_OLDFD, 0, R_FD), AR(A_NEWFD, 1, R_FD) },
	    3, { 0 } },
	{ "dup3", { RESFD(A_RES), AR(A_OLDFD, 0, R_FD), AR(A_NEWFD, 1, R_FD),
	    AR(A_FLAGS, 2, R_DEC) }, 4, { 0 } },
	{ "memfd_create", { RESFD(A_FD), SRC(A_NAME, S_NONE),
	    AR(A_FLAGS, 1, R_DEC) }, 3, { 0 } },
	{ "userfaultfd", { RESFD(A_RES), AR(A_FLAGS, 0, R_DEC) }, 2, { 0 } },
	{ "kill", { RES(A_RES), AR(A_PID, 0, R_DEC), AR(A_SIG, 1, R_DEC) }, 3,
	    { 0 } },
	{ "tgkill", { RES(A_RES), AR(A_PID, 0, R_DEC), AR(A_TID, 1, R_DEC),
	    AR(A_SIG, 2, R_DEC) }, 4, { 0 } },
	{ "chdir", { RES(A_RES), PATH(A_PATH, PS_MAIN) }, 2, { 0 } },
	{ "fchdir", { RES(A_RES), AR(A_FD, 0, R_FD) }, 2, { 0 } },
	{ "prctl", { RES(A_RES), AR(A_OPTION, 0, R_DEC), AR(A_ARG2, 1, R_DEC) },
	    3, { 0 } },
	{ "mprotect", { RES(A_RES), AR(A_ADDR, 0, R_HEX),
	    AR(A_LENGTH, 1, R_DEC), AR(A_PROT, 2, R_DEC) }, 4, { 0 } },
	{ "ioctl", { RES(A_RES), AR(A_FD, 0, R_FD), AR(A_REQUEST, 1, R_HEX),
	    AR(A_ARGUMENT, 2, R_HEX) }, 4, { 0 } },
	{ "close", { RES(A_RES), AR(A_FD, 0, R_FD) }, 2, { 0 } },
	{ "read", { RES(A_RES), AR(A_FD, 0, R_FD), AR(A_SIZE, 2, R_DEC),
	    SRC(A_DATA, S_NONE) }, 4, { 0 } },
	{ "write", { RES(A_RES), AR(A_FD, 0, R_FD), AR(A_SIZE, 2, R_DEC),
	    SRC(A_DATA, S_NONE) }, 4, { 0 } },
	{ "umount2", { RES(A_RES), PATH(A_NAME, PS_MAIN),
	    AR(A_FLAGS, 1, R_DEC) }, 3, { 0 } },
	{ "mount", { RES(A_RES), SRC(A_DEV, S_NONE), PATH(A_DIR, PS_MAIN),
	    SRC(A_TYPE, S_NONE), AR(A_FLAGS, 3, R_HEX) }, 5, { 0 } },
	{ "clone", { RES(A_RES), AR(A_FLAGS, 0, R_CLONE) }, 2, { 0 } },
	{ "fork", { RES(A_RES) }, 1, { 0 } },
	{ "vfork", { RES(A_RES) }, 1, { 0 } },
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static struct fentry *field_hash;
static struct scspec *spec_hash;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static int tables_ok;

static void
build_tables(void)
{
	static struct fentry entries[NFIELDS];

	for (size_t i = 0; i < NFIELDS; i++) {
		entries[i].f = &field_table[i];
		HASH_ADD_KEYPTR(hh, field_hash, field_table[i].name,
		    strlen(field_table[i].name), &entries[i]);
	}
	for (size_t i = 0; i < NSPECS; i++)
		HASH_ADD_KEYPTR(hh, spec_hash, specs[i].name,
		    strlen(specs[i].name), &specs[i]);
	tables_ok = 1;
}

static void
tables(void)
{
	pthread_once(&tables_once, build_tables);
}

const struct aw_field *
aw_field_find(const char *name, size_t len)
{
	struct fentry *e;

	tables();
	HASH_FIND(hh, field_hash, name, len, e);
	return e ? e->f : NULL;
}

size_t
aw_field_count(void)
{
	return NFIELDS;
}

const struct aw_field *
aw_field_at(size_t i)
{
	return i < NFIELDS ? &field_table[i] : NULL;
}

/* Events carry syscall names as static strings (event.c's name cache),
 * so the previous name's answer is kept by pointer: most calls ask for
 * the syscall of the one before. */
static const struct scspec *
spec_for(const char *syscall)
{
	static __thread const char *last_name;
	static __thread struct scspec *last_spec;
	struct scspec *s;

	if (syscall == NULL)
		return NULL;
	if (syscall == last_name)
		return last_spec;
	tables();
	HASH_FIND_STR(spec_hash, syscall, s);
	last_name = syscall;
	last_spec = s;
	return s;
}

int
aw_evt_argcode(const char *name)
{
	for (int i = 0; i < A_COUNT; i++)
		if (argnames[i].name && strcmp(argnames[i].name, name) == 0)
			return i;
	return -1;
}

int
aw_evt_argtype(int code)
{
	if (code < 0 || code >= A_COUNT)
		return FT_STR;
	return argnames[code].numeric ? FT_INT : FT_STR;
}

enum aw_avail
aw_field_avail(const struct aw_field *f, const char *arg, const char **why)
{
	*why = f->why;
	if ((f->id == F_EVT_ARG || f->id == F_EVT_RAWARG) && arg != NULL) {
		int c = aw_evt_argcode(arg);
		if (c >= 0) {
			*why = argnames[c].why;
			return (enum aw_avail)argnames[c].avail;
		}
		if (arg[0] < '0' || arg[0] > '9') {
			*why = "no audited syscall has an argument of that "
			    "name";
			return AV_PARTIAL;
		}
	}
	return (enum aw_avail)f->avail;
}

int
aw_field_type(const struct aw_field *f, const char *arg)
{
	if (f->type == FT_DYN) {
		int c = arg ? aw_evt_argcode(arg) : -1;
		return c >= 0 ? aw_evt_argtype(c) : FT_STR;
	}
	return f->type;
}

int
aw_field_check_arg(const struct aw_field *f, const char *arg, int64_t *idx,
    char *err, size_t errsz)
{
	char *end;
	long long v;

	*idx = -1;
	if (arg == NULL) {
		if (f->flags & FF_ARG_REQ) {
			snprintf(err, errsz, "field '%s' requires an argument",
			    f->name);
			return -1;
		}
		return 0;
	}
	if (!(f->flags & (FF_ARG_REQ | FF_ARG_OPT))) {
		snprintf(err, errsz, "field '%s' does not take an argument",
		    f->name);
		return -1;
	}
	if (f->flags & FF_ARG_INDEX) {
		v = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || v < 0 || v > 1000000) {
			snprintf(err, errsz, "field '%s': argument '%s' is not "
			    "a valid index", f->name, arg);
			return -1;
		}
		*idx = v;
	}
	if (f->id == F_EVT_ARG || f->id == F_EVT_RAWARG) {
		/* evt.arg[N] or evt.arg.NAME */
		v = strtoll(arg, &end, 10);
		if (*arg != '\0' && *end == '\0') {
			if (v < 0 || v > 32) {
				snprintf(err, errsz, "field '%s': argument "
				    "index %s out of range", f->name, arg);
				return -1;
			}
			*idx = v;
		}
	}
	return 0;
}

int
aw_evttype_known(const char *name)
{
	static const char *pseudo[] = { "container", "procexit", "switch",
	    "signaldeliver", "notification", "infra", "pluginevent",
	    "asyncevent", "page_fault", "drop", "sysdigevent", "scapevent",
	    "procinfo", "cpu_hotplug", "k8s", "tracer", "mesos", NULL };
	static const int machines[] = { MACH_86_64, MACH_X86, MACH_AARCH64,
	    MACH_ARM, MACH_PPC64, MACH_S390X };

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (audit_name_to_syscall(name, machines[i]) >= 0)
			return 1;
	for (int i = 0; pseudo[i]; i++)
		if (strcmp(pseudo[i], name) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ context */

void
xctx_init(struct xctx *x)
{
	memset(x, 0, sizeof(*x));
	arena_init(&x->arena);
}

void
xctx_free(struct xctx *x)
{
	free(x->slots);
	free(x->memo);
	arena_free(&x->arena);
	memset(x, 0, sizeof(*x));
}

int
xctx_prepare(struct xctx *x, size_t nslots, size_t nchecks)
{
	struct xslot *ns;

	if (nchecks > x->nmemo) {
		uint32_t *nm = realloc(x->memo, nchecks * sizeof(*nm));
		if (nm == NULL)
			return -1;
		memset(nm + x->nmemo, 0, (nchecks - x->nmemo) * sizeof(*nm));
		x->memo = nm;
		x->nmemo = nchecks;
	}
	if (nslots <= x->nslots)
		return 0;
	if ((ns = realloc(x->slots, nslots * sizeof(*ns))) == NULL)
		return -1;
	memset(ns + x->nslots, 0, (nslots - x->nslots) * sizeof(*ns));
	x->slots = ns;
	x->nslots = nslots;
	return 0;
}

void
xctx_begin(struct xctx *x, const struct aw_event *ev, struct aw_enricher *en)
{
	x->ev = ev;
	x->en = en;
	x->gen++;
	if (++x->memo_gen > 0x7fffffffu) {
		/* 2^31 events: start the memo over rather than wrap */
		if (x->memo != NULL)
			memset(x->memo, 0, x->nmemo * sizeof(*x->memo));
		x->memo_gen = 1;
	}
	arena_reset(&x->arena);
	x->proc_done = 0;
	x->proc = NULL;
	x->nanc = 0;
	x->fd_done = 0;
	x->fdkind = -1;
	x->fd_path = -1;
	x->fd_name = NULL;
	x->fd_namelen = 0;
	x->cmd_done = 0;
}

int
xget(struct xctx *x, const struct cfield *f, const struct fval **out)
{
	struct xslot *s;

	if (f->slot < 0 || (size_t)f->slot >= x->nslots) {
		/* Unslotted (should not happen): extract into scratch. */
		static struct xslot scratch;
		memset(&scratch, 0, sizeof(scratch));
		aw_field_extract(x, f, &scratch);
		*out = scratch.n == 1 ? &scratch.one : scratch.v;
		return scratch.n;
	}
	s = &x->slots[f->slot];
	if (s->gen != x->gen) {
		s->n = 0;
		s->v = NULL;
		memset(&s->one, 0, sizeof(s->one));
		aw_field_extract(x, f, s);
		s->gen = x->gen;
	}
	*out = s->n == 1 && s->v == NULL ? &s->one : s->v;
	return s->n;
}

/* ------------------------------------------------------------ helpers */

static int
put_str(struct xslot *o, const char *s, size_t len)
{
	if (s == NULL)
		return 0;
	o->one.s = s;
	o->one.len = len;
	o->n = 1;
	return 1;
}

static int
put_cstr(struct xslot *o, const char *s)
{
	return s ? put_str(o, s, strlen(s)) : 0;
}

static int
put_aws(struct xslot *o, struct aw_str s)
{
	return put_str(o, s.s, s.len);
}

static int
put_int(struct xslot *o, int64_t v)
{
	if (v == AW_NONE)
		return 0;
	o->one.i = v;
	o->n = 1;
	return 1;
}

static int
put_bool(struct xslot *o, int v)
{
	o->one.i = v ? 1 : 0;
	o->n = 1;
	return 1;
}

static int
put_fmt(struct xctx *x, struct xslot *o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
put_fmt(struct xctx *x, struct xslot *o, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return put_str(o, arena_strndup(&x->arena, buf, (size_t)n),
	    (size_t)n);
}

static const struct aw_proc *
xproc(struct xctx *x)
{
	if (!x->proc_done) {
		x->proc_done = 1;
		if (x->en != NULL && x->ev->pid != AW_NONE)
			x->proc = aw_enricher_proc(x->en, x->ev->pid);
	}
	return x->proc;
}

/* Ancestor n (1 = parent) of the event's process, NULL when unknown. */
static const struct aw_proc *
ancestor(struct xctx *x, int64_t n)
{
	const struct aw_proc *p;
	int64_t i;

	/* The first XCTX_ANC ancestors are cached per event: rules ask for
	 * the parent and grandparents over and over. */
	if (n < XCTX_ANC) {
		if (x->nanc == 0) {
			x->anc[0] = xproc(x);
			x->nanc = 1;
		}
		while (x->nanc <= n) {
			p = x->anc[x->nanc - 1];
			x->anc[x->nanc] = p ? aw_enricher_parent(x->en, p) :
			    NULL;
			x->nanc++;
		}
		return x->anc[n];
	}
	p = ancestor(x, XCTX_ANC - 1);
	for (i = XCTX_ANC - 1; p != NULL && i < n; i++) {
		if (i > 256)
			return NULL;
		p = aw_enricher_parent(x->en, p);
	}
	return p;
}

static int
is_syscall(const struct xctx *x, const char *name)
{
	return x->ev->syscall_name && strcmp(x->ev->syscall_name, name) == 0;
}

static int
is_one_of(const struct xctx *x, const char *const *names)
{
	if (x->ev->syscall_name == NULL)
		return 0;
	for (; *names; names++)
		if (strcmp(x->ev->syscall_name, *names) == 0)
			return 1;
	return 0;
}

static const char *const open_family[] = { "open", "openat", "openat2",
    "creat", "open_by_handle_at", NULL };
static const char *const exec_family[] = { "execve", "execveat", NULL };
static const char *const sock_family[] = { "connect", "sendto", "sendmsg",
    "sendmmsg", NULL };

static int
is_exec(const struct xctx *x)
{
	return is_one_of(x, exec_family);
}

/* Join argv[from..] with spaces into the arena. */
static const char *
join_args(struct xctx *x, const struct aw_str *argv, int n, int from,
    size_t *lenp)
{
	size_t len = 0, o = 0;
	char *s;

	for (int i = from; i < n; i++)
		len += argv[i].len + 1;
	if ((s = arena_alloc(&x->arena, len + 1)) == NULL)
		return NULL;
	for (int i = from; i < n; i++) {
		if (i > from)
			s[o++] = ' ';
		if (argv[i].len)
			memcpy(s + o, argv[i].s, argv[i].len);
		o += argv[i].len;
	}
	s[o] = '\0';
	*lenp = o;
	return s;
}

static const char *
join_cargs(struct xctx *x, const char *const *argv, int n, int from,
    size_t *lenp)
{
	struct aw_str *tmp;

	if (n <= from) {
		*lenp = 0;
		return "";
	}
	if ((tmp = arena_alloc(&x->arena, sizeof(*tmp) * (size_t)n)) == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		tmp[i].s = argv[i] ? argv[i] : "";
		tmp[i].len = strlen(tmp[i].s);
	}
	return join_args(x, tmp, n, from, lenp);
}

/* argv of the event's process: EXECVE on exec, else the process table,
 * else PROCTITLE (cut at 128 bytes by the kernel). */
static int
proc_argv(struct xctx *x, struct aw_str **argvp)
{
	const struct aw_event *ev = x->ev;
	const struct aw_proc *p;
	struct aw_str *v;
	int n = 0;

	if (is_exec(x) && ev->nargv > 0) {
		*argvp = ev->argv;
		return ev->nargv;
	}
	if ((p = xproc(x)) != NULL && p->argc > 0 && p->argv != NULL) {
		if ((v = arena_alloc(&x->arena, sizeof(*v) *
		    (size_t)p->argc)) == NULL)
			return 0;
		for (int i = 0; i < p->argc; i++) {
			v[i].s = p->argv[i] ? p->argv[i] : "";
			v[i].len = strlen(v[i].s);
		}
		*argvp = v;
		return p->argc;
	}
	if (ev->proctitle.s != NULL && ev->proctitle.len > 0) {
		const char *s = ev->proctitle.s, *e = s + ev->proctitle.len;
		int cnt = 1;
		for (const char *q = s; q < e; q++)
			if (*q == '\0' && q + 1 < e)
				cnt++;
		if ((v = arena_alloc(&x->arena, sizeof(*v) * (size_t)cnt)) ==
		    NULL)
			return 0;
		while (s < e && n < cnt) {
			const char *z = memchr(s, '\0', (size_t)(e - s));
			if (z == NULL)
				z = e;
			v[n].s = arena_strndup(&x->arena, s, (size_t)(z - s));
			v[n].len = (size_t)(z - s);
			n++;
			s = z + 1;
		}
		*argvp = v;
		return n;
	}
	return 0;
}

static int
proc_name(struct xctx *x, struct xslot *o)
{
	const struct aw_proc *p;

	if (x->ev->comm.s)
		return put_aws(o, x->ev->comm);
	if ((p = xproc(x)) != NULL)
		return put_cstr(o, p->comm);
	return 0;
}

static int
proc_exepath(struct xctx *x, struct xslot *o)
{
	const struct aw_proc *p;

	if (x->ev->exe.s)
		return put_aws(o, x->ev->exe);
	if ((p = xproc(x)) != NULL)
		return put_cstr(o, p->exe);
	return 0;
}

static int
proc_exe(struct xctx *x, struct xslot *o)
{
	struct aw_str *argv;
	int n = proc_argv(x, &argv);

	if (n > 0)
		return put_aws(o, argv[0]);
	return 0;
}

/* proc.cmdline ("name args", as libsinsp builds it) and proc.args are
 * built once per event in one buffer: args is the tail of cmdline. The
 * arguments of an exec can be tens of KB, and rules ask for both. */
static void
cmd_build(struct xctx *x)
{
	struct xslot nm;
	struct aw_str *argv;
	size_t nlen, alen = 0, o;
	int n, named;
	char *s;

	if (x->cmd_done)
		return;
	x->cmd_done = 1;
	x->cmd_args = x->cmd_line = NULL;
	memset(&nm, 0, sizeof(nm));
	named = proc_name(x, &nm);
	nlen = named ? nm.one.len : 0;
	n = proc_argv(x, &argv);
	for (int i = 1; i < n; i++)
		alen += argv[i].len + 1;
	if ((s = arena_alloc(&x->arena, nlen + alen + 2)) == NULL)
		return;
	if (nlen)
		memcpy(s, nm.one.s, nlen);
	o = nlen + 1;
	for (int i = 1; i < n; i++) {
		if (i > 1)
			s[o++] = ' ';
		if (argv[i].len)
			memcpy(s + o, argv[i].s, argv[i].len);
		o += argv[i].len;
	}
	s[o] = '\0';
	alen = o - (nlen + 1);
	if (n > 0) {
		x->cmd_args = s + nlen + 1;
		x->cmd_alen = alen;
	}
	if (named) {
		s[nlen] = alen ? ' ' : '\0';
		x->cmd_line = s;
		x->cmd_llen = alen ? nlen + 1 + alen : nlen;
	}
}

static int
proc_args(struct xctx *x, struct xslot *o)
{
	cmd_build(x);
	return x->cmd_args ? put_str(o, x->cmd_args, x->cmd_alen) : 0;
}

/* name + " " + args, as libsinsp builds proc.cmdline. */
static const char *
make_cmdline(struct xctx *x, const char *name, size_t nlen, const char *args,
    size_t alen, size_t *lenp)
{
	char *s;

	*lenp = 0;	/* also when out of memory */
	if (alen == 0) {
		*lenp = nlen;
		return arena_strndup(&x->arena, name, nlen);
	}
	if ((s = arena_alloc(&x->arena, nlen + alen + 2)) == NULL)
		return NULL;
	memcpy(s, name, nlen);
	s[nlen] = ' ';
	memcpy(s + nlen + 1, args, alen);
	s[nlen + alen + 1] = '\0';
	*lenp = nlen + alen + 1;
	return s;
}

static int
proc_cmdline(struct xctx *x, struct xslot *o)
{
	cmd_build(x);
	return x->cmd_line ? put_str(o, x->cmd_line, x->cmd_llen) : 0;
}

/* Fields of an ancestor process taken from the process table. */
enum pfield { PF_NAME, PF_EXE, PF_EXEPATH, PF_CMDLINE, PF_PID, PF_ENV };

static int
pfield(struct xctx *x, const struct aw_proc *p, enum pfield which,
    struct xslot *o)
{
	const char *args, *s;
	size_t alen, len;

	if (p == NULL)
		return 0;
	switch (which) {
	case PF_NAME:
		return put_cstr(o, p->comm);
	case PF_EXE:
		return p->argc > 0 && p->argv ? put_cstr(o, p->argv[0]) : 0;
	case PF_EXEPATH:
		return put_cstr(o, p->exe);
	case PF_CMDLINE:
		if (p->comm == NULL)
			return 0;
		args = join_cargs(x, p->argv, p->argc, 1, &alen);
		if (args == NULL)
			return 0;
		s = make_cmdline(x, p->comm, strlen(p->comm), args, alen,
		    &len);
		return put_str(o, s, len);
	case PF_PID:
		return put_int(o, p->pid);
	case PF_ENV:
		return 0;
	}
	return 0;
}

/* proc.aname[N] and friends: N = 0 is the process itself (from the
 * event), no index means every ancestor (any-match in eval.c). */
static int
ancestors(struct xctx *x, const struct cfield *f, enum pfield which,
    struct xslot *o)
{
	const struct aw_proc *p;
	struct fval *v;
	int n = 0, cap = 16;

	if (f->idx == 0) {
		switch (which) {
		case PF_NAME: return proc_name(x, o);
		case PF_EXE: return proc_exe(x, o);
		case PF_EXEPATH: return proc_exepath(x, o);
		case PF_CMDLINE: return proc_cmdline(x, o);
		case PF_PID: return put_int(o, x->ev->pid);
		case PF_ENV: return 0;
		}
	}
	if (f->idx > 0)
		return pfield(x, ancestor(x, f->idx), which, o);
	if ((v = arena_alloc(&x->arena, sizeof(*v) * (size_t)cap)) == NULL)
		return 0;
	for (int k = 1; k <= 64 && (p = k < XCTX_ANC ? ancestor(x, k) :
	    aw_enricher_parent(x->en, p)) != NULL; k++) {
		struct xslot one;
		memset(&one, 0, sizeof(one));
		if (!pfield(x, p, which, &one))
			continue;
		if (n == cap) {
			struct fval *nv = arena_alloc(&x->arena, sizeof(*nv) *
			    (size_t)cap * 2);
			if (nv == NULL)
				break;
			memcpy(nv, v, sizeof(*v) * (size_t)n);
			v = nv;
			cap *= 2;
		}
		v[n++] = one.one;
	}
	if (n == 0)
		return 0;
	o->v = v;
	o->n = n;
	return n;
}

/* tty=pts3 → the device number libsinsp reports (new_encode_dev). */
static int64_t
tty_devnum(const char *s, size_t len)
{
	unsigned long maj, min;
	char buf[32];
	char *end;

	if (s == NULL)
		return AW_NONE;
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "(none)") == 0 || buf[0] == '\0')
		return 0;
	if (strncmp(buf, "pts", 3) == 0) {
		unsigned long n = strtoul(buf + 3, &end, 10);
		if (*end != '\0' || end == buf + 3)
			return 0;
		maj = 136 + n / 256;
		min = n % 256;
	} else if (strncmp(buf, "ttyS", 4) == 0) {
		maj = 4;
		min = 64 + strtoul(buf + 4, &end, 10);
	} else if (strncmp(buf, "tty", 3) == 0 && buf[3] >= '0' &&
	    buf[3] <= '9') {
		maj = 4;
		min = strtoul(buf + 3, &end, 10);
	} else if (strcmp(buf, "console") == 0) {
		maj = 5;
		min = 1;
	} else if (strcmp(buf, "tty") == 0) {
		maj = 5;
		min = 0;
	} else
		return 0;
	return (int64_t)((min & 0xff) | (maj << 8) | ((min & ~0xffUL) << 12));
}

static int
proc_tty(struct xctx *x, struct xslot *o)
{
	const struct aw_proc *p;

	if (x->ev->tty.s)
		return put_int(o, tty_devnum(x->ev->tty.s, x->ev->tty.len));
	if ((p = xproc(x)) != NULL && p->tty)
		return put_int(o, tty_devnum(p->tty, strlen(p->tty)));
	return 0;
}

static uint64_t
ev_ns(const struct aw_event *ev)
{
	return ev->sec * 1000000000ULL + (uint64_t)ev->msec * 1000000ULL;
}

/* Resolve name against dir (lexically: "." and ".." and duplicate slashes
 * removed), into the arena. */
static const char *
path_join(struct xctx *x, const char *dir, size_t dlen, const char *name,
    size_t nlen, size_t *outlen)
{
	char *buf, *o;
	size_t total = dlen + nlen + 2, i;
	const char *in;
	char *tmp;

	if ((tmp = arena_alloc(&x->arena, total + 1)) == NULL ||
	    (buf = arena_alloc(&x->arena, total + 2)) == NULL)
		return NULL;
	i = 0;
	if (nlen == 0 || name[0] != '/') {
		memcpy(tmp, dir, dlen);
		i = dlen;
		tmp[i++] = '/';
	}
	memcpy(tmp + i, name, nlen);
	i += nlen;
	tmp[i] = '\0';
	/* Normalise component by component. */
	o = buf;
	*o++ = '/';
	in = tmp;
	while (*in) {
		const char *c;
		size_t cl;
		while (*in == '/')
			in++;
		if (*in == '\0')
			break;
		c = in;
		while (*in && *in != '/')
			in++;
		cl = (size_t)(in - c);
		if (cl == 1 && c[0] == '.')
			continue;
		if (cl == 2 && c[0] == '.' && c[1] == '.') {
			if (o > buf + 1) {
				o--;		/* the trailing '/' */
				while (o > buf + 1 && o[-1] != '/')
					o--;
			}
			continue;
		}
		memcpy(o, c, cl);
		o += cl;
		*o++ = '/';
	}
	if (o > buf + 1)
		o--;			/* no trailing slash */
	*o = '\0';
	*outlen = (size_t)(o - buf);
	return buf;
}

#define AT_FDCWD_32 0xffffff9cULL

/* Is the dirfd argument of this syscall (if any) AT_FDCWD? If not, *fd
 * is that argument. */
static int
dirfd_is_cwd(const struct xctx *x, int which, int *fd)
{
	static const char *const at0[] = { "openat", "openat2", "mkdirat",
	    "unlinkat", "fchmodat", "fchownat", "execveat", "mknodat",
	    "renameat", "renameat2", "linkat", "newfstatat", "faccessat",
	    "faccessat2", "readlinkat", "utimensat", "name_to_handle_at",
	    "fchmodat2", NULL };
	static const char *const at2[] = { "renameat", "renameat2", "linkat",
	    NULL };
	uint64_t a;

	if (which == 2 && is_one_of(x, at2))
		a = x->ev->a[2];
	else if (is_syscall(x, "symlinkat"))
		a = x->ev->a[1];
	else if (is_one_of(x, at0))
		a = x->ev->a[0];
	else
		return 1;
	*fd = (int)(uint32_t)a;
	return (a & 0xffffffffULL) == AT_FDCWD_32;
}

static int nametype_is(const struct aw_path *, const char *);

/*
 * Live path resolution (issue 8, evasion).
 *
 * Audit logs a PATH name as the program passed it: relative to the cwd or
 * to a directory fd, with ".." and symlinks left in, plus the inode and
 * device the kernel reached. path_join() settles the cwd and "..", but
 * only lexically, which is wrong across symlinks (/tmp/l/x with /tmp/l ->
 * /etc is /etc/x; /tmp/l/../shadow with /tmp/l -> /etc/ssh is
 * /etc/shadow). So while an event is live (the enricher says /proc shows
 * its processes) the name is also resolved by the running system: the
 * file is opened O_PATH — below the directory fd (/proc/<pid>/fd/<n>),
 * from the host root, or below the process's root (/proc/<pid>/root,
 * RESOLVE_IN_ROOT) — and its canonical name read back from /proc/self/fd.
 * That answer is kept only if the file opened has the inode and device
 * the kernel logged in the PATH record (or, for a file gone since, its
 * directory those of the PARENT record). A closed or reused fd, a swapped
 * symlink, a reused pid or a deleted file can then cost the better name,
 * never give a wrong one. fd.nameraw stays the name as given. Cost: the
 * common case (no symlink on the way) is one openat2(RESOLVE_NO_SYMLINKS),
 * an fstat and a close per name resolved; /proc is read only past that.
 *
 * Not verifiable: an absolute or cwd-relative name keeps its lexical
 * form; a name relative to a directory fd becomes "<UNKNOWN>/name" (as
 * libsinsp writes an unknown dirfd) and one relative to a cwd the kernel
 * could not print (cwd="<too_long>" beyond PATH_MAX; rebuilt by
 * canon_walk while the process is still there) "<too_long>/name": never
 * a path that a rule could take for a real one.
 */
static int
item_is(const struct aw_path *pi, const struct stat *st)
{
	unsigned maj, min;
	char buf[32];

	if (pi->inode == AW_NONE || pi->dev.s == NULL ||
	    pi->dev.len >= sizeof(buf) || (uint64_t)pi->inode != st->st_ino)
		return 0;
	memcpy(buf, pi->dev.s, pi->dev.len);
	buf[pi->dev.len] = '\0';
	return sscanf(buf, "%x:%x", &maj, &min) == 2 &&
	    maj == major(st->st_dev) && min == minor(st->st_dev);
}

/* The name an O_PATH fd of ours has, into buf; its length or -1 (errno
 * ENAMETOOLONG: a name beyond PATH_MAX). */
static ssize_t
fd_canon(int fd, char *buf, size_t bufsz)
{
	static const char deleted[] = " (deleted)";
	const size_t dl = sizeof(deleted) - 1;
	char lnk[64];
	ssize_t n;

	snprintf(lnk, sizeof(lnk), "/proc/self/fd/%d", fd);
	if ((n = readlink(lnk, buf, bufsz - 1)) < 0)
		return -1;		/* errno ENAMETOOLONG: see canon_walk */
	errno = EINVAL;
	if (n == 0 || (size_t)n >= bufsz - 1 || buf[0] != '/')
		return -1;
	if ((size_t)n >= dl && memcmp(buf + n - dl, deleted, dl) == 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static int
open_path(int dfd, const char *name, int flags, int in_root)
{
	struct open_how how;

	if (!in_root)
		return openat(dfd, name, O_PATH | O_CLOEXEC | flags);
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(O_PATH | O_CLOEXEC | flags);
	how.resolve = RESOLVE_IN_ROOT;
	return (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
}

/* Is the directory open as fd one of the event's PARENT items? */
static int
fd_is_parent(const struct aw_event *ev, int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return 0;
	for (int i = 0; i < ev->npaths; i++)
		if (nametype_is(&ev->paths[i], "PARENT") &&
		    item_is(&ev->paths[i], &st))
			return 1;
	return 0;
}

#define WALK_DEPTH	1024		/* directories walked up, at most */
#define WALK_ENTRIES	65536		/* entries read per directory */
#define WALK_MAX	(64 * 1024)	/* longest name built */

/* Find the entry of directory dfd with inode ino; its name into out. */
static int
entry_of(int dfd, ino_t ino, char *out, size_t outsz)
{
	struct dirent *de;
	DIR *d;
	int fd, n = 0, found = 0;

	if ((fd = dup(dfd)) < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (!found && n++ < WALK_ENTRIES && (de = readdir(d)) != NULL)
		if (de->d_ino == ino && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strlen(de->d_name) < outsz) {
			strcpy(out, de->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

/*
 * The name of directory dirname (below dfd) plus "/" base, when it is
 * longer than PATH_MAX and /proc cannot print it (the kernel's cwd
 * "<too_long>"): walk up through ".." and look each directory up in its
 * parent. Bounded in depth, entries and length; a mount point on the way
 * (the entry's inode is not the mounted root's) ends it with NULL.
 */
static const char *
canon_walk(struct xctx *x, int dfd, const char *dirname, const char *base,
    size_t *lenp)
{
	char *buf, comp[NAME_MAX + 1];
	struct stat cst, pst;
	size_t pos, bl = strlen(base), cl;
	const char *res = NULL;
	int cur, par, depth;

	if ((buf = malloc(WALK_MAX)) == NULL)
		return NULL;
	if (bl + 2 > WALK_MAX)
		goto out;
	pos = WALK_MAX - bl - 1;
	memcpy(buf + pos, base, bl + 1);
	buf[--pos] = '/';
	if ((cur = openat(dfd, dirname, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		goto out;
	for (depth = 0; depth < WALK_DEPTH; depth++) {
		if (fstat(cur, &cst) != 0 || (par = openat(cur, "..",
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			break;
		if (fstat(par, &pst) != 0 || pst.st_dev != cst.st_dev) {
			close(par);
			break;
		}
		if (pst.st_ino == cst.st_ino) {		/* "/" */
			close(par);
			*lenp = WALK_MAX - 1 - pos;
			res = arena_strndup(&x->arena, buf + pos, *lenp);
			break;
		}
		if (!entry_of(par, cst.st_ino, comp, sizeof(comp)) ||
		    (cl = strlen(comp)) + 1 > pos) {
			close(par);
			break;
		}
		pos -= cl;
		memcpy(buf + pos, comp, cl);
		buf[--pos] = '/';
		close(cur);
		cur = par;
	}
	close(cur);
out:
	free(buf);
	return res;
}

/* The verified canonical name of name (NUL-terminated) below dfd, or
 * NULL. */
static const char *
canon_at(struct xctx *x, int dfd, const char *name, int in_root,
    const struct aw_path *pi, size_t *lenp)
{
	static const int follow[] = { 0, O_NOFOLLOW };
	char buf[PATH_MAX + 1], dir[PATH_MAX + 1];
	const char *base, *slash;
	struct stat st;
	ssize_t n = -1;
	size_t bl;
	int fd;

	int too_long = 0;

	for (size_t i = 0; i < 2 && n < 0 && !too_long; i++) {
		if ((fd = open_path(dfd, name, follow[i], in_root)) < 0)
			continue;
		if (fstat(fd, &st) == 0 && item_is(pi, &st) &&
		    (n = fd_canon(fd, buf, sizeof(buf))) < 0)
			too_long = errno == ENAMETOOLONG && i == 0;
		close(fd);
	}
	if (n >= 0) {
		*lenp = (size_t)n;
		return arena_strndup(&x->arena, buf, (size_t)n);
	}
	/* Gone (unlinked, or created and removed): its directory then. */
	slash = strrchr(name, '/');
	base = slash ? slash + 1 : name;
	bl = strlen(base);
	if (bl == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    (slash && (size_t)(slash - name) >= sizeof(dir)))
		return NULL;
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == name)
		strcpy(dir, "/");
	else {
		memcpy(dir, name, (size_t)(slash - name));
		dir[slash - name] = '\0';
	}
	/* Verified, but beyond PATH_MAX: walk up (the last component must
	 * be the file itself, not a symlink to it). */
	if (too_long && !in_root &&
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    item_is(pi, &st))
		return canon_walk(x, dfd, dir, base, lenp);
	if ((fd = open_path(dfd, dir, O_DIRECTORY, in_root)) < 0)
		return NULL;
	if (fd_is_parent(x->ev, fd))
		n = fd_canon(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return NULL;
	return path_join(x, buf, (size_t)n, base, bl, lenp);
}

/* The live process's /proc/self/... names are its own, not ours. */
static const char *
self_to_pid(struct xctx *x, const char *proc, const char *name)
{
	static const char *const selfs[] = { "/proc/self/",
	    "/proc/thread-self/", NULL };
	char *s;
	size_t pl, sz;

	for (int i = 0; selfs[i] != NULL; i++) {
		pl = strlen(selfs[i]);
		if (strncmp(name, selfs[i], pl) != 0)
			continue;
		sz = strlen(proc) + strlen(name + pl) + 32;
		if ((s = arena_alloc(&x->arena, sz)) == NULL)
			return name;
		snprintf(s, sz, "%s/%lld/%s", proc, (long long)x->ev->pid,
		    name + pl);
		return s;
	}
	return name;
}

/* An absolute name (".." and symlinks left in), resolved: from our root (a
 * host process, or one gone since), else below the process's root. */
static const char *
canon_abs(struct xctx *x, const char *proc, const char *path,
    const char *lex, size_t lexlen, const struct aw_path *pi, size_t *lenp)
{
	char p[64], root[PATH_MAX + 1];
	struct open_how how;
	struct stat st;
	const char *s;
	ssize_t rl;
	int rfd, fd, same;

	/* The common case first, without /proc: the lexical name reaches
	 * the logged file with no symlink on the way, so it is the name. */
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_NO_SYMLINKS;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, lex, &how, sizeof(how));
	if (fd >= 0) {
		same = fstat(fd, &st) == 0 && item_is(pi, &st);
		close(fd);
		if (same) {
			*lenp = lexlen;
			return lex;
		}
	}
	path = self_to_pid(x, proc, path);
	if ((s = canon_at(x, AT_FDCWD, path, 0, pi, lenp)) != NULL)
		return s;
	snprintf(p, sizeof(p), "%s/%lld/root", proc, (long long)x->ev->pid);
	if ((rfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	s = canon_at(x, rfd, path, 1, pi, lenp);
	/* A root mounted where we see it (an overlay's merged/) names the
	 * file from our side: cut it to the process's view. */
	if (s != NULL && (rl = fd_canon(rfd, root, sizeof(root))) > 1 &&
	    *lenp > (size_t)rl && memcmp(s, root, (size_t)rl) == 0 &&
	    s[rl] == '/') {
		s += rl;
		*lenp -= (size_t)rl;
	}
	close(rfd);
	return s;
}

/* A name relative to the process's directory fd dirfd (its cwd when
 * dirfd is -1), through /proc/<pid>/fd/<dirfd> (/proc/<pid>/cwd). */
static const char *
canon_rel(struct xctx *x, const char *proc, int dirfd,
    const struct aw_path *pi, size_t *lenp)
{
	const char *s;
	char p[96];
	int dfd;

	if (dirfd < 0)
		snprintf(p, sizeof(p), "%s/%lld/cwd", proc,
		    (long long)x->ev->pid);
	else
		snprintf(p, sizeof(p), "%s/%lld/fd/%d", proc,
		    (long long)x->ev->pid, dirfd);
	if ((dfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	s = canon_at(x, dfd, pi->name.s, 0, pi, lenp);
	close(dfd);
	return s;
}

/* "<mark>/name": a name whose directory is not known. */
static const char *
unknown_dir(struct xctx *x, const char *mark, size_t ml,
    const struct aw_path *pi, size_t *lenp)
{
	char *s;

	if ((s = arena_alloc(&x->arena, ml + pi->name.len + 2)) == NULL)
		return NULL;
	memcpy(s, mark, ml);
	s[ml] = '/';
	memcpy(s + ml + 1, pi->name.s, pi->name.len);
	s[ml + 1 + pi->name.len] = '\0';
	*lenp = ml + 1 + pi->name.len;
	return s;
}

/* cwd "/" name, as it is (no "..", "." or "//" removed). */
static const char *
raw_join(struct xctx *x, const char *cwd, size_t cwdlen,
    const struct aw_path *pi)
{
	char *s;

	if ((s = arena_alloc(&x->arena, cwdlen + pi->name.len + 2)) == NULL)
		return NULL;
	memcpy(s, cwd, cwdlen);
	s[cwdlen] = '/';
	memcpy(s + cwdlen + 1, pi->name.s, pi->name.len);
	s[cwdlen + 1 + pi->name.len] = '\0';
	return s;
}

/* A PATH item's name made absolute (see "Live path resolution"). */
static const char *
resolve_item(struct xctx *x, const struct aw_path *pi, int dirfd_which,
    size_t *lenp)
{
	const struct aw_event *ev = x->ev;
	const char *cwd, *lex, *s, *proc, *abs = NULL;
	size_t cwdlen, lexlen = 0;
	const struct aw_proc *p;
	int dirfd = -1, live;

	if (pi->name.s == NULL)
		return NULL;
	proc = aw_enricher_live_proc(x->en, ev);
	live = proc != NULL && ev->pid > 0 && pi->inode != AW_NONE &&
	    !nametype_is(pi, "PARENT") &&
	    memchr(pi->name.s, '\0', pi->name.len) == NULL;
	if (pi->name.len > 0 && pi->name.s[0] == '/') {
		lex = path_join(x, "", 0, pi->name.s, pi->name.len, &lexlen);
		abs = pi->name.s;
	} else if (!dirfd_is_cwd(x, dirfd_which, &dirfd)) {
		if (live && dirfd >= 0 &&
		    (s = canon_rel(x, proc, dirfd, pi, lenp)) != NULL)
			return s;
		return unknown_dir(x, "<UNKNOWN>", 9, pi, lenp);
	} else {
		if (ev->cwd.s) {
			cwd = ev->cwd.s;
			cwdlen = ev->cwd.len;
		} else if ((p = xproc(x)) != NULL && p->cwd) {
			cwd = p->cwd;
			cwdlen = strlen(cwd);
		} else
			return NULL;
		if (cwdlen == 0 || cwd[0] != '/') {	/* "<too_long>" */
			if (live && (s = canon_rel(x, proc, -1, pi, lenp)))
				return s;
			return unknown_dir(x, cwd, cwdlen, pi, lenp);
		}
		lex = path_join(x, cwd, cwdlen, pi->name.s, pi->name.len,
		    &lexlen);
		/* the system resolves ".." after symlinks: the raw join */
		if (live && (abs = raw_join(x, cwd, cwdlen, pi)) == NULL)
			live = 0;
	}
	if (lex != NULL && live &&
	    (s = canon_abs(x, proc, abs, lex, lexlen, pi, lenp)) != NULL)
		return s;
	*lenp = lexlen;
	return lex;
}

static int
nametype_is(const struct aw_path *p, const char *t)
{
	return p->nametype.s && strcmp(p->nametype.s, t) == 0;
}

/* Pick a PATH item. */
static int
path_select(const struct aw_event *ev, int sel)
{
	int i;

	switch (sel) {
	case PS_ITEM0:
		for (i = 0; i < ev->npaths; i++)
			if (ev->paths[i].item == 0)
				return i;
		return ev->npaths > 0 ? 0 : -1;
	case PS_CREATE:
	case PS_DELETE:
	case PS_UNKNOWN:
	case PS_NORMAL:
		for (i = 0; i < ev->npaths; i++) {
			const char *want = sel == PS_CREATE ? "CREATE" :
			    sel == PS_DELETE ? "DELETE" : sel == PS_UNKNOWN ?
			    "UNKNOWN" : "NORMAL";
			if (nametype_is(&ev->paths[i], want))
				return i;
		}
		return -1;
	case PS_MAIN:
	default:
		for (i = 0; i < ev->npaths; i++)
			if (nametype_is(&ev->paths[i], "CREATE"))
				return i;
		for (i = 0; i < ev->npaths; i++)
			if (nametype_is(&ev->paths[i], "NORMAL"))
				return i;
		for (i = 0; i < ev->npaths; i++)
			if (!nametype_is(&ev->paths[i], "PARENT"))
				return i;
		return ev->npaths > 0 ? 0 : -1;
	}
}

/* ------------------------------------------------------------ fd facts */

/*
 * Sockets: what one audit event tells about the socket it names. SOCKADDR
 * is written by move_addr_to_kernel() (connect, sendto, sendmsg, bind:
 * the address the caller gave) and by move_addr_to_user() (accept and
 * accept4 with an address buffer: the peer). So a connect knows the
 * server (sip/sport, the remote side), a bind the server socket's own
 * address, an accept the client (cip/cport); the other side of each, and
 * the socket type (tcp/udp) of all three, are not in the records.
 * libsinsp's fd.name for a connection is "cip:cport->sip:sport": with one
 * side unknown it is not derivable and stays missing rather than being
 * half filled; a bound server socket's is "sip:sport", as libsinsp's.
 */
enum fdkind { FDK_NONE, FDK_FILE, FDK_SOCK, FDK_NEWSOCK, FDK_BIND,
	FDK_ACCEPT, FDK_OTHER };

static const char *const accept_family[] = { "accept", "accept4", NULL };

static enum fdkind
fd_kind_of(const struct xctx *x)
{
	if (is_one_of(x, open_family))
		return FDK_FILE;
	if (is_one_of(x, sock_family) && x->ev->has_sockaddr)
		return FDK_SOCK;
	if (is_syscall(x, "socket"))
		return FDK_NEWSOCK;
	if (is_syscall(x, "bind") && x->ev->has_sockaddr)
		return FDK_BIND;
	if (is_one_of(x, accept_family) && x->ev->has_sockaddr &&
	    x->ev->exit != AW_NONE && x->ev->exit >= 0)
		return FDK_ACCEPT;
	return FDK_OTHER;
}

/* Once per event: several fd.* fields ask. */
static enum fdkind
fd_kind(const struct xctx *cx)
{
	struct xctx *x = (struct xctx *)cx;

	if (x->fdkind < 0)
		x->fdkind = (int)fd_kind_of(x);
	return (enum fdkind)x->fdkind;
}

static void
fd_facts(struct xctx *x)
{
	const struct aw_event *ev = x->ev;

	if (x->fd_done)
		return;
	x->fd_done = 1;
	if (fd_kind(x) != FDK_FILE)
		return;
	x->fd_path = path_select(ev, PS_MAIN);
	if (x->fd_path >= 0)
		x->fd_name = resolve_item(x, &ev->paths[x->fd_path], 0,
		    &x->fd_namelen);
}

static int
open_flags(const struct xctx *x, uint64_t *flags)
{
	if (is_syscall(x, "open")) {
		*flags = x->ev->a[1];
		return 1;
	}
	if (is_syscall(x, "openat")) {
		*flags = x->ev->a[2];
		return 1;
	}
	if (is_syscall(x, "creat")) {
		*flags = 01 | 0100 | 01000;	/* O_WRONLY|O_CREAT|O_TRUNC */
		return 1;
	}
	return 0;		/* openat2: behind a pointer */
}

static int
open_mode(const struct xctx *x, uint64_t *mode)
{
	if (is_syscall(x, "open")) {
		*mode = x->ev->a[2];
		return 1;
	}
	if (is_syscall(x, "openat")) {
		*mode = x->ev->a[3];
		return 1;
	}
	if (is_syscall(x, "creat")) {
		*mode = x->ev->a[1];
		return 1;
	}
	return 0;
}

static int
arch_is_arm(uint32_t arch)
{
	return arch == 0xc00000b7 /* aarch64 */ || arch == 0x40000028;
}

static uint64_t
o_directory(uint32_t arch)
{
	return arch_is_arm(arch) ? 040000 : 0200000;
}

static int
path_created(const struct aw_event *ev)
{
	for (int i = 0; i < ev->npaths; i++)
		if (nametype_is(&ev->paths[i], "CREATE"))
			return 1;
	return 0;
}

static int
fd_type(struct xctx *x, struct xslot *o, int typechar)
{
	const struct aw_event *ev = x->ev;
	const char *t = NULL, *c = NULL;
	uint64_t flags;

	switch (fd_kind(x)) {
	case FDK_FILE:
		if (ev->exit == AW_NONE || ev->exit < 0)
			return 0;
		fd_facts(x);
		if (open_flags(x, &flags) ? (flags & o_directory(ev->arch)) :
		    (x->fd_path >= 0 && ev->paths[x->fd_path].mode != AW_NONE &&
		    (ev->paths[x->fd_path].mode & 0170000) == 0040000)) {
			t = "directory";
			c = "d";
		} else {
			t = "file";
			c = "f";
		}
		break;
	case FDK_SOCK:
	case FDK_BIND:
	case FDK_ACCEPT:
		switch (ev->sockaddr.family) {
		case 2: t = "ipv4"; c = "4"; break;
		case 10: t = "ipv6"; c = "6"; break;
		case 1: t = "unix"; c = "u"; break;
		case 16: t = "netlink"; c = "n"; break;
		default: return 0;
		}
		break;
	case FDK_NEWSOCK:
		if (ev->exit == AW_NONE || ev->exit < 0 || ev->args_indirect)
			return 0;
		switch (ev->a[0]) {
		case 2: t = "ipv4"; c = "4"; break;
		case 10: t = "ipv6"; c = "6"; break;
		case 1: t = "unix"; c = "u"; break;
		case 16: t = "netlink"; c = "n"; break;
		default: return 0;
		}
		break;
	default:
		if (ev->exit == AW_NONE || ev->exit < 0)
			return 0;
		if (is_syscall(x, "memfd_create")) {
			t = "memfd";
			c = "m";
		} else if (is_syscall(x, "userfaultfd")) {
			t = "userfaultfd";
			c = "r";
		} else if (is_syscall(x, "eventfd") ||
		    is_syscall(x, "eventfd2")) {
			t = "event";
			c = "e";
		} else if (is_syscall(x, "signalfd") ||
		    is_syscall(x, "signalfd4")) {
			t = "signalfd";
			c = "s";
		} else if (is_syscall(x, "timerfd_create")) {
			t = "timerfd";
			c = "t";
		} else if (is_syscall(x, "inotify_init") ||
		    is_syscall(x, "inotify_init1")) {
			t = "inotify";
			c = "i";
		} else if (is_syscall(x, "epoll_create") ||
		    is_syscall(x, "epoll_create1")) {
			t = "eventpoll";
			c = "l";
		} else if (is_syscall(x, "bpf")) {
			t = "bpf";
			c = "b";
		} else if (is_syscall(x, "io_uring_setup")) {
			t = "io_uring";
			c = "o";
		} else
			return 0;
	}
	return put_cstr(o, typechar ? c : t);
}

static const char *const fd_returning[] = { "open", "openat", "openat2",
    "creat", "open_by_handle_at", "socket", "accept", "accept4", "dup",
    "dup2", "dup3", "memfd_create", "eventfd", "eventfd2", "signalfd",
    "signalfd4", "timerfd_create", "inotify_init", "inotify_init1",
    "epoll_create", "epoll_create1", "userfaultfd", "pidfd_open",
    "perf_event_open", "fanotify_init", "io_uring_setup", NULL };
static const char *const fd_taking[] = { "read", "write", "pread64",
    "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2",
    "pwritev2", "connect", "bind", "listen", "sendto", "sendmsg",
    "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "close", "fchmod",
    "fchown", "fstat", "fsync", "fdatasync", "ftruncate", "ioctl", "fcntl",
    "getdents", "getdents64", "lseek", "shutdown", "getsockopt",
    "setsockopt", "getsockname", "getpeername", "fchdir", "setns",
    "finit_module", "flock", "splice", "sendfile", NULL };

static int
fd_num(struct xctx *x, struct xslot *o)
{
	const struct aw_event *ev = x->ev;

	if (is_one_of(x, fd_returning)) {
		if (ev->exit == AW_NONE)
			return 0;
		return put_int(o, ev->exit < 0 ? -1 : ev->exit);
	}
	if (is_one_of(x, fd_taking) && !ev->args_indirect)
		return put_int(o, (int64_t)(int32_t)(uint32_t)ev->a[0]);
	return 0;
}

/* The kind of socket event when its SOCKADDR is an inet address, else
 * FDK_NONE. */
static enum fdkind
sock_inet_kind(const struct xctx *x)
{
	enum fdkind k = fd_kind(x);

	if ((k != FDK_SOCK && k != FDK_BIND && k != FDK_ACCEPT) ||
	    (x->ev->sockaddr.family != 2 && x->ev->sockaddr.family != 10) ||
	    !x->ev->sockaddr.addr[0])
		return FDK_NONE;
	return k;
}

static int
sock_inet(const struct xctx *x)
{
	return sock_inet_kind(x) == FDK_SOCK;
}

static int
put_ip(struct xslot *o, const char *text)
{
	if (inet_pton(AF_INET, text, o->one.ip) == 1)
		o->one.iplen = 4;
	else if (inet_pton(AF_INET6, text, o->one.ip) == 1)
		o->one.iplen = 16;
	else
		return 0;
	o->one.s = text;
	o->one.len = strlen(text);
	o->n = 1;
	return 1;
}

static int
fd_name(struct xctx *x, struct xslot *o)
{
	const struct aw_event *ev = x->ev;

	switch (fd_kind(x)) {
	case FDK_FILE:
		fd_facts(x);
		return put_str(o, x->fd_name, x->fd_namelen);
	case FDK_SOCK:
		/* inet: "cip:cport->sip:sport" needs the local side */
		if (ev->sockaddr.family == 1)
			return put_aws(o, ev->sockaddr.path);
		return 0;
	case FDK_BIND:
		if (sock_inet_kind(x) == FDK_BIND)
			return put_fmt(x, o, "%s:%d", ev->sockaddr.addr,
			    ev->sockaddr.port);
		if (ev->sockaddr.family == 1)
			return put_aws(o, ev->sockaddr.path);
		return 0;
	default:
		return 0;	/* accept: the server side is not audited */
	}
}

/* fd.l4proto of a new socket from socket(domain, type, protocol), as the
 * kernel resolves protocol 0 for inet sockets; other combinations (SCTP,
 * MPTCP, UDP-Lite) are left missing rather than guessed. */
static int
fd_l4proto(struct xctx *x, struct xslot *o)
{
	const struct aw_event *ev = x->ev;
	uint64_t dom = ev->a[0], type = ev->a[1] & 0xf, proto = ev->a[2];

	if (fd_kind(x) != FDK_NEWSOCK || ev->exit == AW_NONE || ev->exit < 0 ||
	    (dom != 2 && dom != 10))
		return 0;
	if (type == 1 && (proto == 0 || proto == 6))		/* STREAM */
		return put_cstr(o, "tcp");
	if (type == 2 && (proto == 0 || proto == 17))		/* DGRAM */
		return put_cstr(o, "udp");
	if (type == 2 && (proto == 1 || proto == 58))	/* ping socket */
		return put_cstr(o, "icmp");
	if (type == 3)						/* RAW */
		return put_cstr(o, "raw");
	return 0;
}

static int
fd_dir_or_file(struct xctx *x, struct xslot *o, int want_dir)
{
	struct xslot nm, tc;
	const char *s, *slash;

	memset(&nm, 0, sizeof(nm));
	memset(&tc, 0, sizeof(tc));
	if (fd_kind(x) != FDK_FILE || !fd_name(x, &nm))
		return 0;
	s = nm.one.s;
	if (want_dir && fd_type(x, &tc, 1) && tc.one.s[0] == 'd')
		return put_str(o, s, nm.one.len);
	slash = memrchr(s, '/', nm.one.len);
	if (slash == NULL)
		return 0;
	if (want_dir)
		return put_str(o, s, slash == s ? 1 : (size_t)(slash - s));
	return put_str(o, slash + 1, nm.one.len - (size_t)(slash - s) - 1);
}

static int
fd_nameraw(struct xctx *x, struct xslot *o)
{
	if (fd_kind(x) != FDK_FILE)
		return 0;
	fd_facts(x);
	if (x->fd_path < 0)
		return 0;
	return put_aws(o, x->ev->paths[x->fd_path].name);
}

static int
fd_dev(struct xctx *x, struct xslot *o, int which)
{
	unsigned maj, min;
	const struct aw_path *p;
	char buf[32];

	if (fd_kind(x) != FDK_FILE)
		return 0;
	fd_facts(x);
	if (x->fd_path < 0)
		return 0;
	p = &x->ev->paths[x->fd_path];
	if (p->dev.s == NULL || p->dev.len >= sizeof(buf))
		return 0;
	memcpy(buf, p->dev.s, p->dev.len);
	buf[p->dev.len] = '\0';
	if (sscanf(buf, "%x:%x", &maj, &min) != 2)
		return 0;
	if (which == 1)
		return put_int(o, maj);
	if (which == 2)
		return put_int(o, min);
	return put_int(o, (int64_t)((min & 0xff) | (maj << 8) |
	    ((min & ~0xffU) << 12)));
}

/* ------------------------------------------------------------ evt.arg */

struct flagname {
	const char *n;
	uint64_t v;
};

static void
flags_render(struct sbuf *b, uint64_t v, const struct flagname *tab,
    size_t n)
{
	int first = 1;

	for (size_t i = 0; i < n; i++) {
		if ((v & tab[i].v) == tab[i].v && tab[i].v != 0) {
			if (!first)
				sb_addc(b, '|');
			sb_adds(b, tab[i].n);
			first = 0;
		}
	}
}

struct lflag {			/* a flag name with its length */
	const char *n;
	uint64_t v[2];		/* value on x86 (and most arches), on arm */
	size_t len;
};
#define FLAG(name, value) { name, { value, value }, sizeof(name) - 1 }
#define FLAG2(name, x86, arm) { name, { x86, arm }, sizeof(name) - 1 }

/* Append the names of the flags of tab set in v to buf (at *len), joined
 * with '|' (values of column arm); returns how many were appended. buf is
 * sized by the caller for every name of tab. */
static int
flags_cat(char *buf, size_t *len, uint64_t v, const struct lflag *tab,
    size_t n, int arm)
{
	int k = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t f = tab[i].v[arm];
		if ((v & f) == f && f != 0) {
			size_t l = tab[i].len;
			if (k++)
				buf[(*len)++] = '|';
			memcpy(buf + *len, tab[i].n, l);
			*len += l;
		}
	}
	return k;
}

/* Open flags are rendered for every open event a rule looks at: built in
 * a local buffer (every name fits) and appended once. Four values differ
 * on arm (asm-generic/fcntl.h vs arch/arm*). */
static const struct lflag open_head[] = {
	FLAG2("O_LARGEFILE", 0100000, 0400000),
	FLAG2("O_DIRECTORY", 0200000, 040000),
	FLAG2("O_DIRECT", 040000, 0200000), FLAG("O_TRUNC", 01000),
	FLAG("O_SYNC", 04010000), FLAG("O_NONBLOCK", 04000),
	FLAG("O_EXCL", 0200), FLAG("O_DSYNC", 010000),
	FLAG("O_APPEND", 02000), FLAG("O_CREAT", 0100),
};
static const struct lflag open_tail[] = {
	FLAG("O_CLOEXEC", 02000000), FLAG("O_TMPFILE", 020000000),
	FLAG2("O_NOFOLLOW", 0400000, 0100000), FLAG("O_NOATIME", 01000000),
	FLAG("O_NOCTTY", 0400), FLAG("O_PATH", 010000000),
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
render_open_flags(struct sbuf *b, uint64_t f, uint32_t arch, int created)
{
	int arm = arch_is_arm(arch) != 0;
	static const char *const mode[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
	    "O_RDWR" };
	char buf[512];
	size_t len = 0, l;

	if (flags_cat(buf, &len, f, open_head, NELEM(open_head), arm))
		buf[len++] = '|';
	l = strlen(mode[f & 3]);
	memcpy(buf + len, mode[f & 3], l);
	len += l;
	buf[len++] = '|';
	if (!flags_cat(buf, &len, f, open_tail, NELEM(open_tail), arm))
		len--;
	if (created) {
		memcpy(buf + len, "|O_F_CREATED", 12);
		len += 12;
	}
	sb_addn(b, buf, len);
}

static void
render_mode_flags(struct sbuf *b, uint64_t m)
{
	static const struct flagname tab[] = {
		{ "S_IXOTH", 01 }, { "S_IWOTH", 02 }, { "S_IROTH", 04 },
		{ "S_IXGRP", 010 }, { "S_IWGRP", 020 }, { "S_IRGRP", 040 },
		{ "S_IXUSR", 0100 }, { "S_IWUSR", 0200 }, { "S_IRUSR", 0400 },
		{ "S_ISVTX", 01000 }, { "S_ISGID", 02000 },
		{ "S_ISUID", 04000 },
	};

	flags_render(b, m, tab, sizeof(tab) / sizeof(tab[0]));
}

static void
render_clone_flags(struct sbuf *b, uint64_t f)
{
	static const struct flagname tab[] = {
		{ "CLONE_FILES", 0x400 }, { "CLONE_FS", 0x200 },
		{ "CLONE_IO", 0x80000000 }, { "CLONE_NEWIPC", 0x08000000 },
		{ "CLONE_NEWNET", 0x40000000 }, { "CLONE_NEWNS", 0x00020000 },
		{ "CLONE_NEWPID", 0x20000000 }, { "CLONE_NEWUTS", 0x04000000 },
		{ "CLONE_PARENT", 0x8000 }, { "CLONE_PTRACE", 0x2000 },
		{ "CLONE_SIGHAND", 0x800 }, { "CLONE_SYSVSEM", 0x40000 },
		{ "CLONE_THREAD", 0x10000 }, { "CLONE_UNTRACED", 0x800000 },
		{ "CLONE_VM", 0x100 }, { "CLONE_NEWUSER", 0x10000000 },
		{ "CLONE_NEWCGROUP", 0x02000000 }, { "CLONE_VFORK", 0x4000 },
		{ "CLONE_NEWTIME", 0x80 },
	};

	flags_render(b, f, tab, sizeof(tab) / sizeof(tab[0]));
	if (b->len == 0)
		sb_adds(b, "0");
}

static const char *
ptrace_name(uint64_t r)
{
	static const struct flagname tab[] = {
		{ "PTRACE_TRACEME", 0 }, { "PTRACE_PEEKTEXT", 1 },
		{ "PTRACE_PEEKDATA", 2 }, { "PTRACE_PEEKUSR", 3 },
		{ "PTRACE_POKETEXT", 4 }, { "PTRACE_POKEDATA", 5 },
		{ "PTRACE_POKEUSR", 6 }, { "PTRACE_CONT", 7 },
		{ "PTRACE_KILL", 8 }, { "PTRACE_SINGLESTEP", 9 },
		{ "PTRACE_GETREGS", 12 }, { "PTRACE_SETREGS", 13 },
		{ "PTRACE_GETFPREGS", 14 }, { "PTRACE_SETFPREGS", 15 },
		{ "PTRACE_ATTACH", 16 }, { "PTRACE_DETACH", 17 },
		{ "PTRACE_GETFPXREGS", 18 }, { "PTRACE_SETFPXREGS", 19 },
		{ "PTRACE_SYSCALL", 24 }, { "PTRACE_GET_THREAD_AREA", 25 },
		{ "PTRACE_SET_THREAD_AREA", 26 }, { "PTRACE_ARCH_PRCTL", 30 },
		{ "PTRACE_SYSEMU", 31 }, { "PTRACE_SYSEMU_SINGLESTEP", 32 },
		{ "PTRACE_SINGLEBLOCK", 33 },
		{ "PTRACE_SETOPTIONS", 0x4200 },
		{ "PTRACE_GETEVENTMSG", 0x4201 },
		{ "PTRACE_GETSIGINFO", 0x4202 },
		{ "PTRACE_SETSIGINFO", 0x4203 },
		{ "PTRACE_GETREGSET", 0x4204 },
		{ "PTRACE_SETREGSET", 0x4205 }, { "PTRACE_SEIZE", 0x4206 },
		{ "PTRACE_INTERRUPT", 0x4207 }, { "PTRACE_LISTEN", 0x4208 },
		{ "PTRACE_PEEKSIGINFO", 0x4209 },
		{ "PTRACE_GETSIGMASK", 0x420a },
		{ "PTRACE_SETSIGMASK", 0x420b },
		{ "PTRACE_SECCOMP_GET_FILTER", 0x420c },
		{ "PTRACE_GET_SYSCALL_INFO", 0x420e },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].v == r)
			return tab[i].n;
	return NULL;
}

static const char *
af_name(uint64_t f)
{
	static const char *names[] = { "AF_UNSPEC", "AF_UNIX", "AF_INET",
	    "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM", "AF_BRIDGE",
	    "AF_ATMPVC", "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet",
	    "AF_NETBEUI", "AF_SECURITY", "AF_KEY", "AF_NETLINK", "AF_PACKET",
	    "AF_ASH", "AF_ECONET", "AF_ATMSVC", "AF_RDS", "AF_SNA", "AF_IRDA",
	    "AF_PPPOX", "AF_WANPIPE", "AF_LLC", "AF_IB", "AF_MPLS", "AF_CAN",
	    "AF_TIPC", "AF_BLUETOOTH", "AF_IUCV", "AF_RXRPC", "AF_ISDN",
	    "AF_PHONET", "AF_IEEE802154", "AF_CAIF", "AF_ALG", "AF_NFC",
	    "AF_VSOCK", "AF_KCM", "AF_QIPCRTR", "AF_SMC", "AF_XDP",
	    "AF_MCTP" };

	return f < sizeof(names) / sizeof(names[0]) ? names[f] : NULL;
}

static void
render_socktype(struct sbuf *b, uint64_t t)
{
	static const char *names[] = { NULL, "SOCK_STREAM", "SOCK_DGRAM",
	    "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET", "SOCK_DCCP", NULL,
	    NULL, NULL, "SOCK_PACKET" };
	uint64_t base = t & 0xf;

	if (base < sizeof(names) / sizeof(names[0]) && names[base])
		sb_adds(b, names[base]);
	else
		sb_printf(b, "%llu", (unsigned long long)base);
	if (t & 04000)
		sb_adds(b, "|SOCK_NONBLOCK");
	if (t & 02000000)
		sb_adds(b, "|SOCK_CLOEXEC");
}

static const char *
bpf_cmd_name(uint64_t c)
{
	static const char *names[] = { "BPF_MAP_CREATE",
	    "BPF_MAP_LOOKUP_ELEM", "BPF_MAP_UPDATE_ELEM",
	    "BPF_MAP_DELETE_ELEM", "BPF_MAP_GET_NEXT_KEY", "BPF_PROG_LOAD",
	    "BPF_OBJ_PIN", "BPF_OBJ_GET", "BPF_PROG_ATTACH", "BPF_PROG_DETACH",
	    "BPF_PROG_TEST_RUN", "BPF_PROG_GET_NEXT_ID",
	    "BPF_MAP_GET_NEXT_ID", "BPF_PROG_GET_FD_BY_ID",
	    "BPF_MAP_GET_FD_BY_ID", "BPF_OBJ_GET_INFO_BY_FD",
	    "BPF_PROG_QUERY", "BPF_RAW_TRACEPOINT_OPEN", "BPF_BTF_LOAD",
	    "BPF_BTF_GET_FD_BY_ID", "BPF_TASK_FD_QUERY",
	    "BPF_MAP_LOOKUP_AND_DELETE_ELEM", "BPF_MAP_FREEZE",
	    "BPF_BTF_GET_NEXT_ID", "BPF_MAP_LOOKUP_BATCH",
	    "BPF_MAP_LOOKUP_AND_DELETE_BATCH", "BPF_MAP_UPDATE_BATCH",
	    "BPF_MAP_DELETE_BATCH", "BPF_LINK_CREATE", "BPF_LINK_UPDATE",
	    "BPF_LINK_GET_FD_BY_ID", "BPF_LINK_GET_NEXT_ID", "BPF_ENABLE_STATS",
	    "BPF_ITER_CREATE", "BPF_LINK_DETACH", "BPF_PROG_BIND_MAP" };

	return c < sizeof(names) / sizeof(names[0]) ? names[c] : NULL;
}

/* Render one parameter; rawnum receives the number for evt.rawarg. */
static int
arg_value(struct xctx *x, const struct argdef *ad, int raw, struct xslot *o)
{
	const struct aw_event *ev = x->ev;
	struct sbuf b;
	uint64_t v = 0;
	const char *s;
	size_t len;
	int i, r;

	switch (ad->src) {
	case S_RES:
		if (ev->exit == AW_NONE)
			return 0;
		if (raw || ad->how == R_FD || ev->exit >= 0)
			return raw ? put_int(o, ev->exit) :
			    put_fmt(x, o, "%lld", (long long)ev->exit);
		s = audit_errno_to_name((int)-ev->exit);
		if (s)
			return put_cstr(o, s);
		return put_fmt(x, o, "%lld", (long long)ev->exit);
	case S_NONE:
		return 0;
	case S_PATH:
		if ((i = path_select(ev, ad->how)) < 0)
			return 0;
		if (ad->raw || raw)
			return put_aws(o, ev->paths[i].name);
		s = resolve_item(x, &ev->paths[i],
		    ad->code == A_NEWPATH ? 2 : 0, &len);
		if (s == NULL)
			return put_aws(o, ev->paths[i].name);
		return put_str(o, s, len);
	case S_SOCK:
		if (!ev->has_sockaddr)
			return 0;
		if (ev->sockaddr.family == 2 || ev->sockaddr.family == 10) {
			if (ad->code == A_TUPLE)
				return put_fmt(x, o, "->%s:%d",
				    ev->sockaddr.addr, ev->sockaddr.port);
			return put_fmt(x, o, "%s:%d", ev->sockaddr.addr,
			    ev->sockaddr.port);
		}
		if (ev->sockaddr.family == 1)
			return put_aws(o, ev->sockaddr.path);
		return 0;
	case S_EXE:
		return proc_exe(x, o);
	case S_ARGS:
		return proc_args(x, o);
	case S_CWD:
		return ev->cwd.s ? put_aws(o, ev->cwd) : 0;
	case S_PID:
		return raw ? put_int(o, ev->pid) :
		    (ev->pid == AW_NONE ? 0 : put_fmt(x, o, "%lld",
		    (long long)ev->pid));
	case S_PPID:
		return raw ? put_int(o, ev->ppid) :
		    (ev->ppid == AW_NONE ? 0 : put_fmt(x, o, "%lld",
		    (long long)ev->ppid));
	case S_COMM:
		return put_aws(o, ev->comm);
	case S_DEV: {
		struct xslot t;
		if (raw)
			return fd_dev(x, o, 0);
		memset(&t, 0, sizeof(t));
		if (!fd_dev(x, &t, 0))
			return 0;
		return put_fmt(x, o, "%llx", (unsigned long long)t.one.i);
	}
	case S_INO:
		fd_facts(x);
		if (x->fd_path < 0 ||
		    ev->paths[x->fd_path].inode == AW_NONE)
			return 0;
		return raw ? put_int(o, ev->paths[x->fd_path].inode) :
		    put_fmt(x, o, "%lld", (long long)
		    ev->paths[x->fd_path].inode);
	default:
		break;
	}
	if (!ev->has_syscall || ev->args_indirect)
		return 0;
	v = ev->a[ad->src - S_A0];
	if (raw) {
		if (ad->how == R_FD)
			return put_int(o, (int32_t)(uint32_t)v);
		return put_int(o, (int64_t)v);
	}
	sb_init(&b);
	r = 1;
	switch (ad->how) {
	case R_DEC:
		sb_printf(&b, "%lld", (long long)v);
		break;
	case R_FD:
		if ((v & 0xffffffffULL) == AT_FDCWD_32)
			sb_adds(&b, "AT_FDCWD");
		else
			sb_printf(&b, "%d", (int32_t)(uint32_t)v);
		break;
	case R_HEX:
		sb_printf(&b, "%llX", (unsigned long long)v);
		break;
	case R_OCT:
		sb_printf(&b, "0%llo", (unsigned long long)v);
		break;
	case R_OPENFLAGS:
		render_open_flags(&b, v, ev->arch, path_created(ev));
		break;
	case R_MODEFLAGS:
		render_mode_flags(&b, v);
		break;
	case R_PTRACE:
		if ((s = ptrace_name(v)) != NULL)
			sb_adds(&b, s);
		else
			sb_printf(&b, "%llu", (unsigned long long)v);
		break;
	case R_AF:
		if ((s = af_name(v)) != NULL)
			sb_adds(&b, s);
		else
			sb_printf(&b, "%llu", (unsigned long long)v);
		break;
	case R_SOCKTYPE:
		render_socktype(&b, v);
		break;
	case R_CLONE:
		render_clone_flags(&b, v);
		break;
	case R_BPFCMD:
		if ((s = bpf_cmd_name(v)) != NULL)
			sb_adds(&b, s);
		else
			sb_printf(&b, "%llu", (unsigned long long)v);
		break;
	case R_UNLINKFLAGS:
		sb_adds(&b, (v & 0x200) ? "AT_REMOVEDIR" : "0");
		break;
	case R_UID:
	case R_GID:
		s = NULL;
		if (x->en != NULL && (uint32_t)v != 0xffffffffU)
			s = ad->how == R_UID ?
			    aw_enricher_user_name(x->en, (int64_t)(uint32_t)v,
			    xproc(x)) : aw_enricher_group_name(x->en,
			    (int64_t)(uint32_t)v, xproc(x));
		if (s)
			sb_adds(&b, s);
		else
			sb_printf(&b, "%lld", (long long)(int32_t)(uint32_t)v);
		break;
	default:
		r = 0;
	}
	if (r && !b.oom && b.s)
		r = put_str(o, arena_strndup(&x->arena, b.s, b.len), b.len);
	else
		r = 0;
	sb_free(&b);
	return r;
}

static int
evt_arg(struct xctx *x, const struct cfield *f, int raw, struct xslot *o)
{
	const struct scspec *sp = spec_for(x->ev->syscall_name);

	if (sp == NULL)
		return 0;
	if (f->argcode < 0 && f->idx >= 0) {
		if (f->idx >= sp->n)
			return 0;
		return arg_value(x, &sp->a[f->idx], raw, o);
	}
	for (int i = 0; i < sp->n; i++)
		if (sp->a[i].code == f->argcode)
			return arg_value(x, &sp->a[i], raw, o);
	return 0;
}

static int
evt_args(struct xctx *x, struct xslot *o)
{
	const struct scspec *sp = spec_for(x->ev->syscall_name);
	struct sbuf b;
	int r = 0;

	if (sp == NULL)
		return 0;
	sb_init(&b);
	for (int i = 0; i < sp->n; i++) {
		struct xslot v;
		memset(&v, 0, sizeof(v));
		if (!arg_value(x, &sp->a[i], 0, &v))
			continue;
		if (b.len)
			sb_addc(&b, ' ');
		sb_printf(&b, "%s=", argnames[sp->a[i].code].name);
		sb_addn(&b, v.one.s, v.one.len);
	}
	if (!b.oom && b.s)
		r = put_str(o, arena_strndup(&x->arena, b.s, b.len), b.len);
	sb_free(&b);
	return r;
}

/* evt.abspath: main path, or [src]/[dst] of two-path syscalls. */
static int
evt_abspath(struct xctx *x, const struct cfield *f, struct xslot *o,
    int raw)
{
	const struct aw_event *ev = x->ev;
	const char *s;
	size_t len;
	int i, which = 0;

	if (f->arg && strcmp(f->arg, "src") == 0) {
		i = path_select(ev, is_syscall(x, "link") ||
		    is_syscall(x, "linkat") ? PS_NORMAL : is_one_of(x,
		    (const char *const[]){ "symlink", "symlinkat", NULL }) ?
		    PS_UNKNOWN : PS_DELETE);
		if (is_one_of(x, (const char *const[]){ "symlink",
		    "symlinkat", NULL }))
			raw = 1;
	} else if (f->arg && strcmp(f->arg, "dst") == 0) {
		i = path_select(ev, PS_CREATE);
		which = 2;
	} else
		i = path_select(ev, PS_MAIN);
	if (i < 0 || ev->paths[i].name.s == NULL)
		return 0;
	if (raw)
		return put_aws(o, ev->paths[i].name);
	if ((s = resolve_item(x, &ev->paths[i], which, &len)) == NULL)
		return 0;
	return put_str(o, s, len);
}

/* ------------------------------------------------------------ time */

static int
fmt_time(struct xctx *x, struct xslot *o, int kind)
{
	const struct aw_event *ev = x->ev;
	time_t t = (time_t)ev->sec;
	struct tm tm;
	char buf[64];
	size_t n;
	uint64_t nsec = (uint64_t)ev->msec * 1000000ULL;

	if (kind == 2) {
		if (gmtime_r(&t, &tm) == NULL)
			return 0;
	} else if (localtime_r(&t, &tm) == NULL)
		return 0;
	switch (kind) {
	case 0:		/* evt.time */
		n = strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		snprintf(buf + n, sizeof(buf) - n, ".%09llu",
		    (unsigned long long)nsec);
		break;
	case 1:		/* evt.time.s */
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		break;
	case 2:		/* evt.time.iso8601 */
		n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf + n, sizeof(buf) - n, ".%09lluZ",
		    (unsigned long long)nsec);
		break;
	case 3:		/* evt.datetime */
		n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(buf + n, sizeof(buf) - n, ".%09llu",
		    (unsigned long long)nsec);
		break;
	default:	/* evt.datetime.s */
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
		break;
	}
	if (!put_str(o, arena_strndup(&x->arena, buf, strlen(buf)),
	    strlen(buf)))
		return 0;
	o->one.i = (int64_t)ev_ns(ev);
	return 1;
}

/* ------------------------------------------------------------ container */

/* Container metadata for the event's process. The first events of a new
 * container may wait for its lookup (Docker API, kubelet) to answer, at
 * most enrich.metadata_wait after the lookup started; afterwards the answer
 * is cached, or known to be missing, and nothing waits. So an alert goes
 * out with the names when they come quickly, and without them otherwise. */
static const struct aw_container_meta *
cmeta(struct xctx *x)
{
	const struct aw_proc *p = xproc(x);

	if (x->en == NULL || p == NULL || p->container_id == NULL ||
	    strcmp(p->container_id, "host") == 0)
		return NULL;
	return aw_enricher_container_wait(x->en, p->container_id);
}

static int
is_host(struct xctx *x)
{
	const struct aw_proc *p = xproc(x);

	return p != NULL && p->container_id != NULL &&
	    strcmp(p->container_id, "host") == 0;
}

/* "k1:v1, k2:v2" → value of key. */
static int
label_value(struct xctx *x, const char *labels, const char *key,
    struct xslot *o)
{
	size_t klen = strlen(key);
	const char *p = labels;

	if (labels == NULL)
		return 0;
	while (*p) {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == ':')
			return put_str(o, arena_strndup(&x->arena, p + klen +
			    1, len - klen - 1), len - klen - 1);
		if (end == NULL)
			break;
		p = end + 2;
	}
	return 0;
}

static int
audit_types(struct xctx *x, struct xslot *o)
{
	const struct aw_event *ev = x->ev;
	struct fval *v;
	int n = 0;

	if (ev->nrecords <= 0 || ev->types == NULL)
		return 0;
	if ((v = arena_alloc(&x->arena, sizeof(*v) *
	    (size_t)ev->nrecords)) == NULL)
		return 0;
	for (int i = 0; i < ev->nrecords; i++) {
		const char *s = audit_msg_type_to_name(ev->types[i]);
		char buf[32];
		if (s == NULL) {
			snprintf(buf, sizeof(buf), "UNKNOWN[%d]",
			    ev->types[i]);
			s = arena_strndup(&x->arena, buf, strlen(buf));
			if (s == NULL)
				continue;
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].s = s;
		v[n].len = strlen(s);
		n++;
	}
	o->v = v;
	o->n = n;
	return n;
}

/* ------------------------------------------------------------ dispatch */

int
aw_field_extract(struct xctx *x, const struct cfield *f, struct xslot *o)
{
	const struct aw_event *ev = x->ev;
	const struct aw_proc *p;
	uint64_t flags, mode;
	const char *s;

	o->n = 0;
	o->v = NULL;
	if (f->def->avail == AV_NO)
		return 0;
	switch ((enum fid)f->def->id) {
	case F_EVT_NUM:
		return put_int(o, ev->serial);
	case F_EVT_TIME:
		return fmt_time(x, o, 0);
	case F_EVT_TIME_S:
		return fmt_time(x, o, 1);
	case F_EVT_TIME_ISO:
		return fmt_time(x, o, 2);
	case F_EVT_DATETIME:
		return fmt_time(x, o, 3);
	case F_EVT_DATETIME_S:
		return fmt_time(x, o, 4);
	case F_EVT_RAWTIME:
		return put_int(o, (int64_t)ev_ns(ev));
	case F_EVT_RAWTIME_S:
		return put_int(o, (int64_t)ev->sec);
	case F_EVT_RAWTIME_NS:
		return put_int(o, (int64_t)ev->msec * 1000000);
	case F_EVT_DIR:
		return put_cstr(o, "<");
	case F_EVT_TYPE:
	case F_SYSCALL_TYPE:
		return put_cstr(o, ev->syscall_name);
	case F_EVT_TYPE_IS:
		return put_int(o, ev->syscall_name && f->arg &&
		    strcmp(ev->syscall_name, f->arg) == 0);
	case F_EVT_ARGS:
		return evt_args(x, o);
	case F_EVT_ARG:
		return evt_arg(x, f, 0, o);
	case F_EVT_RAWARG:
		return evt_arg(x, f, 1, o);
	case F_EVT_RES:
		if (ev->exit == AW_NONE)
			return 0;
		if (ev->exit >= 0)
			return put_cstr(o, "SUCCESS");
		if ((s = audit_errno_to_name((int)-ev->exit)) != NULL)
			return put_cstr(o, s);
		return put_fmt(x, o, "%lld", (long long)ev->exit);
	case F_EVT_RAWRES:
		return put_int(o, ev->exit);
	case F_EVT_FAILED:
		if (ev->exit != AW_NONE)
			return put_bool(o, ev->exit < 0);
		if (ev->success >= 0)
			return put_bool(o, ev->success == 0);
		return 0;
	case F_EVT_IS_IO:
	case F_EVT_IS_IO_READ:
	case F_EVT_IS_IO_WRITE:
	case F_EVT_IO_DIR: {
		static const char *const rd[] = { "read", "pread64", "readv",
		    "preadv", "preadv2", "recvfrom", "recvmsg", "recvmmsg",
		    NULL };
		static const char *const wr[] = { "write", "pwrite64",
		    "writev", "pwritev", "pwritev2", "sendto", "sendmsg",
		    "sendmmsg", "sendfile", NULL };
		int r = is_one_of(x, rd), w = is_one_of(x, wr);
		if (f->def->id == F_EVT_IO_DIR)
			return r ? put_cstr(o, "r") : w ? put_cstr(o, "w") : 0;
		if (ev->syscall_name == NULL)
			return 0;
		return put_bool(o, f->def->id == F_EVT_IS_IO ? (r || w) :
		    f->def->id == F_EVT_IS_IO_READ ? r : w);
	}
	case F_EVT_COUNT:
		return put_int(o, 1);
	case F_EVT_ABSPATH:
		return evt_abspath(x, f, o, 0);
	case F_EVT_IS_OPEN_READ:
	case F_EVT_IS_OPEN_WRITE:
	case F_EVT_IS_OPEN_EXEC:
	case F_EVT_IS_OPEN_CREATE:
		if (ev->syscall_name == NULL)
			return 0;
		if (!is_one_of(x, open_family))
			return put_bool(o, 0);
		if (f->def->id == F_EVT_IS_OPEN_CREATE)
			return put_bool(o, path_created(ev));
		if (!open_flags(x, &flags))
			return 0;	/* openat2: flags not audited */
		switch (f->def->id) {
		case F_EVT_IS_OPEN_READ:
			return put_bool(o, (flags & 3) == 0 || (flags & 3) == 2);
		case F_EVT_IS_OPEN_WRITE:
			return put_bool(o, (flags & 3) == 1 || (flags & 3) == 2);
		default:
			return put_bool(o, (flags & 0100) && open_mode(x,
			    &mode) && (mode & 0111));
		}
	case F_EVT_HOSTNAME:
		return x->opts ? put_cstr(o, x->opts->hostname) : 0;
	case F_EVT_SOURCE:
		return put_cstr(o, "syscall");
	case F_EVT_IS_ASYNC:
		return put_bool(o, 0);

	case F_PROC_NAME:
		return proc_name(x, o);
	case F_PROC_EXE:
		return proc_exe(x, o);
	case F_PROC_EXEPATH:
		return proc_exepath(x, o);
	case F_PROC_ARGS:
		return proc_args(x, o);
	case F_PROC_CMDLINE:
		return proc_cmdline(x, o);
	case F_PROC_EXELINE: {
		struct xslot e, a;
		size_t len;
		memset(&e, 0, sizeof(e));
		memset(&a, 0, sizeof(a));
		if (!proc_exe(x, &e))
			return 0;
		if (!proc_args(x, &a))
			a.one.s = "", a.one.len = 0;
		s = make_cmdline(x, e.one.s, e.one.len, a.one.s, a.one.len,
		    &len);
		return put_str(o, s, len);
	}
	case F_PROC_CMDNARGS:
	case F_PROC_CMDLENARGS: {
		struct aw_str *argv;
		int n = proc_argv(x, &argv);
		int64_t tot = 0;
		if (n <= 0)
			return 0;
		if (f->def->id == F_PROC_CMDNARGS)
			return put_int(o, n - 1);
		for (int i = 1; i < n; i++)
			tot += (int64_t)argv[i].len;
		return put_int(o, tot);
	}
	case F_PROC_PNAME:
		return pfield(x, ancestor(x, 1), PF_NAME, o);
	case F_PROC_PEXE:
		return pfield(x, ancestor(x, 1), PF_EXE, o);
	case F_PROC_PEXEPATH:
		return pfield(x, ancestor(x, 1), PF_EXEPATH, o);
	case F_PROC_PCMDLINE:
		return pfield(x, ancestor(x, 1), PF_CMDLINE, o);
	case F_PROC_ANAME:
		return ancestors(x, f, PF_NAME, o);
	case F_PROC_AEXE:
		return ancestors(x, f, PF_EXE, o);
	case F_PROC_AEXEPATH:
		return ancestors(x, f, PF_EXEPATH, o);
	case F_PROC_ACMDLINE:
		return ancestors(x, f, PF_CMDLINE, o);
	case F_PROC_APID:
		return ancestors(x, f, PF_PID, o);
	case F_PROC_CWD: {
		const char *c = NULL;
		size_t len = 0;
		if (ev->cwd.s) {
			c = ev->cwd.s;
			len = ev->cwd.len;
		} else if ((p = xproc(x)) != NULL && p->cwd) {
			c = p->cwd;
			len = strlen(c);
		}
		char *d;
		if (c == NULL)
			return 0;
		if (len > 0 && c[len - 1] == '/')
			return put_str(o, c, len);
		if ((d = arena_alloc(&x->arena, len + 2)) == NULL)
			return 0;
		memcpy(d, c, len);
		d[len] = '/';
		d[len + 1] = '\0';
		return put_str(o, d, len + 1);
	}
	case F_PROC_TTY:
		return proc_tty(x, o);
	case F_PROC_PID:
		if (ev->pid != AW_NONE)
			return put_int(o, ev->pid);
		return 0;
	case F_PROC_PPID:
		if (ev->ppid != AW_NONE)
			return put_int(o, ev->ppid);
		if ((p = xproc(x)) != NULL)
			return put_int(o, p->ppid);
		return 0;
	case F_PROC_DURATION:
		if ((p = xproc(x)) == NULL || p->start_ns == 0 ||
		    p->start_ns > ev_ns(ev))
			return 0;
		return put_int(o, (int64_t)(ev_ns(ev) - p->start_ns));
	case F_PROC_PPID_DURATION:
		if ((p = ancestor(x, 1)) == NULL || p->start_ns == 0 ||
		    p->start_ns > ev_ns(ev))
			return 0;
		return put_int(o, (int64_t)(ev_ns(ev) - p->start_ns));
	case F_PROC_PID_TS:
		if ((p = xproc(x)) == NULL || p->start_ns == 0)
			return 0;
		return put_int(o, (int64_t)p->start_ns);
	case F_PROC_PPID_TS:
		if ((p = ancestor(x, 1)) == NULL || p->start_ns == 0)
			return 0;
		return put_int(o, (int64_t)p->start_ns);
	case F_PROC_IS_EXE_FROM_MEMFD: {
		struct xslot e;
		memset(&e, 0, sizeof(e));
		if (!proc_exepath(x, &e))
			return 0;
		return put_bool(o, e.one.len >= 7 &&
		    memcmp(e.one.s, "/memfd:", 7) == 0);
	}

	case F_USER_UID:
		if (ev->euid != AW_NONE)
			return put_int(o, ev->euid);
		if ((p = xproc(x)) != NULL)
			return put_int(o, p->euid);
		return 0;
	case F_USER_NAME: {
		int64_t uid = ev->euid;
		if (uid == AW_NONE && (p = xproc(x)) != NULL)
			uid = p->euid;
		if (uid == AW_NONE || x->en == NULL)
			return 0;
		return put_cstr(o, aw_enricher_user_name(x->en, uid,
		    xproc(x)));
	}
	case F_USER_LOGINUID:
	case F_AUDIT_AUID: {
		int64_t a = ev->auid;
		if (a == AW_NONE && (p = xproc(x)) != NULL)
			a = p->auid;
		if (a == AW_NONE)
			return 0;
		if (f->def->id == F_USER_LOGINUID && a == AW_UNSET_ID)
			a = -1;
		return put_int(o, a);
	}
	case F_USER_LOGINNAME:
		if (ev->auid == AW_NONE || ev->auid == AW_UNSET_ID ||
		    x->en == NULL)
			return 0;
		return put_cstr(o, aw_enricher_user_name(x->en, ev->auid,
		    xproc(x)));
	case F_GROUP_GID:
		if (ev->egid != AW_NONE)
			return put_int(o, ev->egid);
		if ((p = xproc(x)) != NULL)
			return put_int(o, p->egid);
		return 0;
	case F_GROUP_NAME: {
		int64_t gid = ev->egid;
		if (gid == AW_NONE && (p = xproc(x)) != NULL)
			gid = p->egid;
		if (gid == AW_NONE || x->en == NULL)
			return 0;
		return put_cstr(o, aw_enricher_group_name(x->en, gid,
		    xproc(x)));
	}

	case F_FD_NUM:
		return fd_num(x, o);
	case F_FD_TYPE:
		return fd_type(x, o, 0);
	case F_FD_TYPECHAR:
		return fd_type(x, o, 1);
	case F_FD_NAME:
		return fd_name(x, o);
	case F_FD_DIRECTORY:
		return fd_dir_or_file(x, o, 1);
	case F_FD_FILENAME:
		return fd_dir_or_file(x, o, 0);
	case F_FD_NAMERAW:
		return fd_nameraw(x, o);
	case F_FD_IP:		/* client or server: the side we know */
	case F_FD_NET:
		if (sock_inet_kind(x) == FDK_NONE)
			return 0;
		return put_ip(o, ev->sockaddr.addr);
	case F_FD_SIP:		/* connect: the server; bind: its own */
	case F_FD_SNET:
		if (sock_inet_kind(x) != FDK_SOCK &&
		    sock_inet_kind(x) != FDK_BIND)
			return 0;
		return put_ip(o, ev->sockaddr.addr);
	case F_FD_RIP:		/* the server is remote to its client */
	case F_FD_RNET:
		if (!sock_inet(x))
			return 0;
		return put_ip(o, ev->sockaddr.addr);
	case F_FD_CIP:		/* accept: the peer is the client */
	case F_FD_CNET:
		if (sock_inet_kind(x) != FDK_ACCEPT)
			return 0;
		return put_ip(o, ev->sockaddr.addr);
	case F_FD_PORT:
		if (sock_inet_kind(x) == FDK_NONE || ev->sockaddr.port < 0)
			return 0;
		return put_int(o, ev->sockaddr.port);
	case F_FD_SPORT:
		if ((sock_inet_kind(x) != FDK_SOCK &&
		    sock_inet_kind(x) != FDK_BIND) || ev->sockaddr.port < 0)
			return 0;
		return put_int(o, ev->sockaddr.port);
	case F_FD_RPORT:
		if (!sock_inet(x) || ev->sockaddr.port < 0)
			return 0;
		return put_int(o, ev->sockaddr.port);
	case F_FD_CPORT:
		if (sock_inet_kind(x) != FDK_ACCEPT || ev->sockaddr.port < 0)
			return 0;
		return put_int(o, ev->sockaddr.port);
	case F_FD_L4PROTO:
		return fd_l4proto(x, o);
	case F_FD_IS_SERVER:
		switch (fd_kind(x)) {
		case FDK_SOCK:
			return put_bool(o, 0);
		case FDK_BIND:
		case FDK_ACCEPT:
			return put_bool(o, 1);
		default:
			return 0;
		}
	case F_FD_SOCKFAMILY:
		if (fd_kind(x) != FDK_SOCK && fd_kind(x) != FDK_BIND &&
		    fd_kind(x) != FDK_ACCEPT)
			return 0;
		return ev->sockaddr.family == 2 || ev->sockaddr.family == 10 ?
		    put_cstr(o, "ip") : ev->sockaddr.family == 1 ?
		    put_cstr(o, "unix") : 0;
	case F_FD_DEV:
		return fd_dev(x, o, 0);
	case F_FD_DEV_MAJOR:
		return fd_dev(x, o, 1);
	case F_FD_DEV_MINOR:
		return fd_dev(x, o, 2);
	case F_FD_INO:
		if (fd_kind(x) != FDK_FILE)
			return 0;
		fd_facts(x);
		if (x->fd_path < 0)
			return 0;
		return put_int(o, ev->paths[x->fd_path].inode);

	case F_FS_PATH_NAME:
	case F_FS_PATH_NAMERAW:
		if (ev->npaths == 0 || is_exec(x))
			return 0;
		return evt_abspath(x, &(struct cfield){ .def = f->def,
		    .arg = NULL }, o, f->def->id == F_FS_PATH_NAMERAW);
	case F_FS_PATH_SOURCE:
	case F_FS_PATH_SOURCERAW:
	case F_FS_PATH_TARGET:
	case F_FS_PATH_TARGETRAW: {
		static const char *const two[] = { "rename", "renameat",
		    "renameat2", "link", "linkat", "symlink", "symlinkat",
		    NULL };
		int src = f->def->id == F_FS_PATH_SOURCE ||
		    f->def->id == F_FS_PATH_SOURCERAW;
		int raw = f->def->id == F_FS_PATH_SOURCERAW ||
		    f->def->id == F_FS_PATH_TARGETRAW;
		if (!is_one_of(x, two))
			return 0;
		return evt_abspath(x, &(struct cfield){ .def = f->def,
		    .arg = src ? "src" : "dst" }, o, raw);
	}

	case F_CT_ID:
		return (p = xproc(x)) ? put_cstr(o, p->container_id) : 0;
	case F_CT_FULL_ID:
		if ((p = xproc(x)) == NULL)
			return 0;
		return put_cstr(o, is_host(x) ? "host" : p->container_full_id);
	case F_CT_TYPE:
		if ((p = xproc(x)) == NULL)
			return 0;
		return put_cstr(o, is_host(x) ? "host" : p->container_type);
	case F_CT_NAME:
		if (is_host(x))
			return put_cstr(o, "host");
		return cmeta(x) ? put_cstr(o, cmeta(x)->name) : 0;
	case F_CT_IMAGE:
		return cmeta(x) ? put_cstr(o, cmeta(x)->image) : 0;
	case F_CT_IMAGE_REPOSITORY:
		return cmeta(x) ? put_cstr(o, cmeta(x)->image_repository) : 0;
	case F_CT_IMAGE_TAG:
		return cmeta(x) ? put_cstr(o, cmeta(x)->image_tag) : 0;
	case F_CT_PRIVILEGED:
		if (cmeta(x) == NULL || cmeta(x)->privileged < 0)
			return 0;
		return put_bool(o, cmeta(x)->privileged);
	case F_K8S_POD_NAME:
		return cmeta(x) ? put_cstr(o, cmeta(x)->pod_name) : 0;
	case F_K8S_NS_NAME:
		return cmeta(x) ? put_cstr(o, cmeta(x)->pod_namespace) : 0;
	case F_K8S_POD_LABELS:
		return cmeta(x) ? put_cstr(o, cmeta(x)->pod_labels) : 0;
	case F_K8S_POD_LABEL:
		return cmeta(x) && f->arg ? label_value(x,
		    cmeta(x)->pod_labels, f->arg, o) : 0;
	case F_K8S_POD_ID:
	case F_K8S_POD_UID:
		return (p = xproc(x)) ? put_cstr(o, p->pod_uid) : 0;

	case F_AUDIT_KEY:
		return put_aws(o, ev->key);
	case F_AUDIT_SERIAL:
		return put_int(o, ev->serial);
	case F_AUDIT_SES:
		return put_int(o, ev->ses);
	case F_AUDIT_ARCH:
		if (!ev->has_syscall)
			return 0;
		return put_cstr(o, audit_machine_to_name(
		    audit_elf_to_machine(ev->arch)));
	case F_AUDIT_TYPES:
		return audit_types(x, o);
	case F_AUDIT_SYSCALL:
		return put_int(o, ev->syscall);
	case F_AUDIT_SUCCESS:
		return ev->success >= 0 ? put_bool(o, ev->success) : 0;
	case F_AUDIT_EXIT:
		return put_int(o, ev->exit);
	case F_AUDIT_NODE:
		return put_aws(o, ev->node);
	case F_AUDIT_ARG:
		if (!ev->has_syscall || f->idx < 0 || f->idx > 3)
			return 0;
		return put_int(o, (int64_t)ev->a[f->idx]);
	case F_AUDIT_UID:
		return put_int(o, ev->uid);
	case F_AUDIT_GID:
		return put_int(o, ev->gid);
	case F_AUDIT_EUID:
		return put_int(o, ev->euid);
	case F_AUDIT_EGID:
		return put_int(o, ev->egid);
	case F_AUDIT_SUID:
		return put_int(o, ev->suid);
	case F_AUDIT_SGID:
		return put_int(o, ev->sgid);
	case F_AUDIT_FSUID:
		return put_int(o, ev->fsuid);
	case F_AUDIT_FSGID:
		return put_int(o, ev->fsgid);
	case F_AUDIT_SUBJ:
		return put_aws(o, ev->subj);
	case F_AUDIT_ITEMS:
		return put_int(o, ev->items);
	case F_AUDIT_CLOSED_BY: {
		static const char *names[] = { "eoe", "single", "shape",
		    "timeout", "evicted", "flush" };
		if ((unsigned)ev->closed_by < 6)
			return put_cstr(o, names[ev->closed_by]);
		return 0;
	}
	case F_AUDIT_PROCTITLE: {
		char *t;
		if (ev->proctitle.s == NULL)
			return 0;
		if ((t = arena_strndup(&x->arena, ev->proctitle.s,
		    ev->proctitle.len)) == NULL)
			return 0;
		for (size_t i = 0; i < ev->proctitle.len; i++)
			if (t[i] == '\0')
				t[i] = ' ';
		return put_str(o, t, ev->proctitle.len);
	}
	case F_AUDIT_ARGV_INCOMPLETE:
		if (!is_exec(x))
			return 0;
		return put_bool(o, ev->argv_incomplete);
	default:
		return 0;	/* known to Falco, not derivable here */
	}
}
