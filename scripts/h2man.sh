#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# h2man.sh: write libxenmig(3) (roff) to stdout from the doc comments of
# the public header, so the manual and the API cannot drift apart.
#   sh scripts/h2man.sh VERSION include/xenmig.h docs/libxenmig.3.in
# The template's lines are copied, @VERSION@ replaced; its line
# '.\" @HEAD@' becomes the header's head comment (all but its first
# paragraph) and '.\" @API@' the header itself, section by section:
#  - a banner '/* ---- title ---- */' starts a section (.SH TITLE);
#  - an item is a comment block and the declarations right after it
#    (up to a blank line or the next comment on a line of its own):
#    the declarations are shown as written (without XENMIG_API), the
#    comment below them as prose; a comment with no declaration after
#    it is prose on its own;
#  - in prose, @name is an argument (italic), name() a function (bold),
#    '- ' starts a bullet, and a paragraph with columns (three spaces
#    inside a line, or indented lines) is shown as written;
#  - preprocessor lines are left out but for #define XENMIG_*.
# A XENMIG_API function with no comment before it in its item is an
# error: the page is not written and the function is named (exit 1).
# POSIX sh and awk (mawk too): EL6 builds the page without python3.
set -eu
[ $# -eq 3 ] || {
    echo "usage: h2man.sh VERSION HEADER TEMPLATE" >&2; exit 2; }
exec awk -v version="$1" -v header="$2" '
function esc(s) {
    gsub(/\\/, "\\e", s)
    return s
}
function lead(s) {
    if (s ~ /^[.\047]/) s = "\\&" s
    return s
}
# code as written: backslashes escaped, minus signs as \-
function code(s) {
    s = esc(s)
    gsub(/-/, "\\-", s)
    return lead(s)
}
# prose: @arg italic, name() and XENMIG_* bold
function prose(s,    out, m) {
    s = esc(s)
    out = ""
    while (match(s, /@[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*\(\)|XENMIG_[A-Z0-9_]*[A-Z0-9]\*?/)) {
        m = substr(s, RSTART, RLENGTH)
        out = out substr(s, 1, RSTART - 1)
        if (m ~ /^@/)
            out = out "\\fI" substr(m, 2) "\\fP"
        else if (m ~ /\(\)$/)
            out = out "\\fB" substr(m, 1, length(m) - 2) "\\fP()"
        else
            out = out "\\fB" m "\\fP"
        s = substr(s, RSTART + RLENGTH)
    }
    return lead(out s)
}
function title(s,    i, c, d, out) {
    out = ""; d = 0
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "(") d++
        if (c == ")") d--
        out = out (d ? c : toupper(c))
    }
    gsub(/-/, "\\-", out)
    gsub(/"/, "", out)
    return out
}
function emit(s) { page[++npage] = s }

# ---- prose: the comment lines of one item -------------------------------
function flush_para(    i, cols, bullets, t) {
    if (!np) return
    cols = 0; bullets = 0
    for (i = 1; i <= np; i++) {
        if (para[i] ~ /^ *- /) bullets = 1
        else if (para[i] ~ /[^ ]   +[^ ]/ || (!bullets && para[i] ~ /^  /))
            cols = 1
    }
    if (cols && !bullets) {
        emit(".PP"); emit(".nf")
        for (i = 1; i <= np; i++) emit(prose(para[i]))
        emit(".fi")
    } else {
        emit(".PP")
        for (i = 1; i <= np; i++) {
            t = para[i]
            if (t ~ /^ *- /) {
                sub(/^ *- /, "", t)
                emit(".IP \\(bu 2")
            } else {
                sub(/^ +/, "", t)
            }
            emit(prose(t))
        }
    }
    np = 0
}
function render_doc(    i, t) {
    np = 0
    for (i = 1; i <= ndoc; i++) {
        t = doc[i]
        if (t ~ /^[ \t]*$/) { flush_para(); continue }
        para[++np] = t
    }
    flush_para()
}

# ---- items ----------------------------------------------------------------
function flush_item(    i, t, indent, strip, text, rest, name, p) {
    if (!ncode && !ndoc) return
    if (ncode) {
        text = ""
        for (i = 1; i <= ncode; i++) text = text " " codel[i]
        rest = text
        while ((p = index(rest, "XENMIG_API")) > 0) {
            rest = substr(rest, p + 10)
            t = rest
            sub(/\(.*/, "", t)
            sub(/[ \t*]+$/, "", t)
            name = t
            sub(/.*[ *]/, "", name)
            if (!ndoc) {
                printf "h2man: %s:%d: %s has no doc comment\n", header,
                    codeline[1], name > "/dev/stderr"
                bad++
            }
        }
        emit(".PP"); emit(".EX")
        strip = 0
        for (i = 1; i <= ncode; i++) {
            t = codel[i]
            if (t ~ /^XENMIG_API /) {
                sub(/^XENMIG_API /, "", t); strip = 1
            } else if (strip) {
                if (t ~ /^           /) t = substr(t, 12)
            }
            if (codel[i] ~ /;[ \t]*(\/\*.*)?$/) strip = 0
            emit(code(t))
        }
        emit(".EE")
        if (ndoc) { emit(".RS 4"); render_doc(); emit(".RE") }
    } else {
        render_doc()
    }
    ncode = 0; ndoc = 0
}
# the text of a comment line, without /*, */ and the leading " * "
function comment_text(s) {
    sub(/^[ \t]*\/\*+ ?/, "", s)
    sub(/[ \t]*\*\/[ \t]*$/, "", s)
    if (s ~ /^[ \t]*\*( |$)/) sub(/^[ \t]*\* ?/, "", s)
    return s
}

BEGIN { state = "start" }

FILENAME == header {
    line = $0
    if (state == "start") {                   # SPDX line, head comment
        if (line ~ /^\/\*/ && line !~ /SPDX/) state = "head"
        if (state != "head") next
    }
    if (state == "head") {
        t = comment_text(line)
        if (line !~ /^\/\*[ \t]*$/) head[++nhead] = t
        if (line ~ /\*\//) state = "body"
        next
    }
    if (skipcpp) { if (line ~ /^#[ \t]*endif/) skipcpp = 0; next }
    if (line ~ /^#[ \t]*ifdef[ \t]+__cplusplus/) { skipcpp = 1; next }
    if (incomment) {                          # a comment of its own
        t = comment_text(line)
        doc[++ndoc] = t
        if (line ~ /\*\//) incomment = 0
        next
    }
    if (indefine) {
        codel[++ncode] = line; codeline[ncode] = NR
        indefine = line ~ /\\$/
        next
    }
    if (line ~ /^#/) {
        if (line ~ /^#[ \t]*define[ \t]+XENMIG_/ &&
            line !~ /define[ \t]+XENMIG_(H|API)([ \t]|$)/) {
            codel[++ncode] = line; codeline[ncode] = NR
            indefine = line ~ /\\$/
        }
        next
    }
    if (line ~ /^[ \t]*$/) {
        if (depth == 0) flush_item()
        else { codel[++ncode] = line; codeline[ncode] = NR }
        next
    }
    if (depth == 0 && line ~ /^\/\* ?-+ .* -+ ?\*\/$/) {   # a banner
        flush_item()
        t = line
        sub(/^\/\* ?-+ /, "", t); sub(/ -+ ?\*\/$/, "", t)
        emit(".SH \"" title(t) "\"")
        next
    }
    if (depth == 0 && line ~ /^[ \t]*\/\*/) {  # a comment of its own
        if (ncode) flush_item()
        t = comment_text(line)
        doc[++ndoc] = t
        incomment = line !~ /\*\//
        next
    }
    codel[++ncode] = line; codeline[ncode] = NR
    t = line
    sub(/\/\*.*/, "", t)
    depth += gsub(/\{/, "{", t) - gsub(/\}/, "}", t)
    next
}

# ---- the template ------------------------------------------------------------
FNR == 1 && !done_header {
    flush_item(); done_header = 1
    if (bad) exit 1
}
{
    line = $0
    gsub(/@VERSION@/, version, line)
    if (line == ".\\\" @HEAD@") {
        # the head comment but its first paragraph (the NAME line)
        ndoc = 0; past = 0
        for (i = 1; i <= nhead; i++) {
            if (!past) { if (head[i] ~ /^[ \t]*$/) past = 1; continue }
            doc[++ndoc] = head[i]
        }
        npage_before = npage
        render_doc()
        for (i = npage_before + 1; i <= npage; i++) print page[i]
        npage = npage_before
        ndoc = 0
        next
    }
    if (line == ".\\\" @API@") {
        for (i = 1; i <= npage; i++) print page[i]
        next
    }
    print line
}
END { if (bad) exit 1 }
' "$2" "$3"
