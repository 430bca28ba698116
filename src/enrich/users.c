/*
 * users.c — uid/gid → name, for the host and for each container.
 *
 * A database is a pair of files (passwd, group) parsed into two uthash
 * maps id → name. The host database reads the configured files (by
 * default /etc/passwd and /etc/group, or <host_proc>/1/root/etc/... when
 * the host's /proc is mounted elsewhere). A container's database reads the
 * container's own files through /proc/<pid>/root of one of its processes,
 * so "uid 101" in an nginx image is "nginx", not whatever the host calls
 * 101. We never call getpwuid(): NSS could block on LDAP/sssd and would
 * answer for the wrong root anyway.
 *
 * Invalidation: a cached file is stat()ed at most every check_ms; when its
 * (dev, inode, size, mtime) changed it is parsed again. A container whose
 * processes are gone keeps its last tables. Replaced tables are retired,
 * not freed, until aw_users_gc() (once per event), because names already
 * handed to the rule engine must stay valid while it evaluates the event.
 *
 * Container files are attacker-controlled: they are opened with
 * openat2(RESOLVE_IN_ROOT) relative to the container's root (an absolute
 * symlink /etc/passwd -> /etc/shadow then resolves inside the container,
 * not on the host), non-blocking (a FIFO cannot stall us), must be
 * regular files and are read up to MAX_FILE bytes. The number of
 * container databases is bounded (LRU).
 */
#include "autoconf.h"
#include "enrich/users.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uthash.h>

#include "enrich/procfs.h"

#define MAX_FILE (4u << 20)

struct identry {
	int64_t id;
	UT_hash_handle hh;
	char name[];
};

struct idtable {
	struct identry *map;
	struct idtable *next_retired;
};

struct source {
	struct idtable *tab;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int loaded;
	uint64_t checked_ms;
};

struct iddb {
	char *key;		/* container key; NULL for the host */
	struct source pw, gr;
	UT_hash_handle hh;
	struct iddb *lru_prev, *lru_next;
};

struct aw_users {
	char *passwd, *group;
	const struct aw_procfs *fs;
	uint64_t check_ms;
	unsigned max_dbs;
	struct iddb host;
	struct iddb *dbs;	/* containers, by key */
	struct iddb *head, *tail;
	struct idtable *retired;
	struct aw_users_stats st;
};

static void
table_free(struct idtable *t)
{
	struct identry *e, *tmp;

	if (t == NULL)
		return;
	HASH_ITER(hh, t->map, e, tmp) {
		HASH_DEL(t->map, e);
		free(e);
	}
	free(t);
}

static void
retire(struct aw_users *u, struct idtable *t)
{
	if (t == NULL)
		return;
	t->next_retired = u->retired;
	u->retired = t;
}

void
aw_users_gc(struct aw_users *u)
{
	while (u->retired) {
		struct idtable *t = u->retired;

		u->retired = t->next_retired;
		table_free(t);
	}
}

struct aw_users *
aw_users_new(const char *passwd, const char *group, const struct aw_procfs *fs,
    uint64_t check_ms, unsigned max_dbs)
{
	struct aw_users *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	u->passwd = strdup(passwd);
	u->group = strdup(group);
	if (u->passwd == NULL || u->group == NULL) {
		free(u->passwd);
		free(u->group);
		free(u);
		return NULL;
	}
	u->fs = fs;
	u->check_ms = check_ms;
	u->max_dbs = max_dbs ? max_dbs : 1;
	return u;
}

static void
db_retire(struct aw_users *u, struct iddb *db)
{
	retire(u, db->pw.tab);
	retire(u, db->gr.tab);
	db->pw.tab = db->gr.tab = NULL;
}

void
aw_users_free(struct aw_users *u)
{
	struct iddb *db, *tmp;

	if (u == NULL)
		return;
	HASH_ITER(hh, u->dbs, db, tmp) {
		HASH_DEL(u->dbs, db);
		db_retire(u, db);
		free(db->key);
		free(db);
	}
	db_retire(u, &u->host);
	aw_users_gc(u);
	free(u->passwd);
	free(u->group);
	free(u);
}

/* Parse "name:pw:id:..." lines (passwd and group share the layout). */
static struct idtable *
parse_db(const char *buf, size_t len)
{
	struct idtable *t = calloc(1, sizeof(*t));
	const char *p = buf, *end = buf + len;

	if (t == NULL)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(eol - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) :
		    NULL;
		struct identry *e;
		char num[24];
		size_t nlen, ilen;
		char *stop;
		long long id;

		if (c2 == NULL || c1 == p || p[0] == '#' || p[0] == '+' ||
		    p[0] == '-')
			goto next;
		ilen = (size_t)(eol - c2 - 1);
		for (size_t i = 0; i < ilen && i < sizeof(num) - 1; i++)
			if (c2[1 + i] == ':') {
				ilen = i;
				break;
			}
		if (ilen == 0 || ilen >= sizeof(num))
			goto next;
		memcpy(num, c2 + 1, ilen);
		num[ilen] = '\0';
		id = strtoll(num, &stop, 10);
		if (*stop != '\0' || id < 0)
			goto next;
		HASH_FIND(hh, t->map, &(int64_t){ id }, sizeof(int64_t), e);
		if (e)		/* the first entry wins, as with getpwuid() */
			goto next;
		nlen = (size_t)(c1 - p);
		if ((e = malloc(sizeof(*e) + nlen + 1)) == NULL)
			break;
		e->id = id;
		memcpy(e->name, p, nlen);
		e->name[nlen] = '\0';
		HASH_ADD(hh, t->map, id, sizeof(e->id), e);
next:
		p = eol + 1;
	}
	return t;
}

/* Open etc/<name> inside the root of pid, never leaving that root. */
static int
open_in_root(const struct aw_procfs *fs, int64_t pid, const char *rel)
{
	char root[600];
	struct open_how how;
	int dfd, fd;

	snprintf(root, sizeof(root), "%s/%lld/root", fs->root, (long long)pid);
	if ((dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)	/* kernel < 5.6: refuse symlinks */
		fd = openat(dfd, rel, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
		    O_NOCTTY | O_NOFOLLOW);
	close(dfd);
	return fd;
}

/* Refresh one source if due. host: path; container: rel under pid root. */
static void
source_refresh(struct aw_users *u, struct source *s, const char *path,
    int in_root, int64_t pid, uint64_t now_ms)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	if (s->loaded && now_ms - s->checked_ms < u->check_ms)
		return;
	s->checked_ms = now_ms;
	if (in_root && pid <= 0)
		return;
	fd = in_root ? open_in_root(u->fs, pid, path) :
	    open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		s->loaded = 1;	/* keep what we had; retry after check_ms */
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (s->tab && st.st_dev == s->dev && st.st_ino == s->ino &&
	    st.st_size == s->size && st.st_mtim.tv_sec == s->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == s->mtime.tv_nsec)) {
		close(fd);
		s->loaded = 1;
		return;
	}
	if ((buf = malloc(MAX_FILE)) == NULL) {
		close(fd);
		return;
	}
	while (got < MAX_FILE && (n = read(fd, buf + got, MAX_FILE - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	struct idtable *t = parse_db(buf, got);
	free(buf);
	if (t == NULL)
		return;
	retire(u, s->tab);
	s->tab = t;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
	s->loaded = 1;
	u->st.loads++;
}

static void
lru_unlink(struct aw_users *u, struct iddb *db)
{
	if (db->lru_prev)
		db->lru_prev->lru_next = db->lru_next;
	else
		u->head = db->lru_next;
	if (db->lru_next)
		db->lru_next->lru_prev = db->lru_prev;
	else
		u->tail = db->lru_prev;
	db->lru_prev = db->lru_next = NULL;
}

static void
lru_push(struct aw_users *u, struct iddb *db)
{
	db->lru_next = u->head;
	if (u->head)
		u->head->lru_prev = db;
	u->head = db;
	if (u->tail == NULL)
		u->tail = db;
}

static struct iddb *
container_db(struct aw_users *u, const char *key)
{
	struct iddb *db;

	HASH_FIND_STR(u->dbs, key, db);
	if (db) {
		lru_unlink(u, db);
		lru_push(u, db);
		return db;
	}
	if (HASH_COUNT(u->dbs) >= u->max_dbs && u->tail) {
		struct iddb *old = u->tail;

		lru_unlink(u, old);
		HASH_DEL(u->dbs, old);
		db_retire(u, old);
		free(old->key);
		free(old);
		u->st.evictions++;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->key = strdup(key)) == NULL) {
		free(db);
		return NULL;
	}
	HASH_ADD_KEYPTR(hh, u->dbs, db->key, strlen(db->key), db);
	lru_push(u, db);
	u->st.dbs = HASH_COUNT(u->dbs);
	return db;
}

static const char *
lookup(struct aw_users *u, int group, int64_t id, const char *container,
    int64_t pid, uint64_t now_ms)
{
	struct iddb *db = container ? container_db(u, container) : &u->host;
	struct source *s;
	struct identry *e = NULL;

	if (db == NULL || id < 0)
		return NULL;
	s = group ? &db->gr : &db->pw;
	if (container)
		source_refresh(u, s, group ? "etc/group" : "etc/passwd", 1, pid,
		    now_ms);
	else
		source_refresh(u, s, group ? u->group : u->passwd, 0, 0,
		    now_ms);
	if (s->tab)
		HASH_FIND(hh, s->tab->map, &id, sizeof(id), e);
	return e ? e->name : NULL;
}

const char *
aw_users_user(struct aw_users *u, int64_t uid, const char *container,
    int64_t pid, uint64_t now_ms)
{
	return lookup(u, 0, uid, container, pid, now_ms);
}

const char *
aw_users_group(struct aw_users *u, int64_t gid, const char *container,
    int64_t pid, uint64_t now_ms)
{
	return lookup(u, 1, gid, container, pid, now_ms);
}

const struct aw_users_stats *
aw_users_stats(const struct aw_users *u)
{
	return &u->st;
}
