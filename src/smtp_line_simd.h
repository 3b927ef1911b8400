/*
 * smtp_line_simd - internal: the tokenizer's two scan paths, side by side.
 *
 * Not installed and not part of the contract; only the library, its tests
 * and its benchmark include it. smtp_line_feed() takes the vector path
 * where the build has one (SSE2, baseline on x86-64) and the scalar path
 * elsewhere. Both entry points below behave exactly like smtp_line_feed()
 * (same results, same state, for any input and any split: the tests check
 * this), so a test can run either one against the other on the same state
 * type.
 */
#ifndef SMTP_LINE_SIMD_H
#define SMTP_LINE_SIMD_H

#include "smtp_line.h"

/* smtp_line_feed_scalar - smtp_line_feed() with every scan done by portable scalar code */
enum smtp_line_result smtp_line_feed_scalar(struct smtp_line *lp, const char *buf, size_t len,
                                            size_t *used, struct smtp_cmd *cmd);

/* smtp_line_feed_simd - smtp_line_feed() with vector scans (the scalar path when there are none) */
enum smtp_line_result smtp_line_feed_simd(struct smtp_line *lp, const char *buf, size_t len,
                                          size_t *used, struct smtp_cmd *cmd);

/* smtp_line_simd_name - the vector instruction set smtp_line_feed_simd() uses, or "none" */
const char *smtp_line_simd_name(void);

#endif
