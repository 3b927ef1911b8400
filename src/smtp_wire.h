/*
 * smtp_wire - the reply grammar's leaf: limits, code validity, enhanced
 * codes (docs/contract.md "Replies"; RFC 5321 4.2, 4.5.3.1; RFC 2034,
 * RFC 3463).
 *
 * What it does: answers the small questions both halves of the reply
 * grammar ask, the generator (smtp_reply.h) and the parser
 * (smtp_reply_parse.h): is this a reply code, is this an enhanced status
 * code, does this text begin with one. Both include this file and neither
 * includes the other, so the judge (which links the parser) never links
 * the generator it judges.
 *
 * What it never does: allocate, keep state, or read outside (ptr, len).
 *
 * How it fails: it does not; a NULL pointer with a non-zero length is a
 * caller bug and trips an always-on assert naming the function.
 */
#ifndef SMTP_WIRE_H
#define SMTP_WIRE_H

#include <stddef.h>

#define SMTP_LINE_MAX 512       /* octets of a command line, CR LF included (RFC 5321 4.5.3.1.4) */
#define SMTP_REPLY_LINE_MAX 512 /* octets of a reply line, CR LF included (RFC 5321 4.5.3.1.5) */
#define SMTP_ENH_MAX 11         /* "5.999.999" plus room: longest enhanced code */

/* smtp_wire_code_valid - true when code matches %x32-35 %x30-35 %x30-39 */
int smtp_wire_code_valid(unsigned code);

/*
 * smtp_wire_enh_valid - true when (ptr, len) is exactly class "." 1*3DIGIT "." 1*3DIGIT with
 * class 2, 4 or 5 (RFC 3463 section 2; leading zeros allowed as the grammar allows them)
 */
int smtp_wire_enh_valid(const char *ptr, size_t len);

/*
 * smtp_wire_enh_prefix - octets of the enhanced status code that begins text
 * (RFC 2034: "class.subject.detail" then SP and more text, or the whole
 * text), or 0 when text does not begin with one
 *
 * "2.0.0 " (SP and nothing after it) has no prefix: the generator can only
 * write "2.0.0" or "2.0.0 text", so lifting it would break the round trip.
 */
size_t smtp_wire_enh_prefix(const char *text, size_t len);

#endif
