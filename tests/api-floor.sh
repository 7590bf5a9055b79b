#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# api-floor.sh: the platform floor, from tests/api-floor.tsv (run by
# tests/lint.sh). In the library and the tool, outside comments and
# strings and preprocessor lines:
#  - every name of libcurl, libxml2, json-c or libxenstore (curl_*,
#    CURL*, xml[A-Z]*, XML_*, json_*, JSON_C_*, xs_*, XS_*, XBT_*) is a
#    row of the table;
#  - a table symbol newer than its library's floor is used only inside
#    an #if/#ifdef on a version or feature macro (XM_HAVE_*, XM_XS_H,
#    LIBCURL_VERSION_NUM, LIBXML_VERSION, JSON_C_VERSION_NUM,
#    __GLIBC_PREREQ, or the symbol itself) that has an #else or #elif:
#    the fallback.
set -u
cd "$(dirname "$0")/.."
table=tests/api-floor.tsv
[ -r "$table" ] || { echo "api-floor: no $table" >&2; exit 1; }
files=$(ls lib/*.[ch] xend-client/*.[ch] capabilities/*.[ch] \
        migration/*.[ch] xenmig/*.[ch] include/*.h 2>/dev/null)
status=0
for f in $files; do
awk -F'\t' -v table="$table" '
function vcmp(a, b,    x, y, n, m, i, p, q) {
    n = split(a, x, "."); m = split(b, y, ".")
    for (i = 1; i <= (n > m ? n : m); i++) {
        p = (i <= n) ? x[i] + 0 : 0; q = (i <= m) ? y[i] + 0 : 0
        if (p != q) return p < q ? -1 : 1
    }
    return 0
}
BEGIN {
    while ((getline line < table) > 0) {
        if (line ~ /^#/ || line == "") continue
        split(line, f, "\t")
        if (f[1] == "floor") { floor[f[2]] = f[3]; continue }
        if (f[1] == "own") { own[f[2]] = 1; continue }
        lib[f[1]] = f[2]; since[f[1]] = f[3]
    }
    close(table)
    for (s in lib) {
        if (!(lib[s] in floor)) {
            printf "%s: %s: no floor row for %s\n", table, s, lib[s]
            bad = 1
        } else if (vcmp(since[s], floor[lib[s]]) > 0) {
            newer[s] = 1
        }
        # the kernel and glibc names are a watch list: look for them too
        if (lib[s] == "linux" || lib[s] == "glibc") watch[s] = 1
    }
    libre = "^(curl_[a-z_0-9]+|curl[a-z]+|CURL[A-Za-z_0-9]*|" \
            "xml[A-Z][A-Za-z0-9]*|XML_[A-Z_0-9]+|LIBXML_[A-Z_]+|" \
            "json_[a-z_0-9]+|JSON_C_[A-Z_0-9]+|xs_[a-z_]+|XS_[A-Z_]+|" \
            "XBT_[A-Z]+)$"
}
{ text[NR] = $0 }
# first the #if blocks that have an #else, then the uses
function check(file, n,    i, l, t, d, stack, cond, id, hasel, rest, w,
               j, ok, guardre) {
    d = 0; nif = 0
    for (i = 1; i <= n; i++) {
        t = text[i]
        if (t ~ /^[ \t]*#[ \t]*if/) { nif++; stack[++d] = nif }
        else if (t ~ /^[ \t]*#[ \t]*(else|elif)/) hasel[stack[d]] = 1
        else if (t ~ /^[ \t]*#[ \t]*endif/) d--
    }
    d = 0; nif = 0; incomment = 0
    for (i = 1; i <= n; i++) {
        t = text[i]
        if (t ~ /^[ \t]*#[ \t]*if/) {
            nif++; stack[++d] = nif; cond[nif] = t; continue
        }
        if (t ~ /^[ \t]*#[ \t]*(else|elif)/) {
            if (t ~ /elif/) cond[stack[d]] = cond[stack[d]] " " t
            continue
        }
        if (t ~ /^[ \t]*#[ \t]*endif/) { d--; continue }
        if (t ~ /^[ \t]*#/) continue
        # drop comments (across lines) and string and char literals
        l = ""
        while (t != "") {
            if (incomment) {
                j = index(t, "*/")
                if (!j) { t = ""; break }
                t = substr(t, j + 2); incomment = 0; continue
            }
            j = index(t, "/*")
            if (!j) { l = l t; break }
            l = l substr(t, 1, j - 1) " "; t = substr(t, j + 2)
            incomment = 1
        }
        gsub(/\\./, "", l)
        gsub(/"[^"]*"/, "\"\"", l)
        gsub(/\047[^\047]*\047/, "0", l)
        rest = l
        while (match(rest, /[A-Za-z_][A-Za-z_0-9]*/)) {
            w = substr(rest, RSTART, RLENGTH)
            rest = substr(rest, RSTART + RLENGTH)
            if (w in own) continue
            if (!(w in lib)) {
                if (w ~ libre) {
                    printf "%s:%d: %s is not in %s\n", file, i, w, table
                    bad = 1
                }
                continue
            }
            if (!(w in newer)) continue
            guardre = "XM_HAVE_|XM_XS_H|LIBCURL_VERSION_NUM|" \
                      "LIBXML_VERSION|JSON_C_VERSION_NUM|__GLIBC_PREREQ|" \
                      "[^A-Za-z_0-9]" w "([^A-Za-z_0-9]|$)"
            ok = 0
            for (j = d; j >= 1; j--)
                if (hasel[stack[j]] && cond[stack[j]] ~ guardre) ok = 1
            if (!ok) {
                printf "%s:%d: %s needs %s %s (floor %s) and is not " \
                       "in an #if on a version with an #else\n", file, i,
                       w, lib[w], since[w], floor[lib[w]]
                bad = 1
            }
        }
    }
}
END {
    check(FILENAME, NR)
    exit bad
}
' "$f" || status=1
done
[ "$status" -eq 0 ] && echo "api-floor: ok"
exit "$status"
