/*
 * proc_rss - resident memory from /proc (contract in proc_rss.h).
 */
#include "proc_rss.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned long proc_rss_kb(pid_t pid)
{
    char path[64], buf[2048];
    int fd;
    ssize_t n;
    const char *p;

    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof buf - 1);
    (void)close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    p = strstr(buf, "VmRSS:");
    return p != NULL ? strtoul(p + 6, NULL, 10) : 0;
}

unsigned long proc_rss_tree_kb(pid_t pid, int depth)
{
    char path[96], buf[512];
    unsigned long total = proc_rss_kb(pid);
    ssize_t n;
    char *p, *end;
    int fd;

    if (depth <= 0)
        return total;
    /* The kernel lists a task's children here (CONFIG_PROC_CHILDREN, on in Debian kernels). */
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return total;
    n = read(fd, buf, sizeof buf - 1);
    (void)close(fd);
    if (n <= 0)
        return total;
    buf[n] = '\0';
    for (p = buf;; p = end) {
        long child = strtol(p, &end, 10);
        if (end == p || child <= 0)
            break;
        total += proc_rss_tree_kb((pid_t)child, depth - 1);
    }
    return total;
}
