#!/usr/bin/env bash
# make-seeds.sh - write the hand-made seed corpora, one file per intent (docs/contract.md section 9.7).
#
# Usage: corpus/make-seeds.sh
#
# Deterministic: printf only, no randomness, so the committed files are exactly what this
# script writes and every seed can be reviewed here. Seeds are named by intent; inputs found
# by fuzzing (merged by scripts/minimize-corpus.sh) are named by SHA-1 and left alone.
# A seed file that this script no longer writes is removed.
set -eu
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
written=$(mktemp)
trap 'rm -f "$written"' EXIT

# put TARGET NAME - the seed corpus/TARGET/NAME gets standard input
put() {
    mkdir -p "$here/$1"
    cat >"$here/$1/$2"
    echo "$1/$2" >>"$written"
}

# pad N [CHAR] - N copies of CHAR (default x)
pad() {
    local n=$1 c=${2:-x}
    [ "$n" -gt 0 ] || return 0
    printf "%${n}s" '' | tr ' ' "$c"
}

# line_of N VERB - "VERB ", filler up to N octets of content, then CR LF (N + 2 on the wire;
# seeds named line-N-octets count the content, as RFC 5321 4.5.3.1.4's 510 does)
line_of() {
    printf '%s ' "$2"
    pad $(($1 - ${#2} - 1))
    printf '\r\n'
}

EHLO='EHLO client.example\r\n'
TXN='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n'

############################################################################
# Framing and verbs (contract sections 1-3): the same lines seed fuzz_line (the tokenizer
# alone) and fuzz_session (the whole responder, after EHLO).
############################################################################

# frame NAME - a framing seed for both targets, from standard input
frame() {
    local bytes
    bytes=$(mktemp)
    cat >"$bytes"
    put fuzz_line "$1" <"$bytes"
    { printf "$EHLO"; cat "$bytes"; printf 'NOOP\r\n'; } | put fuzz_session "$1"
    rm -f "$bytes"
}

# HELP in every form: 214 (contract section 3)
printf 'HELP\r\n' | frame help
printf 'help\r\n' | frame help-lowercase
printf 'hElP\r\n' | frame help-mixed-case
printf 'HELP DATA\r\n' | frame help-with-arg
printf 'HELP \r\n' | frame help-trailing-space
printf 'HELP  two  spaces\r\n' | frame help-double-space
printf 'HELP \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7\r\n' | frame help-utf8-arg
printf 'HELP <>:;"\\%%!~\r\n' | frame help-punct-arg
# Framing errors win over the verb: 500 (contract sections 1, 3)
printf 'HELP\n' | frame help-bare-lf
printf 'HELP\r\nHELP\nNOOP\r\n' | frame bare-lf-after-help
printf 'NOOP\n' | frame noop-bare-lf
printf 'HELP\r\r\n' | frame help-cr-cr-lf
printf 'HELP\rNOOP\r\n' | frame bare-cr-as-line-end
printf 'NOOP a\rb\r\n' | frame bare-cr-mid-line
printf 'HE\rLP\r\n' | frame bare-cr-in-verb
printf 'HELP\n\r\n' | frame lf-then-crlf
printf '\r\n' | frame empty-line
printf '\n' | frame empty-line-bare-lf
printf ' \r\n' | frame only-space
printf ' HELP\r\n' | frame leading-space
printf 'HELP\x00\r\n' | frame nul-after-verb
printf 'HE\x00LP\r\n' | frame nul-in-verb
printf 'NOOP a\x00b\r\n' | frame nul-in-arg
printf 'HE\tLP\r\n' | frame ht-in-verb
printf 'HELP\tDATA\r\n' | frame ht-as-separator
printf 'NOOP a\tb\r\n' | frame ht-in-arg
printf 'NOOP a\x7fb\r\n' | frame del-byte
printf 'NOOP \x1b[31m\r\n' | frame esc-byte
printf 'NOOP a\x0bb\x0cc\r\n' | frame vt-ff-bytes
printf 'NOOP \x85\r\n' | frame c1-byte
printf 'NOOP \xff\xfe\r\n' | frame ff-fe-bytes
# Verbs that are not recognised: 500 (contract section 2)
printf 'XYZZY\r\n' | frame unknown-verb
printf 'H\xc3\x89LP\r\n' | frame unknown-verb-utf8
printf 'HELPX\r\n' | frame helpx
printf 'HEL\r\n' | frame help-prefix
printf 'HELP1\r\n' | frame help-digit
printf 'HELP:\r\n' | frame help-colon
printf '1234\r\n' | frame digits-verb
printf 'MAIL:FROM:<a@example.org>\r\n' | frame verb-punct
printf 'XEXCH50 1 2\r\n' | frame unknown-extension-verb
printf 'STARTTLSX\r\n' | frame starttls-suffix
# UTF-8 in arguments: good sequences pass, bad ones are malformed (RFC 3629)
printf 'NOOP \xc3\xa9\r\n' | frame utf8-2-octets
printf 'NOOP \xe2\x82\xac\r\n' | frame utf8-3-octets
printf 'NOOP \xf0\x9f\x93\xa7\r\n' | frame utf8-4-octets
printf 'NOOP \xf4\x8f\xbf\xbf\r\n' | frame utf8-max-code-point
printf 'HELP \xc0\x80\r\n' | frame overlong-utf8
printf 'HELP \xe0\x80\xaf\r\n' | frame overlong-utf8-3
printf 'HELP \xf0\x80\x80\xaf\r\n' | frame overlong-utf8-4
printf 'HELP \xc1\xbf\r\n' | frame overlong-utf8-c1
printf 'HELP \xed\xa0\x80\r\n' | frame surrogate-utf8
printf 'HELP \xed\xbf\xbf\r\n' | frame surrogate-utf8-low
printf 'HELP \xf4\x90\x80\x80\r\n' | frame above-max-utf8
printf 'HELP \xf5\x80\x80\x80\r\n' | frame f5-lead-utf8
printf 'HELP \x80\r\n' | frame lone-continuation
printf 'HELP \xe2\x82\r\n' | frame truncated-utf8
printf 'HELP \xe2\x82 \r\n' | frame truncated-utf8-then-space
# Length: 512 octets with CR LF is the most (RFC 5321 4.5.3.1.4); answered once (contract section 1)
line_of 509 NOOP | frame line-509-octets
line_of 510 NOOP | frame line-510-octets
line_of 511 NOOP | frame line-511-octets
line_of 512 NOOP | frame line-512-octets
line_of 510 HELP | frame help-line-510-octets
line_of 511 HELP | frame help-line-511-octets
line_of 1000 NOOP | frame line-1000-octets
line_of 4096 HELP | frame line-4096-octets
{ line_of 2000 NOOP; printf 'HELP\r\n'; } | frame long-then-help
{ printf 'NOOP '; pad 600; printf '\n'; } | frame long-bare-lf
{ printf 'NOOP '; pad 600 '\r'; printf '\r\n'; } | frame long-bare-crs
{ line_of 510 NOOP; line_of 511 NOOP; line_of 510 HELP; } | frame lines-around-the-cap
# Unterminated tail: no reply (contract sections 1, 6.3)
printf 'NOOP\r\nHELP' | frame unterminated-tail
printf 'NOOP\r\nHELP\r' | frame unterminated-tail-cr
# Every verb, both cases, one line each
printf 'HELO a\r\nEHLO a\r\nMAIL FROM:<>\r\nRCPT TO:<b@c>\r\nRSET\r\nVRFY x\r\nEXPN x\r\nHELP\r\nNOOP\r\nSTARTTLS\r\nAUTH PLAIN\r\nBDAT x\r\nDATA x\r\n' |
    frame every-verb
printf 'helo a\r\nehlo a\r\nmail FROM:<>\r\nrcpt TO:<b@c>\r\nrset\r\nvrfy x\r\nexpn x\r\nhelp\r\nnoop\r\nstarttls\r\nauth PLAIN\r\nbdat x\r\ndata x\r\n' |
    frame every-verb-lowercase

# The longest seed: a line 32 times the cap (contract section 1: memory stays O(1) however long). Both
# targets take inputs up to 65536 octets, but the largest seed sets libFuzzer's starting
# length limit, and 16 KiB keeps iterations fast while length control may still grow it.
{ line_of 16384 NOOP; printf 'HELP\r\n'; } | put fuzz_line line-16384-octets
{ printf "$EHLO"; line_of 16384 HELP; printf 'HELP\r\n'; } | put fuzz_session line-16384-octets

############################################################################
# Sessions (contract section 5): fuzz_session only.
############################################################################

# session NAME - a fuzz_session seed from standard input
session() {
    put fuzz_session "$1"
}

printf "$EHLO$TXN"'DATA\r\nSubject: hi\r\n\r\nHello.\r\n.\r\nQUIT\r\n' | session ehlo-full-session
printf 'HELO client.example\r\n'"$TXN"'DATA\r\nHello.\r\n.\r\nQUIT\r\n' | session helo-session
printf "$EHLO$TXN"'DATA\r\nHello.\r\n.\r\n' | session data-basic
printf "$EHLO$TXN"'DATA\r\n.\r\nNOOP\r\n' | session data-empty
printf "$EHLO$TXN"'DATA\r\n..leading dot\r\n...\r\n. \r\n.x\r\n.\r\nHELP\r\n' | session data-dot-stuffing
printf "$EHLO$TXN"'DATA\r\nHELP\r\nQUIT\r\nMAIL FROM:<x@y>\r\n.\r\nHELP\r\n' | session data-commands-inside
printf "$EHLO$TXN"'DATA\r\nhelp\r\n\x00\xff\r\n.\r\nNOOP\r\n' | session data-binary-text
# SMTP smuggling (CVE-2023-51764/5/6): only CR LF . CR LF ends the data (contract sections 5, 6.5)
smuggle() {
    printf "$EHLO$TXN"'DATA\r\nHello'
    printf "$1"
    printf 'MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nforged\r\n.\r\nHELP\r\n'
}
smuggle '\n.\n' | session data-lf-dot-lf-smuggle
smuggle '\n.\r\n' | session data-lf-dot-crlf-smuggle
smuggle '\r.\r\n' | session data-cr-dot-crlf-smuggle
smuggle '\r\n.\n' | session data-crlf-dot-lf-smuggle
smuggle '\r.\r' | session data-cr-dot-cr-smuggle
smuggle '\r\n.\r' | session data-crlf-dot-cr-smuggle
smuggle '\r\n\x00.\r\n' | session data-nul-dot-smuggle
printf "$EHLO$TXN"'DATA\n\r\nHELP\r\n' | session data-command-bare-lf
printf "$EHLO$TXN"'DATA\r\nbare\rcr\r\n.\r\nNOOP\r\n' | session data-bare-cr
printf "$EHLO$TXN"'DATA\r\nbare\nlf\r\n.\r\nNOOP\r\n' | session data-bare-lf
{ printf "$EHLO$TXN"'DATA\r\n'; pad 998; printf '\r\n.\r\nNOOP\r\n'; } | session data-line-1000-octets
{ printf "$EHLO$TXN"'DATA\r\n'; pad 999; printf '\r\n.\r\nNOOP\r\n'; } | session data-line-1001-octets
{ printf "$EHLO$TXN"'DATA\r\n..'; pad 997; printf '\r\n.\r\nNOOP\r\n'; } | session data-line-1000-octets-stuffed
printf "$EHLO$TXN"'DATA\r\nno end of data\r\n.\r' | session data-unterminated
printf "$EHLO"'DATA\r\nHELP\r\n.\r\n' | session data-without-rcpt
printf "$EHLO$TXN"'DATA now\r\nHELP\r\n' | session data-with-arg
printf "$EHLO$TXN"'data\r\nlower case verb\r\n.\r\nNOOP\r\n' | session data-lowercase
# BDAT (RFC 3030): exactly n octets follow, whatever they hold (contract section 5)
printf "$EHLO$TXN"'BDAT 5\r\nHELLOBDAT 8 LAST\r\n, world\n\r\nHELP\r\n' | session bdat-chunks
printf "$EHLO$TXN"'BDAT 0 LAST\r\nHELP\r\n' | session bdat-zero-last
printf "$EHLO$TXN"'BDAT 0\r\nBDAT 4 last\r\nabcdNOOP\r\n' | session bdat-zero-then-last-lowercase
printf "$EHLO"'BDAT 6\r\nHELP\r\nNOOP\r\n' | session bdat-out-of-sequence
printf 'BDAT 8 LAST\r\nQUIT\r\n\r\nHELP\r\n' | session bdat-before-ehlo
printf "$EHLO$TXN"'BDAT x\r\nBDAT -1\r\nBDAT 1234567890\r\nBDAT 5 LAST X\r\nBDAT  5\r\nBDAT 5LAST\r\nBDAT\r\nHELP\r\n' |
    session bdat-bad-size
printf "$EHLO$TXN"'BDAT 999999999 LAST\r\nHELP\r\nQUIT\r\n' | session bdat-cut-off
printf "$EHLO$TXN"'BDAT 14\r\nQUIT\r\nHELP\r\n\r\nBDAT 7 LAST\r\n\r\n.\r\n\nHELP\r\n' | session bdat-chunk-holds-commands
printf "$EHLO$TXN"'BDAT 3\r\nabcDATA\r\nHELP\r\n' | session bdat-then-data
printf "$EHLO$TXN"'BDAT 000000003 LAST\r\nabcHELP\r\n' | session bdat-leading-zeros
# Sequence, pipelining, QUIT (contract section 5)
printf "$EHLO$TXN"'RSET\r\nRCPT TO:<b@example.org>\r\n'"$TXN"'RSET\r\nRSET\r\nHELP\r\n' | session rset-sequence
printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nHELP\r\n' | session mail-before-helo
printf "$EHLO"'RCPT TO:<b@example.org>\r\nHELP\r\n' | session rcpt-before-mail
printf "$EHLO"'MAIL FROM:<a@example.org>\r\nMAIL FROM:<a@example.org>\r\nHELP\r\n' | session nested-mail
printf "$EHLO"'MAIL FROM:a@example.org\r\nMAIL FROM: <a@example.org>\r\nMAIL TO:<a@example.org>\r\nMAIL FROM:<a@example.org\r\nMAIL\r\nHELP\r\n' |
    session mail-bad-path
printf "$EHLO"'MAIL FROM:<a@example.org> BODY=8BITMIME SIZE=100 SMTPUTF8\r\nRCPT TO:<\xc3\xa9@example.org>\r\nHELP\r\n' |
    session mail-esmtp-params
printf "$EHLO"'MAIL FROM:<a@example.org> SIZE=99999999999\r\nHELP\r\n' | session mail-size-too-big
printf "$EHLO$TXN"'DATA\r\nHello.\r\n.\r\nMAIL FROM:<c@example.org>\r\nRCPT TO:<d@example.org>\r\nDATA\r\nAgain.\r\n.\r\nHELP\r\nQUIT\r\n' |
    session pipelined-batch
printf 'EHLO a\r\nhelp\r\nNOOP\r\nXYZ\r\nHELP\nVRFY b\r\nEXPN c\r\nHELP x\r\nSTARTTLS\r\nAUTH LOGIN\r\nQUIT\r\n' |
    session pipelined-mixed
printf 'QUIT\r\nHELP\r\nNOOP\r\n' | session quit-then-more
printf 'quit\r\nHELP\r\n' | session quit-lowercase
printf 'QUIT now\r\nHELP\r\n' | session quit-with-arg
printf 'HELO\r\nEHLO\r\nHELP\r\n' | session helo-no-domain
printf 'EHLO [192.0.2.1]\r\nEHLO [IPv6:2001:db8::1]\r\nHELP\r\n' | session ehlo-address-literal
printf 'NOOP\r\nRSET\r\nVRFY postmaster\r\nEXPN staff\r\nSTARTTLS\r\nAUTH PLAIN AGFhAGI=\r\nHELP\r\n' | session commands-before-ehlo
printf '' | session empty-session
# Many pipelined lines: one reply each, in order; replies stay bounded per line (contract sections 5.8, 5.9)
{ printf "$EHLO"; for _ in $(seq 500); do printf 'HELP\r\n'; done; } | session pipelined-500-help
{ printf "$EHLO"; for _ in $(seq 500); do printf 'X\r\nHELP\n'; done; printf 'HELP\r\n'; } |
    session pipelined-1000-malformed

############################################################################
# fuzz_reply: reply specs for the generator, in fuzz/fuzz_reply.c's encoding
# (2 code bytes, a flags byte, enhanced-code bytes, capacity bytes, then up
# to 16 segments of a header byte and text; see that file).
############################################################################

# byte N... - the octets N (decimal)
byte() {
    local n
    for n in "$@"; do
        printf "\\x$(printf '%02x' "$n")"
    done
}

# spec NAME CODE ENH CAP SEGMENT... - a fuzz_reply seed
#   CODE     200..559 (the valid encoding) or anything else (the raw one)
#   ENH      none | empty | C.S.D (class from the code, S and D < 256) | raw:STRING
#   CAP      default | line | tiny:N (N < 256) | cap:N (N < 65536) | big
#   SEGMENT  ours:TEXT | client:TEXT, TEXT a printf format (\r, \x00, ...)
spec() {
    local name=$1 code=$2 enh=$3 cap=$4 emode=0 cmode=0 seg kind text len tmp
    shift 4
    tmp=$(mktemp)
    {
        if [ "$code" -ge 200 ] && [ "$code" -le 559 ]; then
            byte $(((code - 200) >> 8)) $(((code - 200) & 255))
        else
            byte $((0x80 | (code >> 8))) $((code & 255))
        fi
        case $enh in
        none) emode=0 ;;
        empty) emode=3 ;;
        raw:*) emode=2 ;;
        *) emode=1 ;;
        esac
        case $cap in
        default) cmode=0 ;;
        line) cmode=1 ;;
        tiny:*) cmode=2 ;;
        cap:*) cmode=3 ;;
        big) cmode=4 ;;
        esac
        byte $((emode | cmode << 2))
        case $enh in
        raw:*)
            printf '%s' "${enh#raw:}" >"$tmp"
            byte "$(wc -c <"$tmp")"
            cat "$tmp"
            ;;
        none | empty) ;;
        *)
            IFS=. read -r _ s d <<<"$enh"
            byte "$s" "$d"
            ;;
        esac
        case $cap in
        tiny:*) byte "${cap#tiny:}" ;;
        cap:*) byte $((${cap#cap:} >> 8)) $((${cap#cap:} & 255)) ;;
        esac
        for seg in "$@"; do
            case ${seg%%:*} in
            client) kind=128 ;;
            ours) kind=0 ;;
            *) echo "make-seeds.sh: bad segment '$seg' in $name" >&2; exit 1 ;;
            esac
            text=${seg#*:}
            printf "$text" >"$tmp"
            len=$(wc -c <"$tmp")
            if [ "$len" -lt 127 ]; then
                byte $((kind | len))
            else
                byte $((kind | 127)) $((len >> 8)) $((len & 255))
            fi
            cat "$tmp"
        done
    } | put fuzz_reply "$name"
    rm -f "$tmp"
}

# The replies the responder sends every day
spec greeting-220-no-enh 220 none default 'ours:smtpfuzz.localhost ESMTP'
spec help-214-multiline 214 2.0.0 default 'ours:Commands:\nHELO EHLO MAIL RCPT DATA BDAT\nRSET NOOP QUIT'
spec ehlo-250-multiline-no-enh 250 none default 'ours:smtpfuzz.localhost\nPIPELINING\n8BITMIME\nSMTPUTF8\nENHANCEDSTATUSCODES\nCHUNKING\nSIZE 10485760'
spec syntax-500-enh 500 5.5.1 default 'ours:Command unrecognized'
spec too-long-500-enh 500 5.5.2 default 'ours:Line too long'
spec data-354-no-enh 354 none default 'ours:End data with <CR><LF>.<CR><LF>'
spec quit-221-enh 221 2.0.0 default 'ours:Bye'
spec bad-sequence-503-enh 503 5.5.1 default 'ours:Send ' 'ours:MAIL' 'ours: first'
spec temp-421 421 4.3.0 default 'ours:Service not available, closing channel'
spec empty-text 250 none default
spec empty-text-with-enh 250 2.0.0 default
spec empty-segment 250 none default 'ours:'
# Client text echoed back: no control byte may reach the wire (contract section 4: no reply splitting)
spec client-echo-crlf-injection 500 5.5.1 default 'ours:Unknown command: ' 'client:FOO\r\n250 2.0.0 OK'
spec client-echo-bare-cr 500 5.5.1 default 'ours:Unknown command: ' 'client:A\rB'
spec client-echo-bare-lf 500 5.5.1 default 'ours:Unknown command: ' 'client:A\nB'
spec client-echo-nul 500 5.5.1 default 'ours:Unknown command: ' 'client:A\x00B'
spec client-echo-ht 501 5.5.4 default 'ours:Bad argument: ' 'client:A\tB'
spec client-echo-del-c1 501 5.5.4 default 'ours:Bad argument: ' 'client:\x7f\x85\x1b[0m'
spec client-echo-utf8 553 5.6.7 default 'ours:Not allowed: ' 'client:\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xa7'
spec client-echo-then-ours 250 2.1.5 default 'ours:Recipient <' 'client:b@example.org' 'ours:> OK'
# Our own text: '\n' starts a line, HT is kept, other controls become '?'
spec ours-ht 214 2.0.0 default 'ours:HELO\tEHLO'
spec ours-cr 214 2.0.0 default 'ours:one\rtwo'
spec ours-crlf 214 2.0.0 default 'ours:one\r\ntwo'
spec ours-newlines-only 214 2.0.0 default 'ours:\n\n\n'
spec ours-trailing-newline 250 none default 'ours:text\n'
spec ours-leading-newline 250 none default 'ours:\ntext'
spec ours-nul-del 250 none default 'ours:a\x00b\x7fc'
spec ours-8bit 250 none default 'ours:caf\xc3\xa9'
# Length: every line at most 512 octets with CR LF, wrapped, never overflowed
spec line-512-octets-no-enh 250 none default "ours:$(pad 506)"
spec line-513-octets-no-enh 250 none default "ours:$(pad 507)"
spec line-512-octets-enh 250 2.0.0 default "ours:$(pad 500)"
spec line-513-octets-enh 250 2.0.0 default "ours:$(pad 501)"
spec line-512-octets-long-enh 250 2.999.999 default "ours:$(pad 496)"
spec client-text-1000-octets 500 5.5.1 default 'ours:Unknown: ' "client:$(pad 1000 y)"
spec wrap-at-space-and-newline 214 2.0.0 default "ours:$(pad 300) $(pad 300)\n$(pad 600)"
spec text-8000-octets 250 none default "ours:$(pad 8000)"
spec text-20000-octets-big-cap 250 2.0.0 big "ours:$(pad 20000)"
spec sixteen-segments 250 2.0.0 default 'ours:1' 'client:2' 'ours:3' 'client:4' 'ours:5' \
    'client:6' 'ours:7' 'client:8' 'ours:9' 'client:10' 'ours:11' 'client:12' 'ours:13' \
    'client:14' 'ours:15' 'client:16'
# Capacity: cut at a line boundary, or refused when not even one line fits
spec cap-line-long-text 250 2.0.0 line "ours:$(pad 1200)"
spec cap-tiny-0 250 none tiny:0 'ours:OK'
spec cap-tiny-5 250 none tiny:5 'ours:OK'
spec cap-tiny-6 250 none tiny:6 'ours:'
spec cap-tiny-9 250 none tiny:9 'ours:OK'
spec cap-tiny-10 250 none tiny:10 'ours:OK'
spec cap-1030-two-lines-fit 250 none cap:1030 "ours:$(pad 506)\n$(pad 506)\n$(pad 506)"
spec cap-1024-cut 250 none cap:1024 "ours:$(pad 506)\n$(pad 506)\n$(pad 506)"
# Codes: 2-5 / 0-5 / 0-9 only (RFC 5321 4.2)
spec code-199 199 none default 'ours:too low'
spec code-600 600 none default 'ours:too high'
spec code-000 0 none default 'ours:zero'
spec code-260-middle-digit 260 none default 'ours:middle digit 6'
spec code-559-highest 559 5.5.9 default 'ours:highest'
spec code-999 999 none default 'ours:nines'
# Enhanced codes (RFC 3463): class equals the code's first digit
spec enh-empty-string 250 empty default 'ours:no enhanced code'
spec enh-class-mismatch 250 raw:4.0.0 default 'ours:class differs'
spec enh-two-parts 250 raw:2.0 default 'ours:short'
spec enh-four-digit-subject 250 raw:2.1000.0 default 'ours:subject too long'
spec enh-empty-part 250 raw:2..0 default 'ours:empty subject'
spec enh-letters 250 raw:x.y.z default 'ours:letters'
spec enh-trailing-dot 250 raw:2.0.0. default 'ours:trailing dot'
spec enh-class-3 354 raw:3.0.0 default 'ours:no class 3'
spec enh-with-space 250 'raw:2.0.0 x' default 'ours:space inside'
spec enh-longest 550 raw:5.999.999 default 'ours:longest'

############################################################################
# fuzz_reply_parse: raw server output (fuzz/fuzz_reply_parse.c).
############################################################################

# server NAME - a fuzz_reply_parse seed from standard input
server() {
    put fuzz_reply_parse "$1"
}

printf '220 smtpfuzz.localhost ESMTP\r\n' | server greeting-220
printf '250-smtpfuzz.localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250 SIZE 10485760\r\n' |
    server ehlo-250-multiline
printf '214-2.0.0 Commands:\r\n214-2.0.0 HELO EHLO MAIL RCPT DATA\r\n214 2.0.0 HELP QUIT\r\n' | server help-214-multiline-enh
printf '500 5.5.1 Command unrecognized\r\n' | server syntax-500-enh
printf '250 OK\r\n250 2.1.0 OK\r\n354 Go ahead\r\n250 2.0.0 Queued\r\n221 2.0.0 Bye\r\n' | server pipelined-replies
printf '250\r\n' | server code-only
printf '250-\r\n250 \r\n' | server empty-texts
printf '250 \r\n' | server sp-no-text
printf '250-first\r\n250\r\n' | server multiline-last-code-only
printf '214-2.0.0 a\r\n214-2.0.0\r\n214 2.0.0 c\r\n' | server enh-line-alone
printf '250 OK\n' | server bare-lf
printf '250-a\n250 b\r\n' | server bare-lf-in-multiline
printf '250 O\rK\r\n' | server bare-cr-in-text
printf '500 unknown \r250 OK\r\n' | server cr-injection
printf '500 unknown\r\r\n' | server cr-cr-lf
printf '250 a\x00b\r\n' | server nul-in-text
printf '250 a\tb\r\n' | server ht-in-text
printf '250 a\x7fb\r\n' | server del-in-text
printf '250 caf\xc3\xa9\r\n' | server utf8-in-text
printf '199 low\r\n' | server code-199
printf '600 high\r\n' | server code-600
printf '260 middle\r\n' | server code-260
printf '25 two digits\r\n' | server code-two-digits
printf '2500 four digits\r\n' | server code-four-digits
printf 'abc letters\r\n' | server code-letters
printf '250x\r\n' | server bad-separator
printf '250\tOK\r\n' | server ht-separator
printf '250-a\r\n251 b\r\n' | server code-changed
printf '250-a\r\n250-b\r\n' | server incomplete-multiline
printf '250 OK' | server incomplete-line
printf '250 OK\r' | server incomplete-after-cr
printf '' | server empty-stream
printf '\r\n' | server empty-line
printf '250 5.0.0 class mismatch\r\n' | server enh-class-mismatch
printf '550-5.1.1 a\r\n550 5.1.2 b\r\n' | server enh-differs-between-lines
printf '550-5.1.1 a\r\n550 b\r\n' | server enh-missing-on-last-line
printf '250 2.0.0\r\n' | server enh-alone
printf '250 2.0.0x\r\n' | server enh-glued-to-text
printf '250 2.1000.0 long subject\r\n' | server enh-long-subject
printf '354 3.0.0 no class 3\r\n' | server enh-class-3
{ printf '250 '; pad 506; printf '\r\n'; } | server line-512-octets
{ printf '250 '; pad 507; printf '\r\n'; } | server line-513-octets
{ printf '250-'; pad 506; printf '\r\n250 '; pad 507; printf '\r\n'; } | server multiline-512-then-513
{ printf '250 '; pad 60000; printf '\r\n250 OK\r\n'; } | server line-60000-octets
{ printf '214-2.0.0 '; pad 500; printf '\r\n214 2.0.0 '; pad 500; printf '\r\n'; } | server multiline-512-octets-enh

############################################################################
# Seeds written for coverage (docs/coverage.md says what each one reaches).
############################################################################
# fuzz_line (and fuzz_session): the tokenizer's SSE2 fast path, lines of 16+ octets
# 3-octet sequence, 3rd octet > 0xBF
printf 'HELP \xe2\x82\xc0\r\n' | put fuzz_line utf8-bad-third-octet
# letters past the first 16
printf 'ABCDEFGHIJKLMNOPQRS\r\n' | put fuzz_line verb-19-letters
# 9..16 letters then SP: unknown verb
printf 'XVERYLONGVERB argument\r\n' | put fuzz_line verb-13-letters-with-arg
# no letter before the SP
printf '   three leading spaces\r\n' | put fuzz_line leading-spaces-long-line
# no verb shares its first 4 octets
printf 'XYZZY some long argument\r\n' | put fuzz_line unknown-verb-long-line
# first 4 octets match HELP, the word does not
printf 'HELPXY some long argument\r\n' | put fuzz_line help-prefix-long-line
# CR is the last octet of the input
printf 'NOOP 0123456789abcdef\r' | put fuzz_line unterminated-tail-long-cr
# The line seeds belong to the session corpus too.
for n in utf8-bad-third-octet verb-19-letters verb-13-letters-with-arg leading-spaces-long-line unknown-verb-long-line help-prefix-long-line unterminated-tail-long-cr; do
    put fuzz_session "$n" <"$here/fuzz_line/$n"
done

# fuzz_reply: code 250 (00 32); flags 02 = raw enhanced code (length byte, then the octets)
printf '\x00\x32\x02\x052x0.0\x02ok' | put fuzz_reply enh-second-octet-not-dot
printf '\x00\x32\x02\x052.000\x02ok' | put fuzz_reply enh-no-detail
printf '\x00\x32\x02\x052.0x0\x02ok' | put fuzz_reply enh-subject-then-letter
printf '\x00\x32\x02\x052.0.x\x02ok' | put fuzz_reply enh-detail-letter
# longer than SMTP_ENH_MAX (11)
printf '\x00\x32\x02\x0d2.0000.000000\x02ok' | put fuzz_reply enh-thirteen-octets
# flags 00 = no enhanced code; the text itself starts with one (RFC 2034 lifting)
# class 5 on a 250: refused
printf '\x00\x32\x00\x0b5.1.1 hello' | put fuzz_reply text-enh-other-class
printf '\x00\x32\x00\x0b2.1.1 hello' | put fuzz_reply text-enh-same-class

# fuzz_reply_parse
printf '2x0 ok\r\n' | put fuzz_reply_parse code-second-not-digit
# enhanced code, SP, nothing after it
printf '250 2.0.0 \r\n' | put fuzz_reply_parse enh-then-space-only
# an empty line ended by a bare LF
printf '\n' | put fuzz_reply_parse lone-lf

# fuzz_session: argument syntax (RFC 5321 4.1.2, 4.1.3) and limits
printf 'EHLO [IPv6:::1]\r\nEHLO [IPv6:2001:db8:0:0:0:0:0:1]\r\nEHLO [IPv6:::ffff:192.0.2.1]\r\nEHLO [IPv6:0:0:0:0:0:0:192.0.2.1]\r\nEHLO [IPv6:1::2::3]\r\nEHLO [IPv6:1:2:]\r\nEHLO [IPv6:12345::]\r\nEHLO [IPv6:g::1]\r\nEHLO [IPv6:1.2.3.4:1::]\r\nEHLO [IPv6:1:2:3:4:5:6:7]\r\nEHLO [IPv6:1::256.1.1.1]\r\nQUIT\r\n' | put fuzz_session ehlo-ipv6-literals
printf 'EHLO [x-tag:abc]\r\nEHLO [tag-:abc]\r\nEHLO [tag:]\r\nEHLO [tag:a\\b]\r\nEHLO [notag]\r\nEHLO []\r\nEHLO [192.0.2.1\r\nEHLO b..c\r\nEHLO b-.c\r\nEHLO [1.2.3]\r\nEHLO [1.2.3,4]\r\nQUIT\r\n' | put fuzz_session ehlo-general-literals
printf 'EHLO c.example\r\nMAIL FROM:<"quoted local"@example.com>\r\nRSET\r\nMAIL FROM:<"a\\"b"@example.com>\r\nRSET\r\nMAIL FROM:<"unterminated@example.com>\r\nMAIL FROM:<a..b@example.com>\r\nMAIL FROM:<@relay.example,@r2.example:a@example.com>\r\nRSET\r\nMAIL FROM:<@relay.example a@example.com>\r\nMAIL FROM:<a@[192.0.2.1]>\r\nRSET\r\nMAIL FROM:<a@[IPv6:::1]>\r\nRSET\r\nMAIL FROM:<a@[bad]>\r\nMAIL FROM:<a@b.>\r\nMAIL FROM:<a@b>x\r\nMAIL FROM:<"a\\\r\nMAIL FROM:<"a\\\xc3\xa9"@b>\r\nMAIL FROM:<@-bad:a@b>\r\nMAIL FROM:<@r.example,x:a@b>\r\nQUIT\r\n' | put fuzz_session mail-path-forms
printf 'EHLO c.example\r\nMAIL FROM:<a@b> FOO=bar\r\nMAIL FROM:<a@b> SIZE=12x\r\nMAIL FROM:<a@b> SIZE=\r\nMAIL FROM:<a@b>  SIZE=1\r\nMAIL FROM:<a@b> -X=1\r\nMAIL FROM:<a@b> X=a=b\r\nMAIL FROM:<a@b> SMTPUTF8 SMTPUTF8\r\nMAIL FROM:<a\xc3\xa9@b>\r\nMAIL FROM:<a@b>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<c@d> NOTIFY=NEVER\r\nRCPT TO:<\xc3\xbc@d>\r\nVRFY\r\nQUIT\r\n' | put fuzz_session mail-params-and-utf8
{ printf 'EHLO c.example\r\nMAIL FROM:<a@b>\r\n'; for i in $(seq 1 101); do printf 'RCPT TO:<r%d@d>\r\n' "$i"; done; printf 'QUIT\r\n'; } | put fuzz_session rcpt-101
{ printf 'EHLO c.example\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'; head -c 1100 /dev/zero | tr '\0' x; printf '\r\n.\r\nQUIT\r\n'; } | put fuzz_session data-line-1100-octets


############################################################################
# fuzz_path: a mode octet, then the argument (fuzz/fuzz_path.c). Modes: 0
# domain (EHLO), 8 domain (HELO), 1 reverse-path (MAIL), 2 forward-path
# (RCPT), 3 bare path; 4 more allows UTF-8 (and SMTPUTF8 on the MAIL).
# RFC 5321 4.1.2, 4.1.3; RFC 6531 3.3. Each planted bug of tests/path.cmake
# trips at least one of these.
############################################################################

# arg NAME MODE FORMAT - a fuzz_path seed: the mode octet (0..15), then printf FORMAT
arg() {
    { printf "\\x$(printf %02x "$2")"; printf -- "$3"; } | put fuzz_path "$1"
}

# Domains (HELO/EHLO): sub-domain = Let-dig [Ldh-str]
arg domain-plain 0 'client.example'
arg domain-helo 8 'client.example'
arg domain-inner-hyphens 0 'xn--bcher-kva.a-b.example'
arg domain-trailing-hyphen 0 'example-'
arg domain-label-trailing-hyphen 0 'mail-.example.com'
arg domain-leading-hyphen 0 '-example.com'
arg domain-empty-label 0 'a..example'
arg domain-dot-at-end 0 'example.com.'
arg domain-empty 0 ''
arg domain-trailing-junk 0 'example.com x'
arg domain-underscore 8 'exa_mple.com'
arg domain-label-64 0 "$(pad 64 a).example"
arg domain-utf8-refused 0 'b\xc3\xbccher.example'
arg domain-utf8-allowed 4 'b\xc3\xbccher.example'
arg domain-utf8-4-octets 4 '\xf0\x9f\x93\xa7.example'
arg domain-utf8-truncated 4 'b\xc3'
arg domain-utf8-surrogate 4 '\xed\xa0\x80.example'
arg domain-utf8-edges 4 '\xe0\xa0\x80.\xed\x9f\xbf.\xf4\x8f\xbf\xbf'
arg domain-utf8-bad-third-octet 4 'a\xe2\x82x.example'
arg domain-utf8-refused-and-bad 0 'b\xc3\xbc-'
# IPv4-address-literal: four Snum of 0..255
arg literal-ipv4 0 '[192.0.2.1]'
arg literal-ipv4-leading-zeros 0 '[001.002.003.004]'
arg literal-ipv4-255 8 '[255.255.255.255]'
arg literal-ipv4-256 0 '[192.0.2.256]'
arg literal-ipv4-256-first 8 '[256.0.2.1]'
arg literal-ipv4-four-digits 0 '[1921.0.2.1]'
arg literal-ipv4-three-parts 0 '[192.0.2]'
arg literal-ipv4-leading-part-missing 0 '[.0.2.1]'
arg literal-ipv4-five-parts 0 '[192.0.2.1.5]'
arg literal-unclosed 0 '[192.0.2.1'
arg literal-empty 0 '[]'
arg literal-junk-after 0 '[192.0.2.1]x'
# IPv6: full, comp, v4-full, v4-comp, with their group limits
arg literal-ipv6-full 0 '[IPv6:2001:db8:0:0:0:0:0:1]'
arg literal-ipv6-comp 0 '[IPv6:2001:db8::1]'
arg literal-ipv6-lowercase-tag 8 '[ipv6:::1]'
arg literal-ipv6-uppercase-hex 0 '[IPv6:2001:DB8::ABCD]'
arg literal-ipv6-single-leading-colon 0 '[IPv6::1:2:3:4:5:6:7]'
arg literal-ipv6-one-group 0 '[IPv6:1]'
arg literal-ipv6-only-dcolon 0 '[IPv6:::]'
arg literal-ipv6-comp-six-groups 0 '[IPv6:1:2:3::4:5:6]'
arg literal-ipv6-comp-seven-groups 0 '[IPv6:1:2:3:4:5:6:7::]'
arg literal-ipv6-seven-groups 0 '[IPv6:1:2:3:4:5:6:7]'
arg literal-ipv6-nine-groups 0 '[IPv6:1:2:3:4:5:6:7:8:9]'
arg literal-ipv6-two-dcolon 0 '[IPv6:1::2::3]'
arg literal-ipv6-triple-colon 0 '[IPv6:1:::2]'
arg literal-ipv6-trailing-colon 0 '[IPv6:1:2:3:4:5:6:7:]'
arg literal-ipv6-five-hex-digits 0 '[IPv6:12345::]'
arg literal-ipv6-v4-full 0 '[IPv6:0:0:0:0:0:ffff:192.0.2.1]'
arg literal-ipv6-v4-full-five-groups 0 '[IPv6:0:0:0:0:ffff:192.0.2.1]'
arg literal-ipv6-v4-comp 0 '[IPv6:::ffff:192.0.2.1]'
arg literal-ipv6-v4-comp-four-groups 0 '[IPv6:1:2:3:4::192.0.2.1]'
arg literal-ipv6-v4-comp-five-groups 0 '[IPv6:1:2:3:4:5::192.0.2.1]'
arg literal-ipv6-v4-comp-empty-right 0 '[IPv6:1:2:3:::192.0.2.1]'
arg literal-ipv6-v4-not-last 0 '[IPv6:192.0.2.1::1]'
arg literal-ipv6-v4-256 0 '[IPv6:::ffff:192.0.2.256]'
# General-address-literal: Standardized-tag ":" 1*dcontent
arg literal-general 0 '[x-tag:content]'
arg literal-general-colons 0 '[tag:a:b]'
arg literal-general-tag-leading-hyphen 0 '[-tag:x]'
arg literal-general-tag-trailing-hyphen 0 '[tag-:x]'
arg literal-general-no-content 0 '[tag:]'
arg literal-general-backslash 0 '[tag:a\\b]'
arg literal-general-ipv6-tag 0 '[IPv6:x-tag]'

# Paths: "<" [A-d-l ":"] Mailbox ">", then SP or the end
arg path-plain 1 '<a@example.com>'
arg path-then-params 1 '<a@example.com> SIZE=100 BODY=8BITMIME'
arg path-then-bad-param 1 '<a@example.com> FOO=bar'
arg path-no-open-angle 1 'a@example.com'
arg path-space-before 1 ' <a@example.com>'
arg path-no-close-angle 1 '<a@example.com'
arg path-no-at 1 '<postmaster.example>'
arg path-trailing-junk 1 '<a@example.com>x'
arg path-domain-trailing-hyphen 1 '<a@example->'
arg path-domain-dot-at-end 2 '<a@example.com.>'
arg path-domain-empty 2 '<a@>'
arg path-empty 1 ''
# The null path: MAIL only; Postmaster without a domain: RCPT only
arg path-null-mail 1 '<>'
arg path-null-mail-then-param 5 '<> SMTPUTF8'
arg path-null-rcpt 2 '<>'
arg path-null-bare 3 '<>'
arg path-null-then-junk 1 '<>x'
arg path-postmaster 2 '<Postmaster>'
arg path-postmaster-lowercase 6 '<postmaster>'
arg path-postmaster-in-mail 1 '<Postmaster>'
arg path-postmaster-then-junk 2 '<Postmaster>x'
arg path-postmaster-with-domain 1 '<Postmaster@example.com>'
arg path-postmaster-cut-short 2 '<Postm'
arg path-rcpt-param 2 '<a@example.com> NOTIFY=NEVER'
# Dot-string
arg path-dot-string 1 '<first.last@example.com>'
arg path-dot-leading 1 '<.a@example.com>'
arg path-dot-trailing 2 '<a.@example.com>'
arg path-dot-doubled 1 '<a..b@example.com>'
arg path-local-part-cut-short 1 '<first.last'
arg path-atext-specials 3 "<!#\$%%&'*+-/=?^_\`{|}~@example.com>"
arg path-local-64 1 "<$(pad 64 l)@example.com>"
arg path-local-65 2 "<$(pad 65 l)@example.com>"
arg path-longer-than-a-line 3 "<$(pad 600 l)@example.com>"
# Quoted-string with quoted-pairSMTP
arg path-quoted 1 '<"quoted local"@example.com>'
arg path-quoted-rcpt 2 '<"john doe"@example.com>'
arg path-quoted-escape 1 '<"a\\"b\\\\c"@example.com>'
arg path-quoted-empty 2 '<""@example.com>'
arg path-quoted-at-and-angle 3 '<"a@b>c"@example.com>'
arg path-quoted-unterminated 1 '<"abc@example.com>'
arg path-quoted-escape-at-end 1 '<"a\\'
arg path-quoted-escaped-control 3 '<"a\\\x01"@example.com>'
arg path-quoted-then-atom 1 '<"a".b@example.com>'
# A-d-l: accepted and ignored
arg path-source-route 1 '<@relay.example,@r2.example:a@example.com>'
arg path-source-route-rcpt 2 '<@relay.example:a@example.com>'
arg path-source-route-bad-hop 1 '<@-relay.example:a@example.com>'
arg path-source-route-no-colon 1 '<@relay.example a@example.com>'
arg path-source-route-literal-hop 2 '<@[192.0.2.1]:a@example.com>'
arg path-source-route-only 1 '<@relay.example>'
# Address literals in a mailbox
arg path-literal-ipv4 2 '<a@[192.0.2.1]>'
arg path-literal-ipv4-256 2 '<a@[192.0.2.256]>'
arg path-literal-ipv6 1 '<a@[IPv6:2001:db8::1]>'
arg path-literal-general-angle 3 '<a@[tag:x>y]>'
arg path-literal-junk 1 '<a@[192.0.2.1]x>'
# UTF-8 (RFC 6531): with SMTPUTF8 (4 more), and without (553 from the responder)
arg path-utf8-local 5 '<\xc3\xa9l\xc3\xa8ve@example.com>'
arg path-utf8-local-no-smtputf8 1 '<\xc3\xa9l\xc3\xa8ve@example.com>'
arg path-utf8-rcpt 6 '<\xc3\xbc@example.com>'
arg path-utf8-rcpt-no-smtputf8 2 '<\xc3\xbc@example.com>'
arg path-utf8-domain 5 '<a@b\xc3\xbccher.example>'
arg path-utf8-quoted 6 '<"\xc3\xa9 x"@example.com>'
arg path-utf8-quoted-pair 5 '<"a\\\xc3\xa9"@example.com>'
arg path-utf8-literal 5 '<a@[\xc3\xa9]>'
arg path-utf8-truncated 7 '<\xc3@example.com>'
arg path-utf8-source-route 7 '<@\xc3\xa9.example:a@example.com>'
arg path-utf8-after-path 1 '<a@example.com> \xc3\xa9'
arg path-utf8-refused-and-junk 1 '<\xc3\xa9@example.com>x'
# Octets no command line can hold: the module and the model only
arg path-nul-octet 3 '<a\x00@example.com>'
arg path-control-octet 1 '<a\x01@example.com>'


############################################################################
# Seeds this script no longer writes go; found inputs (SHA-1 names) stay.
############################################################################
# Only the targets this script writes seeds for: corpus/fuzz_mutator/ holds binary records
# laid out as fuzz/fuzz_mutator.c reads them, committed as they are.
for dir in "$here"/fuzz_*/; do
    t=$(basename "$dir")
    grep -q "^$t/" "$written" || continue
    for f in "$dir"*; do
        [ -f "$f" ] || continue
        n=$(basename "$f")
        printf '%s\n' "$n" | grep -q -E '^[0-9a-f]{40}$' && continue
        grep -q -x -F "$t/$n" "$written" || rm -f "$f"
    done
done
