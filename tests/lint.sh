#!/bin/sh
# lint.sh: the house rules a compiler does not check.
#  - banned unsafe string and number functions
#  - no tabs, no trailing blanks, at most 80 columns in C sources
#  - no direct malloc/free in the library (use xm_* wrappers)
set -u
cd "$(dirname "$0")/.."
status=0
files=$(ls lib/*.[ch] xend-client/*.[ch] capabilities/*.[ch] \
        xenmig/*.[ch] include/*.h tests/*.c tests/support/*.[ch] \
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
lib=$(ls lib/*.c xend-client/*.c capabilities/*.c 2>/dev/null | grep -v '^lib/alloc\.c$')
if grep -nE '(^|[^_a-z])(malloc|calloc|realloc|strdup|strndup|free)[[:space:]]*\(' $lib | grep -vE "xmlFree|curl_free|json_object|libxenstore"; then
    echo "lint: direct allocation in the library (use xm_malloc/xm_free...)" >&2
    status=1
fi
[ $status -eq 0 ] && echo "lint: ok"
exit $status
