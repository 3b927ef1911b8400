#!/usr/bin/python3
"""help250.py - a tiny line-based SMTP server on stdin/stdout that answers HELP with 250
(as aiosmtpd does) and everything else by the contract (docs/contract.md): "smtpfuzz check" must report
r1-help-not-214 for it and nothing else of rule r1-malformed-not-500 or r6.

It frames on CR LF strictly, answers malformed lines 500 (bare LF, control bytes, long
lines, unknown verbs), takes DATA to CR LF . CR LF and valid BDAT chunks by size."""
import re
import sys

VERBS = {b"HELO", b"EHLO", b"MAIL", b"RCPT", b"DATA", b"BDAT", b"RSET", b"VRFY", b"EXPN",
         b"HELP", b"NOOP", b"QUIT", b"STARTTLS", b"AUTH"}
BDAT = re.compile(rb"^BDAT ([0-9]{1,9})( LAST)?$", re.I)

out = sys.stdout.buffer
data = sys.stdin.buffer.read1 if hasattr(sys.stdin.buffer, "read1") else sys.stdin.buffer.read


def reply(text):
    out.write(text + b"\r\n")
    out.flush()


def malformed(line):
    if len(line) > 512 or not line.endswith(b"\r\n"):
        return True
    content = line[:-2]
    if any(c < 0x20 or c == 0x7f for c in content):
        return True
    try:
        content.decode("utf-8")  # strict: no overlongs, no surrogates, nothing above U+10FFFF
    except UnicodeDecodeError:
        return True
    verb = content.split(b" ", 1)[0]
    return not (verb.isascii() and verb.isalpha()) or verb.upper() not in VERBS


def main():
    reply(b"220 help250.example ESMTP")
    buf = b""
    mode = "cmd"
    need = 0
    while True:
        chunk = data(65536)
        if not chunk:
            return
        buf += chunk
        while True:
            if mode == "bdat":
                if len(buf) < need:
                    break
                buf = buf[need:]
                mode = "cmd"
                reply(b"250 chunk")
                continue
            if mode == "data":
                # buf starts with the DATA line's CR LF, the first CR LF of CR LF . CR LF
                end = buf.find(b"\r\n.\r\n")
                if end < 0:
                    break
                buf = buf[end + 5:]
                mode = "cmd"
                reply(b"250 message accepted")
                continue
            lf = buf.find(b"\n")
            if lf < 0:
                break
            line, buf = buf[:lf + 1], buf[lf + 1:]
            if malformed(line):
                reply(b"500 syntax error")
                continue
            content = line[:-2]
            verb = content.split(b" ", 1)[0].upper()
            if verb == b"HELP":
                reply(b"250 see RFC 5321")
            elif verb == b"QUIT":
                reply(b"221 bye")
                return
            elif verb == b"DATA":
                reply(b"354 go ahead")
                mode = "data"
                buf = b"\r\n" + buf
            elif verb == b"BDAT":
                m = BDAT.match(content)
                if m:
                    need = int(m.group(1))
                    mode = "bdat"
                else:
                    reply(b"501 bad size")
            else:
                reply(b"250 ok")


main()
