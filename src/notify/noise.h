/*
 * noise.h — noise control: notify once per fingerprint per window.
 *
 * A fingerprint hashes what makes two alerts "the same" to a person
 * reading Slack: rule, container, process and file. The first alert of a
 * fingerprint opens a window and is notified; repeats inside the window
 * are stored but not notified, and counted; the first alert after the
 * window closes is notified with that count ("repeated N times"). The
 * table is bounded: when full of live windows, new fingerprints are not
 * tracked and always notified (fail open, never lose a notification).
 */
#ifndef AW_NOISE_H
#define AW_NOISE_H

#include <stddef.h>
#include <stdint.h>

struct aw_alert;
struct aw_noise;

uint64_t aw_alert_fingerprint(const struct aw_alert *a);

struct aw_noise *aw_noise_new(uint64_t window_ms, size_t max_entries);
void aw_noise_free(struct aw_noise *n);
/* -1: suppress (a repeat inside the window); otherwise notify, and the
 * value is the number of repeats suppressed in the previous window. */
int64_t aw_noise_check(struct aw_noise *n, uint64_t fp, uint64_t now_ms);
size_t aw_noise_size(const struct aw_noise *n);

#endif
