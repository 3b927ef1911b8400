/*
 * smtp_session - the reference SMTP responder (docs/contract.md section 5): a session
 * state machine that answers a client byte stream with the replies
 * RFC 5321 and the 214/500 invariants of docs/contract.md call for.
 *
 * What it does: greeting "220 <name> ESMTP"; HELO/EHLO (EHLO advertises
 * PIPELINING, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, CHUNKING, SIZE);
 * MAIL/RCPT with RFC 5321 path syntax (501 on bad syntax); DATA with end
 * of data only at CR LF . CR LF, dot-unstuffing, and one 5yz after the end
 * for bare CR/LF or over-long message lines; BDAT chunks (RFC 3030); RSET,
 * NOOP, VRFY, EXPN, HELP (214), QUIT (221, then nothing); STARTTLS and
 * AUTH are not offered (502); 503 on bad sequence; pipelining.
 *
 * What it never does: keep a message body (only counters and a few bytes
 * of state), read past its input, depend on how input is split, or use
 * global or static mutable state. Replies go through smtp_reply_format.
 *
 * How it fails: bad client input gets SMTP replies; a sink is never given
 * a malformed reply. Caller bugs trip an always-on assert.
 *
 * Replies in brief (smtp_session.c lists every decision and its reason):
 * 220 greeting, HELO/EHLO replies and their 501s carry no enhanced code,
 * nor does 354; every other reply does. A malformed line gets one 500
 * (5.5.2 "Syntax error, <reason>", or 5.5.1 "Command unrecognized" for an
 * unknown verb); HELP always gets 214 2.0.0. Argument syntax is checked
 * before sequence (501/555 before 503). A well-formed BDAT consumes its
 * octets even when refused, and is answered once they have arrived. After
 * the 221 to QUIT nothing is emitted and feed returns SMTP_TARGET_CLOSED.
 */
#ifndef SMTP_SESSION_H
#define SMTP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "smtp_target.h"

#define SMTP_SESSION_SIZE_MAX 10485760 /* SIZE advertised by EHLO, octets */

struct smtp_session;

/* smtp_session_new - allocate a session and emit its greeting; NULL when out of memory */
struct smtp_session *smtp_session_new(smtp_reply_sink sink, void *sink_ctx);

/* smtp_session_feed - consume client bytes, emit replies; CLOSED once QUIT was answered */
enum smtp_target_state smtp_session_feed(struct smtp_session *s, const char *buf, size_t len);

/* smtp_session_free - release a session (NULL is fine) */
void smtp_session_free(struct smtp_session *s);

/* The reference responder as an in-process target. */
extern const struct smtp_target smtp_session_target;

#endif
