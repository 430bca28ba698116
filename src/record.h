/*
 * record.h — one audit record, parsed in place.
 *
 * A record is one line of audit.log or one netlink datagram. The parser
 * never copies or allocates: struct aw_record points into the caller's
 * buffer, and the key=value scanner walks the body on demand. Values are
 * decoded (quoted / hex / bare / null) only when a consumer asks for them.
 */
#ifndef AW_RECORD_H
#define AW_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* Record type numbers the pipeline looks at (values from the kernel ABI). */
enum {
	AW_T_LOGIN = 1006,
	AW_T_SYSCALL = 1300,
	AW_T_PATH = 1302,
	AW_T_IPC = 1303,
	AW_T_SOCKETCALL = 1304,
	AW_T_CONFIG_CHANGE = 1305,
	AW_T_SOCKADDR = 1306,
	AW_T_CWD = 1307,
	AW_T_EXECVE = 1309,
	AW_T_EOE = 1320,
	AW_T_BPRM_FCAPS = 1321,
	AW_T_PROCTITLE = 1327,
	AW_T_KERNEL = 2000,
};

struct aw_record {
	int type;			/* numeric record type, 0 if unknown */
	uint64_t sec;			/* timestamp seconds */
	uint32_t msec;			/* timestamp milliseconds */
	uint32_t serial;
	const char *node;		/* node= prefix, or NULL */
	size_t nodelen;
	const char *body;		/* text after "): " */
	size_t bodylen;
	const char *enriched;		/* text after \x1d, or NULL */
	size_t enrichedlen;
};

/* Parse one audit.log line ("[node=N ]type=T msg=audit(S.M:N): body").
 * Trailing newline is allowed. Returns 0, or -1 and sets *err. */
int aw_record_parse_line(const char *line, size_t len, struct aw_record *r,
    const char **err);

/* Parse a netlink payload ("audit(S.M:N): body"); type from nlmsg_type. */
int aw_record_parse_wire(int type, const char *payload, size_t len,
    struct aw_record *r, const char **err);

/* Record type name <-> number, including "UNKNOWN[1329]". */
int aw_record_type_from_name(const char *name, size_t len);
const char *aw_record_type_name(int type, char *buf, size_t bufsz);

/* One key=value pair as it appears in the text. */
struct aw_kv {
	const char *key;
	size_t keylen;
	const char *val;		/* raw value text, quotes stripped */
	size_t vallen;
	char quote;			/* '"', '\'', or 0 for bare */
};

/* Iterates the key=value pairs of a body. Nested msg='...' of user-space
 * records is returned as one pair (quote '\''); call aw_kv_init on its
 * value to walk the inner pairs. Words without '=' are skipped. */
struct aw_kv_iter {
	const char *p;
	const char *end;
};

void aw_kv_init(struct aw_kv_iter *it, const char *body, size_t len);
int aw_kv_next(struct aw_kv_iter *it, struct aw_kv *kv);
/* Find the first pair named key; 1 if found. */
int aw_kv_find(const char *body, size_t len, const char *key, struct aw_kv *kv);

/* Decoding of an "encodable" value (comm, exe, name, aN, proctitle...):
 * quoted → literal; "(null)" → null; otherwise uppercase hex → bytes (odd
 * or non-hex → kept raw). Writes at most outsz-1 bytes plus NUL into out;
 * returns decoded length, or -1 for a null value. *truncated set if the
 * output did not fit. */
long aw_value_decode(const struct aw_kv *kv, char *out, size_t outsz,
    int *truncated);
/* Length aw_value_decode would need (excluding NUL), -1 for null. */
long aw_value_decoded_len(const struct aw_kv *kv);
/* Parse helpers for numeric fields; return 0 on success. */
int aw_parse_u64(const char *s, size_t len, int base, uint64_t *out);
int aw_parse_i64(const char *s, size_t len, int64_t *out);

#endif
