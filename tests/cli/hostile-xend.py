#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hostile-xend.py: a xend that answers with bytes a real one should not
send, for tests/cli/hostile.sh. Not the emulator: it only plays back the
replies below, as xend's HTTP server frames them, and logs each request.

    hostile-xend.py PORTFILE LOGFILE MODE
MODE: "bytes" (control bytes, escapes, invalid UTF-8 in node and
domain text; GET /xend/domain/web01 answers evil02), "memory"
(free_memory above total_memory), "header" (a 1 MiB header line).
"""
import http.server
import sys

PORTFILE, LOGFILE, MODE = sys.argv[1:4]


def q(b):
    return b"'" + b.replace(b"\\", b"\\\\").replace(b"'", b"\\'") + b"'"


def node(free=3000, total=4096):
    f = [(b"system", b"Linux"), (b"host", b"hx\x1b]0;owned\x07"),
         (b"release", b"3.2\x1b[2J\r\nfake: line"),
         (b"version", b"#1 SMP"), (b"machine", b"x86_64"),
         (b"nr_cpus", b"4"), (b"total_memory", str(total).encode()),
         (b"free_memory", str(free).encode()),
         (b"xen_major", b"4"), (b"xen_minor", b"4"),
         (b"xen_extra", b".0\xed\xa0\x80\x01"),
         (b"xen_caps", b"xen-3.0-x86_64 \x0b\x1b[31m"),
         (b"xend_config_format", b"4")]
    return b"(node " + b" ".join(b"(" + k + b" " + q(v) + b")"
                                 for k, v in f) + b")"


def domain(domid, name, uuid):
    return (b"(domain (domid " + str(domid).encode() + b") (uuid " + uuid +
            b") (name " + q(name) + b") (memory 256) (maxmem 256) "
            b"(vcpus 1) (status 2) (state -b----))")


LIST = [domain(0, b"Domain-0", b"00000000-0000-0000-0000-000000000000"),
        domain(3, b"web01\nforged   99  1 1 r----- pv", b"11111111-2222-3333-4444-555555555501"),
        domain(4, b"\xc3\xb1ame", b"11111111-2222-3333-4444-555555555502"),
        domain(5, b"name", b"11111111-2222-3333-4444-555555555503"),
        domain(6, b"evil\x1b[2J\xff", b"11111111-2222-3333-4444-555555555504")]
EVIL = domain(7, b"evil02", b"11111111-2222-3333-4444-555555555507")


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/sxp")
        if MODE == "header":
            self.send_header("X-Big", "x" * (1 << 20))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(LOGFILE, "a") as f:
            f.write("GET %s\n" % self.path)
        p = self.path.split("?")[0]
        if p == "/xend/node":
            self.reply(node(5000, 4096) if MODE == "memory" else node())
        elif p == "/xend/domain":
            self.reply(b"(" + b" ".join(LIST) + b")")
        elif p.startswith("/xend/domain/"):
            self.reply(EVIL)
        else:
            self.send_error(404)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(LOGFILE, "a") as f:
            f.write("POST %s %s\n" % (self.path, body.decode("latin-1")))
        self.reply(b"(xend.err 'refused by the test')")


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os  # noqa: E402
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
