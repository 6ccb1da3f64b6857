# bash completion for apipodctl. Generated from its command table; do not edit.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/apipodctl
_apipodctl() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local cmd_path=root i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "$cmd_path/${COMP_WORDS[i]}" in
            root/serve) cmd_path=serve ;;
            root/keys) cmd_path=keys ;;
            root/tiers) cmd_path=tiers ;;
            root/usage) cmd_path=usage ;;
            root/route) cmd_path=route ;;
            root/db) cmd_path=db ;;
            root/help) cmd_path=help ;;
            keys/create) cmd_path=keys/create ;;
            keys/list) cmd_path=keys/list ;;
            keys/limit) cmd_path=keys/limit ;;
            keys/disable) cmd_path=keys/disable ;;
            keys/enable) cmd_path=keys/enable ;;
            tiers/set) cmd_path=tiers/set ;;
            tiers/list) cmd_path=tiers/list ;;
            route/simulate) cmd_path=route/simulate ;;
            route/check) cmd_path=route/check ;;
            db/migrate) cmd_path=db/migrate ;;
        esac
    done
    case "$cmd_path $prev" in
        "serve --host") COMPREPLY=(); return ;;
        "serve --port") COMPREPLY=(); return ;;
        "serve --upstream") COMPREPLY=(); return ;;
        "serve --upstream-key") COMPREPLY=(); return ;;
        "serve --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "serve --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "serve --routes") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/create --name") COMPREPLY=(); return ;;
        "keys/create --tier") COMPREPLY=(); return ;;
        "keys/create --expires-in") COMPREPLY=(); return ;;
        "keys/create --rpm") COMPREPLY=(); return ;;
        "keys/create --concurrency") COMPREPLY=(); return ;;
        "keys/create --daily-tokens") COMPREPLY=(); return ;;
        "keys/create --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/create --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/list --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/list --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/limit --rpm") COMPREPLY=(); return ;;
        "keys/limit --concurrency") COMPREPLY=(); return ;;
        "keys/limit --daily-tokens") COMPREPLY=(); return ;;
        "keys/limit --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/limit --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/disable --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/disable --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/enable --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "keys/enable --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "tiers/set --rpm") COMPREPLY=(); return ;;
        "tiers/set --concurrency") COMPREPLY=(); return ;;
        "tiers/set --daily-tokens") COMPREPLY=(); return ;;
        "tiers/set --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "tiers/set --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "tiers/list --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "tiers/list --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "usage --key") COMPREPLY=(); return ;;
        "usage --model") COMPREPLY=(); return ;;
        "usage --since") COMPREPLY=(); return ;;
        "usage --until") COMPREPLY=(); return ;;
        "usage --by") COMPREPLY=(); return ;;
        "usage --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "usage --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "route/simulate --model") COMPREPLY=(); return ;;
        "route/simulate --count"|"route/simulate -n") COMPREPLY=(); return ;;
        "route/simulate --sessions") COMPREPLY=(); return ;;
        "route/simulate --session") COMPREPLY=(); return ;;
        "route/simulate --seed") COMPREPLY=(); return ;;
        "route/simulate --routes") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "route/simulate --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "route/check --routes") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "route/check --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "db/migrate --db") COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "db/migrate --env-file") COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    local words
    case "$cmd_path" in
        root) words="serve keys tiers usage route db help --version --help -h" ;;
        serve) words="--host --port --upstream --upstream-key --db --env-file --routes --help -h" ;;
        keys) words="create list limit disable enable --help -h" ;;
        keys/create) words="--name --tier --expires-in --rpm --concurrency --daily-tokens --json --db --env-file --help -h" ;;
        keys/list) words="--all -a --json --db --env-file --help -h" ;;
        keys/limit) words="--rpm --concurrency --daily-tokens --db --env-file --help -h" ;;
        keys/disable) words="--db --env-file --help -h" ;;
        keys/enable) words="--db --env-file --help -h" ;;
        tiers) words="set list --help -h" ;;
        tiers/set) words="--rpm --concurrency --daily-tokens --db --env-file --help -h" ;;
        tiers/list) words="--json --db --env-file --help -h" ;;
        usage) words="--key --model --since --until --by --json --db --env-file --help -h" ;;
        route) words="simulate check --help -h" ;;
        route/simulate) words="--model --count -n --sessions --session --seed --routes --json --env-file --help -h" ;;
        route/check) words="--routes --env-file --help -h" ;;
        db) words="migrate --help -h" ;;
        db/migrate) words="--db --env-file --help -h" ;;
        help) words="serve keys tiers usage route db help --help -h" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _apipodctl apipodctl
