#!/usr/bin/env bash
# Entrypoint of the postgres stand-in image: the part of the official image's
# docker-entrypoint.sh this project relies on.
#
#   POSTGRES_PASSWORD  required on first start (unless
#                      POSTGRES_HOST_AUTH_METHOD=trust)
#   POSTGRES_USER      superuser name (default: postgres)
#   POSTGRES_DB        database created on first start (default: the user)
#   each of them also as *_FILE: the value is read from that file (trailing
#   newlines dropped); setting both forms is an error.
#   POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default scram-sha-256)
#   PGDATA             default /var/lib/postgresql/data
#
# First start: initdb, TCP connections from anywhere need the password
# (scram-sha-256), the unix socket inside the container trusts local users,
# listen on '*' port 5432, then run /docker-entrypoint-initdb.d/*.sh|.sql|.sql.gz.
# Finally `exec postgres` as the postgres user, so it is PID 1 and gets the
# stop signal.
set -Eeo pipefail

err() { printf 'docker-entrypoint: error: %s\n' "$*" >&2; }

# file_env VAR [DEFAULT]: VAR from the environment, or from the file named by
# VAR_FILE, or DEFAULT.
file_env() {
	local var="$1" fileVar="${1}_FILE" def="${2:-}"
	if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
		err "both $var and $fileVar are set (but are exclusive)"
		exit 1
	fi
	local val="$def"
	if [ -n "${!var:-}" ]; then
		val="${!var}"
	elif [ -n "${!fileVar:-}" ]; then
		if [ ! -r "${!fileVar}" ]; then
			err "$fileVar=${!fileVar} is not a readable file"
			exit 1
		fi
		val="$(< "${!fileVar}")"
	fi
	export "$var"="$val"
	unset "$fileVar"
}

setup_env() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
	: "${PGDATA:=/var/lib/postgresql/data}"
	export POSTGRES_HOST_AUTH_METHOD PGDATA
	DATABASE_ALREADY_EXISTS=
	if [ -s "$PGDATA/PG_VERSION" ]; then
		DATABASE_ALREADY_EXISTS=true
	fi
}

create_db_directories() {
	local user
	user="$(id -u)"
	mkdir -p "$PGDATA"
	chmod 00700 "$PGDATA" || :
	mkdir -p /var/run/postgresql || :
	chmod 03775 /var/run/postgresql || :
	if [ "$user" = 0 ]; then
		find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
		find /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
	fi
}

# Re-run this script as the postgres user, without a resident parent.
drop_to_postgres() {
	export HOME=/var/lib/postgresql
	if command -v gosu >/dev/null 2>&1; then
		exec gosu postgres "${BASH_SOURCE[0]}" "$@"
	elif command -v setpriv >/dev/null 2>&1; then
		exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
	else
		err "neither gosu nor setpriv is installed: cannot drop to the postgres user"
		exit 1
	fi
}

verify_minimum_env() {
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
		cat >&2 <<-'EOM'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a
			       non-empty value for the superuser. For example,
			       "-e POSTGRES_PASSWORD=password" on "docker run".
		EOM
		exit 1
	fi
	if [ "${#POSTGRES_PASSWORD}" -gt 100 ]; then
		echo 'WARNING: the password will be truncated to 100 characters by initdb' >&2
	fi
}

init_database_dir() {
	# The password travels through a pipe, never through argv.
	# shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a word list
	initdb --username="$POSTGRES_USER" \
		--pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
		--auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" \
		$POSTGRES_INITDB_ARGS
	{
		printf '\n# Added by docker-entrypoint.sh: every host may connect with a password.\n'
		printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
	} >>"$PGDATA/pg_hba.conf"
	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
}

process_sql() {
	local runner=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
	if [ -n "$POSTGRES_DB" ]; then
		runner+=(--dbname "$POSTGRES_DB")
	fi
	PGHOST='' PGHOSTADDR='' "${runner[@]}" "$@"
}

setup_db() {
	local db="$POSTGRES_DB" exists
	exists="$(POSTGRES_DB='' process_sql --dbname postgres --set db="$db" --tuples-only <<-'EOSQL'
		SELECT 1 FROM pg_database WHERE datname = :'db' ;
	EOSQL
	)"
	if [ -z "${exists//[[:space:]]/}" ]; then
		POSTGRES_DB='' process_sql --dbname postgres --set db="$db" <<-'EOSQL'
			CREATE DATABASE :"db" ;
		EOSQL
		printf 'created database %s\n' "$db"
	fi
}

process_init_files() {
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh)
				if [ -x "$f" ]; then
					printf '%s: running %s\n' "$0" "$f"; "$f"
				else
					printf '%s: sourcing %s\n' "$0" "$f"
					# shellcheck disable=SC1090  # init scripts are the user's
					. "$f"
				fi
				;;
			*.sql) printf '%s: running %s\n' "$0" "$f"; process_sql -f "$f" ;;
			*.sql.gz) printf '%s: running %s\n' "$0" "$f"; gunzip -c "$f" | process_sql ;;
			*/\*) ;;  # empty directory
			*) printf '%s: ignoring %s\n' "$0" "$f" ;;
		esac
	done
}

temp_server_start() {
	PGUSER="${PGUSER:-$POSTGRES_USER}" \
		pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -p 5432" start
}

temp_server_stop() {
	PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

main() {
	if [ "${1:0:1}" = '-' ]; then
		set -- postgres "$@"
	fi
	if [ "$1" != postgres ]; then
		exec "$@"
	fi

	setup_env
	create_db_directories
	if [ "$(id -u)" = 0 ]; then
		drop_to_postgres "$@"
	fi

	if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
		verify_minimum_env
		init_database_dir
		export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
		temp_server_start
		setup_db
		process_init_files
		temp_server_stop
		unset PGPASSWORD
		echo 'PostgreSQL init process complete; ready for start up.'
	else
		echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
	fi
	exec "$@"
}

main "$@"
