/*
 * smtp_path - the argument grammar of HELO/EHLO, MAIL and RCPT: Domain,
 * address-literal, Local-part, Mailbox and Path (RFC 5321 4.1.2, 4.1.3),
 * with the UTF-8 of RFC 6531 3.3 when the caller allows it.
 *
 * What it does: says whether an argument is a Domain or address-literal
 * (smtp_path_domain, the whole argument of HELO/EHLO), or begins with a
 * Path (smtp_path_parse, what follows "FROM:" or "TO:"):
 *
 *   Path          = "<" [ A-d-l ":" ] Mailbox ">"        (or "<>", or "<Postmaster>")
 *   A-d-l         = At-domain *( "," At-domain )          accepted and ignored (4.1.2)
 *   At-domain     = "@" Domain
 *   Mailbox       = Local-part "@" ( Domain / address-literal )
 *   Domain        = sub-domain *( "." sub-domain )
 *   sub-domain    = Let-dig [ Ldh-str ]                   (RFC 6531: or a U-label)
 *   Local-part    = Dot-string / Quoted-string            (RFC 6531: UTF-8 in atext, qtext)
 *   address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
 *                           General-address-literal ) "]"
 *
 * IPv6 takes the four forms of 4.1.3 (full, comp, v4-full, v4-comp) with
 * their group limits (at most 6, or 4 beside an IPv4 tail, next to "::").
 * A literal tagged "IPv6:" (any case) is only ever read as IPv6, never as a
 * General-address-literal. UTF-8 is RFC 3629 UTF8-non-ascii, accepted
 * wherever RFC 6531 3.3 extends a rule: in a sub-domain where a Let-dig may
 * stand (a source route's included; a label may start with one, but never
 * end in "-"), in atext and in qtextSMTP; never in a quoted-pairSMTP or an
 * address literal.
 *
 * What it never does: allocate, keep state, read outside (p, n), look past
 * the SP after a Path (Mail-parameters are the caller's), check a U-label
 * against IDNA2008 (RFC 5890), or limit lengths: RFC 5321 4.5.3.1 allows
 * a server to enforce 64 / 255 / 256 octets, and this grammar does not.
 *
 * How it fails: a refused argument is a status (enum smtp_path_status),
 * never an error of the module. Caller bugs (p NULL with n > 0, res NULL,
 * an unknown flag) trip an always-on assert naming the function.
 */
#ifndef SMTP_PATH_H
#define SMTP_PATH_H

#include <stddef.h>

/*
 * X(name, text): why an argument is (not) accepted. The reason is where the
 * grammar stopped, reading left to right, with two exceptions that win over
 * it: EMPTY for no octets at all, and UTF8_NOT_ALLOWED for an argument that
 * the same call with SMTP_PATH_UTF8 added would accept.
 */
#define SMTP_PATH_STATUS_LIST(X)                                                                   \
    X(SMTP_PATH_OK, "well-formed")                                                                 \
    X(SMTP_PATH_EMPTY, "empty argument")                                                           \
    X(SMTP_PATH_NO_OPEN_ANGLE, "the path does not begin with '<'")                                 \
    X(SMTP_PATH_NULL_PATH_NOT_ALLOWED, "the null path <> is not allowed here")                     \
    X(SMTP_PATH_BAD_SOURCE_ROUTE, "bad source route (@domain,...: before the mailbox)")            \
    X(SMTP_PATH_BAD_LOCAL_PART, "bad local part (Dot-string or Quoted-string)")                    \
    X(SMTP_PATH_NO_AT, "no '@' after the local part")                                              \
    X(SMTP_PATH_BAD_DOMAIN, "bad domain (empty label, or a label that starts or ends badly)")      \
    X(SMTP_PATH_BAD_ADDRESS_LITERAL, "bad address literal (IPv4, IPv6 or tag:content)")            \
    X(SMTP_PATH_NO_CLOSE_ANGLE, "no '>' after the mailbox")                                        \
    X(SMTP_PATH_UTF8_NOT_ALLOWED, "UTF-8 where only ASCII is allowed")                             \
    X(SMTP_PATH_TRAILING_JUNK, "octets after the domain, or neither SP nor the end after '>'")

#define SMTP_PATH_STATUS_ENUM_(name, text) name,
enum smtp_path_status { SMTP_PATH_STATUS_LIST(SMTP_PATH_STATUS_ENUM_) SMTP_PATH_STATUS_COUNT };
#undef SMTP_PATH_STATUS_ENUM_

/* Flags, or-ed together. smtp_path_domain takes SMTP_PATH_UTF8 only. */
enum smtp_path_flag {
    SMTP_PATH_UTF8 = 1u,      /* RFC 6531 3.3: UTF-8 in sub-domains, atoms and quoted strings */
    SMTP_PATH_NULL = 2u,      /* "<>" is a path: the null reverse-path of MAIL (4.1.1.2) */
    SMTP_PATH_POSTMASTER = 4u /* "<Postmaster>" (any case) is a path: RCPT (4.1.1.3) */
};

/* What smtp_path_parse found besides its status. */
struct smtp_path_result {
    size_t used;  /* octets of the Path, '<' to '>' included; 0 unless SMTP_PATH_OK */
    int nonascii; /* the Path holds UTF-8 beyond ASCII (only ever with SMTP_PATH_UTF8) */
};

/* smtp_path_domain - whether all of (p, n) is a Domain or an address-literal (HELO/EHLO) */
enum smtp_path_status smtp_path_domain(const char *p, size_t n, unsigned flags);

/*
 * smtp_path_parse - whether (p, n) begins with a Path followed by SP or the
 * end; on SMTP_PATH_OK, res->used says where the Path ends (p[used] is SP
 * when used < n), on anything else res is zeroed
 */
enum smtp_path_status smtp_path_parse(const char *p, size_t n, unsigned flags,
                                      struct smtp_path_result *res);

/* smtp_path_status_name - a short English description of a status (never NULL) */
const char *smtp_path_status_name(enum smtp_path_status status);

#endif
