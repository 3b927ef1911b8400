/*
 * proc_rss - how much memory a process (and what it started) holds now,
 * read from Linux's /proc (docs/contract.md "Memory").
 *
 * What it does: reads VmRSS of a process, or of a process and its
 * descendants a few levels down (a target run behind "sh -c" is the
 * shell's child), in kB.
 *
 * What it never does: allocate, keep state, or fail loudly: a process that
 * is gone, or a /proc that cannot be read, counts as 0 kB.
 */
#ifndef PROC_RSS_H
#define PROC_RSS_H

#include <sys/types.h>

#define PROC_RSS_TREE_DEPTH 4 /* levels of descendants proc_rss_tree_kb sums */

/* proc_rss_kb - VmRSS of pid in kB, or 0 when unknown */
unsigned long proc_rss_kb(pid_t pid);

/* proc_rss_tree_kb - VmRSS of pid and its descendants down to depth levels, in kB */
unsigned long proc_rss_tree_kb(pid_t pid, int depth);

#endif
