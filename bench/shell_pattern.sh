#!/bin/bash
# What the official database images do, written out for comparison: for each
# KEY named on the command line, take $KEY or the file named by $KEY_FILE,
# write KEY='value' to the .env given first, then drop to nobody with gosu
# and exec the command after "--".
set -eu
env_file="$1"; shift
keys=()
while [ "$1" != "--" ]; do keys+=("$1"); shift; done
shift

umask 077
: > "$env_file"
for var in "${keys[@]}"; do
    file_var="${var}_FILE"
    if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
        echo "both $var and $file_var are set" >&2
        exit 1
    fi
    value="${!var:-}"
    if [ -n "${!file_var:-}" ]; then
        value="$(< "${!file_var}")"
    fi
    printf "%s='%s'\n" "$var" "${value//\'/\'\\\'\'}" >> "$env_file"
    unset "$file_var"
done
chown nobody:nogroup "$env_file"
exec gosu nobody "$@"
