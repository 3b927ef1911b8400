/*
 * toy_smtpd - a tiny SMTP responder with an API of its own, standing in
 * for "your server" in smtpfuzz's adapter example (docs/adapter.md).
 *
 * It knows nothing of smtpfuzz: it is driven the way a third-party
 * server library usually is, by a connection object that is handed the
 * client's octets as they arrive and writes its replies through a callback.
 * toy_adapter.c maps that API onto smtpfuzz's target interface.
 *
 * What it does: greets, then answers command lines by RFC 5321 strictly
 * (CR LF only, 512-octet lines, printable ASCII or well-formed UTF-8,
 * fourteen verbs in any case, one reply per line, a 500 for anything
 * malformed, a 214 for HELP), takes message text after DATA up to the
 * exact CR LF . CR LF, and skips BDAT chunks by count.
 *
 * What it never does: keep more than 511 octets of a command line or any
 * message text, echo client octets, or keep state outside its object.
 *
 * Compile-time switch, for the example's test only:
 *   TOY_SMTPD_BUG_BARE_LF  a command line ended by a bare LF is taken as if
 *                          it ended in CR LF (the lenient framing many
 *                          servers ship; SMTP wants a 500 for it)
 */
#ifndef TOY_SMTPD_H
#define TOY_SMTPD_H

#include <stddef.h>

/* Writes reply octets for the server; returns 0, or -1 to make the server give up. */
typedef int (*toy_smtpd_write_fn)(const char *buf, size_t len, void *arg);

/* What toy_smtpd_input reports. */
enum toy_smtpd_status {
    TOY_SMTPD_MORE, /* the connection goes on: send more input */
    TOY_SMTPD_DONE  /* the connection is over (QUIT answered, or a write failed) */
};

struct toy_smtpd;

/* toy_smtpd_new - a connection that writes through write(arg); sends the greeting; NULL on ENOMEM
 */
struct toy_smtpd *toy_smtpd_new(toy_smtpd_write_fn write, void *arg);

/* toy_smtpd_input - consume len client octets (any split); once DONE, input is ignored */
enum toy_smtpd_status toy_smtpd_input(struct toy_smtpd *conn, const char *buf, size_t len);

/* toy_smtpd_free - release the connection (NULL is fine); writes nothing */
void toy_smtpd_free(struct toy_smtpd *conn);

#endif
