/*
 * uthash.h for clang-tidy's static analyzer only (tests/static/run puts
 * this directory first on the include path of the clang-tidy run; no build
 * uses it).
 *
 * The analyzer reads uthash's macros as plain code and cannot know the
 * table's invariant "an element in the table implies a non-empty table".
 * On every delete inside a HASH_ITER loop (the idiom uthash documents) it
 * explores the impossible path where the first HASH_DELETE emptied and
 * freed the table and the next one runs on it, and reports a use after
 * free or a NULL dereference inside uthash.h. The real header is included
 * unchanged; only HASH_DELETE (and so HASH_DEL) becomes a call the analyzer
 * cannot see into, which leaves our own allocations (the elements, which
 * HASH_DELETE never frees) fully analysed.
 */
#ifndef AW_ANALYZER_UTHASH_H
#define AW_ANALYZER_UTHASH_H

#include_next <uthash.h>

void aw_analyzer_hash_delete(void *headp, UT_hash_handle *hh);

#undef HASH_DELETE
#define HASH_DELETE(hh, head, delptr) \
	aw_analyzer_hash_delete(&(head), &(delptr)->hh)

#endif
