#!/usr/bin/python3
"""smtpfuzz_e2e - end-to-end tests of "smtpfuzz serve" and "smtpfuzz respond"
with real SMTP clients (Python smtplib, curl, swaks) and raw sockets.

    /usr/bin/python3 smtpfuzz_e2e.py --smtpfuzz PATH CASE

Each CASE starts its own server on 127.0.0.1:0 (the port is read from the
server's first stdout line), always stops it at the end, and bounds every
wait with a timeout. A missing client program is a failure, never a skip.
Exit status 0 when the case passed, 1 when it failed (with the reason).
Standard library only.
"""

import argparse
import os
import re
import resource
import select
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

CASE_TIMEOUT = 100  # seconds for one whole case; ctest's TIMEOUT is above this
IO_TIMEOUT = 10  # seconds for one client operation

MESSAGE = (
    "From: a@example.org\r\n"
    "To: b@example.org\r\n"
    "Subject: smtpfuzz end-to-end test\r\n"
    "\r\n"
    "Hello.\r\n"
    ".A line that starts with a dot, stuffed by the client.\r\n"
    "..Two dots.\r\n"
    "Bye.\r\n"
)


class Failure(Exception):
    """A check failed; the message says what was expected and what came."""


def check(cond, what):
    """Raise Failure(what) unless cond holds."""
    if not cond:
        raise Failure(what)


class Server:
    """A "smtpfuzz serve --listen 127.0.0.1:0" process, stopped on exit."""

    def __init__(self, exe, *options, preexec_fn=None):
        """Start the server and read its port from the first stdout line."""
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [exe, "serve", "--listen", "127.0.0.1:0", *options],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            preexec_fn=preexec_fn,
        )
        try:
            line = read_line(self.proc.stdout.fileno(), IO_TIMEOUT)
            m = re.fullmatch(rb"listening on 127\.0\.0\.1:([0-9]+)\n", line)
            check(m is not None, "server's first line: got %r, want 'listening on 127.0.0.1:PORT'" % line)
            self.port = int(m.group(1))
            check(0 < self.port < 65536, "server printed port %d" % self.port)
        except BaseException:
            self.kill()
            raise

    def __enter__(self):
        """Use as a context manager: the server is killed on the way out."""
        return self

    def __exit__(self, exc_type, exc, tb):
        """Stop the server; fail when it did not exit 0 or a sanitizer spoke."""
        status = self.kill()
        self.stderr.seek(0)
        err = self.stderr.read().decode("utf-8", "replace")
        self.stderr.close()
        if err:
            sys.stderr.write("server stderr:\n" + err)
        if exc_type is None:
            check(status == 0, "server exit status %r at the end, want 0 (stderr above)" % status)
            check(not re.search(r"Sanitizer|runtime error", err), "sanitizer report (stderr above)")
        return False

    def signal(self, signo):
        """Send a signal to the server."""
        self.proc.send_signal(signo)

    def wait(self, timeout):
        """Wait for the server to exit; its exit status, or None on timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        """Stop the server: SIGTERM, then SIGKILL if it does not exit in time; its exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            if self.wait(10) is None:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
            self.proc.stdout = None
        return self.proc.returncode

    def cpu_seconds(self):
        """User plus system CPU time the server has used so far."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self):
        """The server's resident memory in KiB, from /proc."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise Failure("no VmRSS in /proc/%d/status" % self.proc.pid)


def read_line(fd, timeout):
    """Read one LF-terminated line from fd within timeout seconds (b'' at EOF)."""
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        check(left > 0, "timed out reading a line, got %r so far" % data)
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        b = os.read(fd, 1)
        if not b:
            break
        data += b
    return data


def connect(port):
    """A TCP connection to the server, with IO_TIMEOUT on every operation."""
    return socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)


def read_all(sock, timeout=IO_TIMEOUT):
    """Everything the peer sends until it closes (fails on timeout)."""
    sock.settimeout(timeout)
    chunks = []
    while True:
        try:
            b = sock.recv(65536)
        except socket.timeout:
            raise Failure("timed out waiting for the server to close; got %r" % b"".join(chunks)[-300:])
        except ConnectionResetError:
            raise Failure("connection reset; got %r" % b"".join(chunks)[-300:])
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def reply_codes(data):
    """The code of each reply in data (one per reply, at its last line); checks the grammar."""
    check(data == b"" or data.endswith(b"\r\n"), "reply stream does not end in CR LF: %r" % data[-100:])
    codes = []
    for line in data.split(b"\r\n")[:-1]:
        check(re.fullmatch(rb"[2-5][0-5][0-9]([ -][\t\x20-\x7e]*)?", line) is not None,
              "malformed reply line %r" % line)
        if len(line) == 3 or line[3:4] == b" ":
            codes.append(int(line[:3]))
    return codes


class Client:
    """A raw SMTP client connection that reads replies one at a time."""

    def __init__(self, port):
        """Connect to the server on 127.0.0.1:port."""
        self.sock = connect(port)
        self.buf = b""

    def send(self, data):
        """Send bytes (all of them)."""
        self.sock.sendall(data)

    def reply(self):
        """The next complete reply: (code, lines); later bytes stay buffered."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                b = self.sock.recv(4096)
                check(b, "connection closed in the middle of a reply; got %r" % self.buf)
                self.buf += b
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line)
            if len(line) == 3 or line[3:4] == b" ":
                return int(line[:3]), lines

    def rest(self, timeout=IO_TIMEOUT):
        """Everything else the server sends until it closes."""
        data = self.buf + read_all(self.sock, timeout)
        self.buf = b""
        return data

    def close(self):
        """Close the connection."""
        self.sock.close()


def need_program(name):
    """The path of a client program, or a Failure that says how to get it."""
    path = shutil.which(name) or ("/usr/bin/" + name if os.path.exists("/usr/bin/" + name) else None)
    check(path is not None, "%s is not installed (apt-get install %s; the CI setup installs it)" % (name, name))
    return path


def run_client(argv, timeout=60):
    """Run a client program to completion; (exit status, stdout+stderr text)."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("%s did not finish within %d s" % (argv[0], timeout))
    text = p.stdout.decode("utf-8", "replace")
    print("$ %s\n%s(exit %d)" % (" ".join(argv), text, p.returncode))
    return p.returncode, text


# ---- serve: smtplib -------------------------------------------------------


def smtplib_session(port, who="client.example.org"):
    """One full smtplib session: EHLO, HELP, errors, a message, QUIT."""
    s = smtplib.SMTP("127.0.0.1", port, local_hostname=who, timeout=IO_TIMEOUT)
    try:
        code, _ = s.ehlo()
        check(code == 250, "EHLO: got %d, want 250" % code)
        for ext in ("pipelining", "8bitmime", "smtputf8", "enhancedstatuscodes", "chunking", "size"):
            check(s.has_extn(ext), "EHLO does not advertise %s" % ext.upper())
        text = s.help()
        check(isinstance(text, bytes) and text.strip(), "smtplib .help(): got %r, want text" % text)
        for cmd, want in (("HELP", 214), ("XYZZY", 500), ("help", 214), ("HELP MAIL", 214), ("NOOP", 250)):
            code, msg = s.docmd(cmd)
            check(code == want, "%s: got %d %r, want %d" % (cmd, code, msg, want))
        refused = s.sendmail("a@example.org", ["b@example.org"], MESSAGE)
        check(refused == {}, "sendmail refused %r" % refused)
        code, _ = s.quit()
        check(code == 221, "QUIT: got %d, want 221" % code)
    finally:
        s.close()


def case_smtplib(exe):
    """smtplib: EHLO, .help(), HELP 214, XYZZY 500, sendmail, QUIT 221; then the server closes."""
    with Server(exe) as srv:
        smtplib_session(srv.port)
        # Raw: after the 221 the server closes the connection by itself.
        sock = connect(srv.port)
        sock.sendall(b"QUIT\r\n")
        codes = reply_codes(read_all(sock))
        check(codes == [220, 221], "greeting + QUIT: got %r, want [220, 221]" % codes)
        sock.close()


def case_concurrent(exe):
    """20 smtplib clients connected at once, each with a full session."""
    n = 20
    barrier = threading.Barrier(n, timeout=30)
    errors = []

    def client(i):
        """One client: connect, wait until all are connected, run a session."""
        try:
            s = smtplib.SMTP("127.0.0.1", srv.port, local_hostname="c%d.example.org" % i, timeout=30)
            barrier.wait()  # all 20 hold a connection now
            code, _ = s.ehlo()
            check(code == 250, "client %d EHLO: %d" % (i, code))
            check(s.docmd("HELP")[0] == 214, "client %d HELP not 214" % i)
            check(s.docmd("XYZZY")[0] == 500, "client %d XYZZY not 500" % i)
            refused = s.sendmail("a%d@example.org" % i, ["b@example.org"], MESSAGE)
            check(refused == {}, "client %d refused %r" % (i, refused))
            barrier.wait()  # and still all 20 before anyone quits
            check(s.quit()[0] == 221, "client %d QUIT not 221" % i)
        except Exception as e:  # noqa: BLE001 - reported below, per client
            errors.append("client %d: %r" % (i, e))
            barrier.abort()

    with Server(exe) as srv:
        threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        check(not any(t.is_alive() for t in threads), "some clients hang")
        check(not errors, "; ".join(errors))


def case_pipelining(exe):
    """Many commands in one write: one reply each, in order; a message; 221 and close."""
    with Server(exe) as srv:
        sock = connect(srv.port)
        cmds = [b"EHLO x.example.org"] + [b"HELP", b"XYZZY", b"NOOP"] * 200
        cmds += [b"MAIL FROM:<a@example.org>", b"RCPT TO:<b@example.org>", b"DATA"]
        stream = b"\r\n".join(cmds) + b"\r\n" + MESSAGE.encode() + b".\r\nQUIT\r\nNOOP\r\n"
        sock.sendall(stream)
        codes = reply_codes(read_all(sock))
        want = [220, 250] + [214, 500, 250] * 200 + [250, 250, 354, 250, 221]
        check(codes == want, "codes: got %r..., want %r..." % (codes[-8:], want[-8:]))
        sock.close()


def case_idle_timeout(exe):
    """--idle-timeout 1: silent clients get 421 4.4.2 and are closed; a busy one is not."""
    with Server(exe, "--idle-timeout", "1") as srv:
        first = Client(srv.port)
        check(first.reply()[0] == 220, "first client: no greeting")
        silent = Client(srv.port)
        start = time.monotonic()
        data = silent.rest()
        elapsed = time.monotonic() - start
        codes = reply_codes(data)
        check(codes == [220, 421], "silent client: got %r, want [220, 421]" % codes)
        check(b"421 4.4.2 " in data, "idle 421 lacks 4.4.2: %r" % data)
        check(0.8 <= elapsed <= 5, "closed after %.2f s, want about 1 s" % elapsed)
        check(reply_codes(first.rest()) == [421], "the first silent client was not timed out")
        # A client that keeps talking outlives the timeout.
        busy = Client(srv.port)
        check(busy.reply()[0] == 220, "busy client: no greeting")
        for _ in range(6):
            time.sleep(0.4)
            busy.send(b"NOOP\r\n")
            code, _ = busy.reply()
            check(code == 250, "busy client NOOP: got %d, want 250" % code)
        busy.send(b"QUIT\r\n")
        check(reply_codes(busy.rest()) == [221], "busy client QUIT")
        for c in (first, silent, busy):
            c.close()


def case_max_conn(exe):
    """--max-conn 2: a third client gets 421 4.3.2 and is closed; a slot frees after QUIT."""
    with Server(exe, "--max-conn", "2") as srv:
        a = smtplib.SMTP("127.0.0.1", srv.port, timeout=IO_TIMEOUT)
        b = smtplib.SMTP("127.0.0.1", srv.port, timeout=IO_TIMEOUT)
        third = Client(srv.port)
        data = third.rest()
        check(reply_codes(data) == [421], "third client: got %r, want one 421" % data)
        check(data.startswith(b"421 4.3.2 "), "third client's 421 lacks 4.3.2: %r" % data)
        third.close()
        check(a.docmd("NOOP")[0] == 250 and b.docmd("NOOP")[0] == 250, "first two not served")
        check(a.quit()[0] == 221, "first client QUIT")
        # The server frees the slot once the first connection is closed; allow it a moment.
        deadline = time.monotonic() + IO_TIMEOUT
        while True:
            c = Client(srv.port)
            code, _ = c.reply()
            if code == 220:
                break
            c.close()
            check(time.monotonic() < deadline, "no slot freed after QUIT (still %d)" % code)
            time.sleep(0.1)
        c.send(b"QUIT\r\n")
        check(reply_codes(c.rest()) == [221], "new client QUIT")
        c.close()
        check(b.quit()[0] == 221, "second client QUIT")


def stop_with_clients(exe, signo, nclients):
    """Signal a server that has clients: each gets 421 4.3.2, the server exits 0."""
    with Server(exe) as srv:
        clients = []
        for i in range(nclients):
            c = Client(srv.port)
            check(c.reply()[0] == 220, "client %d: no greeting" % i)
            # Some in the middle of a transaction, some in the middle of message text.
            c.send(b"EHLO x.example.org\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n")
            for want in (250, 250, 250):
                code, _ = c.reply()
                check(code == want, "client %d setup: got %d, want %d" % (i, code, want))
            if i % 2 == 1:
                c.send(b"DATA\r\n")
                check(c.reply()[0] == 354, "client %d DATA" % i)
                c.send(b"Subject: half a message\r\n\r\nsome text\r\n")
            clients.append(c)
        srv.signal(signo)
        for i, c in enumerate(clients):
            data = c.rest()
            check(reply_codes(data) == [421], "client %d after signal: got %r, want one 421" % (i, data))
            check(data.startswith(b"421 4.3.2 "), "client %d: 421 lacks 4.3.2: %r" % (i, data))
            c.close()
        rc = srv.wait(IO_TIMEOUT)
        check(rc == 0, "server exit status after signal %d: got %r, want 0" % (signo, rc))
        try:
            connect(srv.port).close()
        except OSError:
            return
        raise Failure("the server still accepts connections after stopping")


def case_sigterm(exe):
    """SIGTERM with a client connected: 421 4.3.2 to the client, exit 0."""
    stop_with_clients(exe, signal.SIGTERM, 1)


def case_sigint(exe):
    """SIGINT with three clients (one in DATA): 421 to each, exit 0; and with none: exit 0."""
    stop_with_clients(exe, signal.SIGINT, 3)
    with Server(exe) as srv:
        srv.signal(signal.SIGINT)
        rc = srv.wait(IO_TIMEOUT)
        check(rc == 0, "idle server exit status after SIGINT: got %r, want 0" % rc)


def case_backpressure(exe):
    """A client that sends and never reads: the server stops reading it, memory stays bounded,
    and every reply arrives, in order, once the client reads."""
    with Server(exe) as srv:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        sock.settimeout(IO_TIMEOUT)
        sock.connect(("127.0.0.1", srv.port))
        time.sleep(0.2)
        rss_before = srv.rss_kib()
        sock.setblocking(False)
        line = b"HELP\r\n"
        chunk = line * 4096
        sent = 0
        last_progress = time.monotonic()
        deadline = time.monotonic() + 30
        # Send until the server has not taken a byte for 1.5 s: it stopped reading us.
        while time.monotonic() - last_progress < 1.5:
            check(time.monotonic() < deadline, "server kept reading a client that reads nothing "
                  "(%d octets taken)" % sent)
            try:
                off = sent % len(chunk)
                n = sock.send(chunk[off:])
                sent += n
                last_progress = time.monotonic()
            except BlockingIOError:
                time.sleep(0.05)
        rss_after = srv.rss_kib()
        print("server took %d octets before stopping; RSS %d -> %d KiB" % (sent, rss_before, rss_after))
        check(rss_after - rss_before < 64 * 1024, "server memory grew by %d KiB" % (rss_after - rss_before))
        # Now read everything while finishing the last line and quitting.
        tail = line[sent % len(line):] if sent % len(line) else b""
        ncmds = (sent + len(tail)) // len(line)
        sock.setblocking(True)
        sock.settimeout(60)
        result = {}

        def reader():
            """Read until the server closes."""
            try:
                result["data"] = read_all(sock, 60)
            except Exception as e:  # noqa: BLE001 - reported by the main thread
                result["error"] = e

        t = threading.Thread(target=reader)
        t.start()
        sock.sendall(tail + b"QUIT\r\n")
        t.join(90)
        check(not t.is_alive(), "reading the replies hangs")
        check("error" not in result, "reading the replies: %r" % result.get("error"))
        codes = reply_codes(result["data"])
        check(codes[0] == 220 and codes[-1] == 221, "first/last reply: %r %r" % (codes[:1], codes[-1:]))
        check(codes[1:-1] == [214] * ncmds,
              "got %d replies (%r...), want %d 214s" % (len(codes) - 2, sorted(set(codes)), ncmds))
        sock.close()


def case_accept_emfile(exe):
    """Out of file descriptors (EMFILE): the server neither spins nor dies, and serves
    again once descriptors are free."""
    limit = 24

    def low_fd_limit():
        """In the child: allow only a few open files."""
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    with Server(exe, "--max-conn", "200", preexec_fn=low_fd_limit) as srv:
        clients = [connect(srv.port) for _ in range(limit + 10)]
        time.sleep(0.5)  # the server fills its descriptor table and meets EMFILE
        cpu_before = srv.cpu_seconds()
        time.sleep(2)
        cpu = srv.cpu_seconds() - cpu_before
        print("server CPU over 2 s while out of descriptors: %.2f s" % cpu)
        check(cpu < 0.5, "server spins while out of descriptors: %.2f s CPU in 2 s" % cpu)
        check(srv.proc.poll() is None, "server died while out of descriptors")
        for c in clients:
            c.close()
        # Served again: the queued connections are taken and dropped, then a new one is served.
        deadline = time.monotonic() + IO_TIMEOUT
        while True:
            c = Client(srv.port)
            try:
                code, _ = c.reply()
            except (Failure, OSError):
                code = None
            if code == 220:
                break
            c.close()
            check(time.monotonic() < deadline, "not served again after descriptors were freed")
            time.sleep(0.2)
        c.send(b"QUIT\r\n")
        check(reply_codes(c.rest()) == [221], "QUIT after EMFILE")
        c.close()


# ---- serve: curl and swaks ---------------------------------------------------


def case_curl(exe):
    """curl's SMTP client sends a message: exit 0."""
    curl = need_program("curl")
    with Server(exe) as srv, tempfile.TemporaryDirectory() as tmp:
        msg = os.path.join(tmp, "msg.txt")
        with open(msg, "w", newline="") as f:
            f.write(MESSAGE)
        rc, text = run_client([curl, "-sS", "--max-time", "30", "smtp://127.0.0.1:%d" % srv.port,
                               "--mail-from", "a@example.org", "--mail-rcpt", "b@example.org",
                               "-T", msg])
        check(rc == 0, "curl exit status %d: %s" % (rc, text))


def swaks_argv(port, *extra):
    """A swaks command line against the server."""
    return [need_program("swaks"), "--server", "127.0.0.1", "--port", str(port),
            "--to", "b@example.org", "--from", "a@example.org", "--timeout", "20", *extra]


def case_swaks(exe):
    """swaks sends a message: exit 0, and 250 follows the end of data."""
    with Server(exe) as srv:
        rc, text = run_client(swaks_argv(srv.port, "--helo", "client.example.org"))
        check(rc == 0, "swaks exit status %d" % rc)
        check(re.search(r"^ -> \.\r?\n<-  250 ", text, re.M) is not None,
              "swaks output shows no 250 after the end of data")
        check(re.search(r"^<-  221 ", text, re.M) is not None, "swaks output shows no 221")


def case_swaks_variants(exe):
    """swaks --quit-after RCPT / MAIL, and --pipeline: exit 0 with the expected replies."""
    with Server(exe) as srv:
        rc, text = run_client(swaks_argv(srv.port, "--quit-after", "RCPT"))
        check(rc == 0, "swaks --quit-after RCPT exit status %d" % rc)
        check(re.search(r"^ -> RCPT TO:<b@example.org>\r?\n<-  250 ", text, re.M) is not None,
              "no 250 after RCPT")
        check(re.search(r"^ -> DATA", text, re.M) is None, "swaks went past RCPT")
        check(re.search(r"^<-  221 ", text, re.M) is not None, "no 221 after QUIT")
        rc, text = run_client(swaks_argv(srv.port, "--quit-after", "MAIL"))
        check(rc == 0, "swaks --quit-after MAIL exit status %d" % rc)
        rc, text = run_client(swaks_argv(srv.port, "--pipeline"))
        check(rc == 0, "swaks --pipeline exit status %d" % rc)
        check(re.search(r"^<-  250 ", text, re.M) is not None, "swaks --pipeline: no 250")


# ---- respond -----------------------------------------------------------------


def run_respond(exe, data, timeout=60):
    """Run "smtpfuzz respond" on data; (exit status, stdout, stderr)."""
    with tempfile.TemporaryFile() as inp:
        inp.write(data)
        inp.seek(0)
        try:
            p = subprocess.run([exe, "respond"], stdin=inp, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure("smtpfuzz respond did not finish within %d s" % timeout)
    return p.returncode, p.stdout, p.stderr


def case_respond_long_line(exe):
    """A 10^6-octet line gets exactly one 500; end of input ends the program with 0."""
    line = b"A" * (10 ** 6 - 2) + b"\r\n"
    rc, out, err = run_respond(exe, line)
    check(rc == 0, "exit status %d, stderr %r" % (rc, err))
    check(reply_codes(out) == [220, 500], "codes: got %r, want [220, 500]" % reply_codes(out))
    check(err == b"", "stderr: %r" % err)
    # And the session goes on after it: the next line is answered normally.
    rc, out, err = run_respond(exe, line + b"HELP\r\n" + b"B" * 10 ** 6)
    check(rc == 0, "exit status %d, stderr %r" % (rc, err))
    check(reply_codes(out) == [220, 500, 214], "codes: got %r, want [220, 500, 214]" % reply_codes(out))


def case_respond_epipe(exe):
    """respond whose stdout reader is gone exits quietly, non-zero, and does not hang."""
    # 1. stdout closed before the greeting; stdin open and silent, so a respond that ignored
    #    the write error would wait for input for ever.
    r, w = os.pipe()
    os.close(r)
    p = subprocess.Popen([exe, "respond"], stdin=subprocess.PIPE, stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    try:
        _, err = p.communicate(timeout=IO_TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Failure("respond hangs after its stdout reader went away")
    check(p.returncode > 0, "exit status %d, want non-zero (and not a signal)" % p.returncode)
    check(err == b"", "stderr not quiet: %r" % err)
    # 2. the reader goes away in the middle of a long stream of replies.
    p = subprocess.Popen([exe, "respond"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        check(read_line(p.stdout.fileno(), IO_TIMEOUT).startswith(b"220 "), "no greeting")
        p.stdout.close()
        try:
            p.stdin.write(b"HELP\r\n" * 200000)
            p.stdin.flush()
        except BrokenPipeError:
            pass
        try:
            rc = p.wait(IO_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure("respond hangs after its stdout reader went away mid-stream")
        check(rc > 0, "exit status %d, want non-zero (and not a signal)" % rc)
        check(p.stderr.read() == b"", "stderr not quiet")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        for f in (p.stdin, p.stderr):
            try:
                f.close()
            except BrokenPipeError:
                pass


CASES = {
    "smtplib": case_smtplib,
    "concurrent": case_concurrent,
    "pipelining": case_pipelining,
    "idle_timeout": case_idle_timeout,
    "max_conn": case_max_conn,
    "sigterm": case_sigterm,
    "sigint": case_sigint,
    "backpressure": case_backpressure,
    "accept_emfile": case_accept_emfile,
    "curl": case_curl,
    "swaks": case_swaks,
    "swaks_variants": case_swaks_variants,
    "respond_long_line": case_respond_long_line,
    "respond_epipe": case_respond_epipe,
}


def on_alarm(signo, frame):
    """The whole case ran too long: fail (the finally blocks still stop the server)."""
    raise Failure("case did not finish within %d s" % CASE_TIMEOUT)


def main():
    """Run one case; exit 0 when it passed, 1 with the reason when not."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smtpfuzz", required=True, help="path of the smtpfuzz program")
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(CASE_TIMEOUT)
    try:
        CASES[args.case](args.smtpfuzz)
    except Failure as e:
        print("FAIL %s: %s" % (args.case, e))
        return 1
    finally:
        signal.alarm(0)
    print("PASS %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
