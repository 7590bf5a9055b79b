#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lint.sh: the house rules a compiler does not check.
#  - banned unsafe string and number functions
#  - no tabs, no trailing blanks, at most 80 columns in C sources
#  - no direct malloc/free in the library (use xm_* wrappers)
#  - includes name their folder and point only down the layers:
#    lib (base) < xend-client (host) < capabilities < migration; the
#    tool (xenmig/) includes the public header and its own files only
#  - the platform floor (docs/PLATFORMS.md): C that gcc 4.4 compiles,
#    and the library calls of tests/api-floor.tsv (tests/api-floor.sh)
set -u
cd "$(dirname "$0")/.."
status=0
layers="lib xend-client capabilities migration"
files=$(ls lib/*.[ch] xend-client/*.[ch] capabilities/*.[ch] \
        migration/*.[ch] xenmig/*.[ch] include/*.h tests/*.c tests/support/*.[ch] \
        bench/*.c fuzz/*.[ch] 2>/dev/null)
banned='\<(sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|gets|atoi|atol|atoll|scanf|sscanf|fscanf|vscanf|vsscanf|vfscanf)[[:space:]]*\('
if grep -nE "$banned" $files; then
    echo "lint: banned function (see STYLE: use xm_snprintf, xm_strlcpy, xm_buf, xm_parse_*)" >&2
    status=1
fi
if grep -nP '\t' $files; then
    echo "lint: tab characters" >&2
    status=1
fi
if grep -nE '[[:space:]]+$' $files; then
    echo "lint: trailing whitespace" >&2
    status=1
fi
if awk 'length($0) > 80 { printf "%s:%d: %d columns\n", FILENAME, FNR, length($0); bad = 1 } END { exit bad }' $files; then
    :
else
    echo "lint: lines over 80 columns" >&2
    status=1
fi
lib=$(ls lib/*.c xend-client/*.c capabilities/*.c migration/*.c 2>/dev/null | grep -v '^lib/alloc\.c$')
if grep -nE '(^|[^_a-z])(malloc|calloc|realloc|strdup|strndup|free)[[:space:]]*\(' $lib | grep -vE "xmlFree|curl_free|json_object|libxenstore"; then
    echo "lint: direct allocation in the library (use xm_malloc/xm_free...)" >&2
    status=1
fi
# rank FOLDER: its place in the layers (0 = base), or nothing
rank() {
    _i=0
    for _l in $layers; do
        [ "$_l" = "$1" ] && { echo $_i; return; }
        _i=$((_i + 1))
    done
}
for f in $(ls $(for l in $layers; do echo "$l/*.[ch]"; done) \
        xenmig/*.[ch] 2>/dev/null); do
    dir=${f%%/*}
    mine=$(rank "$dir")
    for inc in $(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' "$f"); do
        if [ "$dir" = xenmig ]; then
            case $inc in
            xenmig.h|help.h) continue ;;
            */*) ;;
            *) [ -e "xenmig/$inc" ] && continue ;;
            esac
            echo "$f: includes \"$inc\": the tool sees include/xenmig.h and its own files only" >&2
            status=1
            continue
        fi
        [ "$inc" = xenmig.h ] && continue
        theirs=$(rank "${inc%%/*}")
        case $inc in
        */*) ;;
        *) theirs="" ;;
        esac
        if [ -z "$theirs" ]; then
            echo "$f: includes \"$inc\": name its folder (one of: $layers)" >&2
            status=1
        elif [ "$theirs" -gt "$mine" ]; then
            echo "$f: includes \"$inc\": an upward include ($dir is below ${inc%%/*})" >&2
            status=1
        fi
    done
done
# gcc 4.4 (EL6) has none of these: __atomic_* came in 4.7, the C11
# keywords and the overflow builtins in 4.6 to 5, __has_* in 5 and 10
late='(__atomic_[a-z_]+|_Static_assert|_Generic|_Thread_local|_Noreturn|_Alignof|_Alignas|__auto_type|__has_(attribute|include|builtin)|__builtin_[a-z]+_overflow)|<stdatomic\.h>|<threads\.h>'
if grep -nE "$late" $files; then
    echo "lint: a construct gcc 4.4 lacks (docs/PLATFORMS.md)" >&2
    status=1
fi
sh tests/api-floor.sh || status=1
[ $status -eq 0 ] && echo "lint: ok"
exit $status
