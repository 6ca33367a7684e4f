#!/bin/sh
# tools/embed.sh SYMBOL FILE - emit a C file defining `const char SYMBOL[]`
# with FILE's contents.
set -u
echo "/* generated from $2 by tools/embed.sh - do not edit */"
printf 'const char %s[] =\n' "$1"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$2"
echo ";"
