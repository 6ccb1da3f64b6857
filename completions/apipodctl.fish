# fish completion for apipodctl. Generated from its command table; do not edit.
# Install: copy to ~/.config/fish/completions/apipodctl.fish
function __apipodctl_at
    set -l cmd_path root
    for word in (commandline -opc)[2..-1]
        switch "$cmd_path/$word"
            case root/serve
                set cmd_path serve
            case root/keys
                set cmd_path keys
            case root/tiers
                set cmd_path tiers
            case root/usage
                set cmd_path usage
            case root/route
                set cmd_path route
            case root/db
                set cmd_path db
            case root/help
                set cmd_path help
            case keys/create
                set cmd_path keys/create
            case keys/list
                set cmd_path keys/list
            case keys/limit
                set cmd_path keys/limit
            case keys/disable
                set cmd_path keys/disable
            case keys/enable
                set cmd_path keys/enable
            case tiers/set
                set cmd_path tiers/set
            case tiers/list
                set cmd_path tiers/list
            case route/simulate
                set cmd_path route/simulate
            case route/check
                set cmd_path route/check
            case db/migrate
                set cmd_path db/migrate
        end
    end
    test "$cmd_path" = "$argv[1]"
end
complete -c apipodctl -f
complete -c apipodctl -n '__apipodctl_at root' -a serve -d 'Run the proxy server.'
complete -c apipodctl -n '__apipodctl_at root' -a keys -d 'Create, list, limit, disable and enable client API keys.'
complete -c apipodctl -n '__apipodctl_at root' -a tiers -d 'Set and list the default limits of each tier.'
complete -c apipodctl -n '__apipodctl_at root' -a usage -d 'Show tokens, requests, errors and cost by day, hour, model or key.'
complete -c apipodctl -n '__apipodctl_at root' -a route -d 'Check the routing rules offline.'
complete -c apipodctl -n '__apipodctl_at root' -a db -d 'Maintain the key database.'
complete -c apipodctl -n '__apipodctl_at root' -a help -d 'Show help for a command.'
complete -c apipodctl -n '__apipodctl_at root' -l version -d 'Show the version.'
complete -c apipodctl -n '__apipodctl_at root' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at serve' -l host -r -d 'Address to listen on (HOST; default 0.0.0.0).'
complete -c apipodctl -n '__apipodctl_at serve' -l port -r -d 'Port to listen on (PORT; default 8081).'
complete -c apipodctl -n '__apipodctl_at serve' -l upstream -r -d 'Upstream base URL (ANTIGRAVITY_URL; default http://127.0.0.1:8080).'
complete -c apipodctl -n '__apipodctl_at serve' -l upstream-key -r -d 'Key sent upstream as x-api-key (ANTIGRAVITY_KEY; prefer the environment).'
complete -c apipodctl -n '__apipodctl_at serve' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at serve' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at serve' -l routes -r -F -d 'JSON routes file: providers, models and aliases (ROUTES_FILE).'
complete -c apipodctl -n '__apipodctl_at serve' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at keys' -a create -d 'Create a key and print it once.'
complete -c apipodctl -n '__apipodctl_at keys' -a list -d 'List keys without revealing them.'
complete -c apipodctl -n '__apipodctl_at keys' -a limit -d 'Set or clear a key'\''s own limits.'
complete -c apipodctl -n '__apipodctl_at keys' -a disable -d 'Disable a key; requests with it get 403.'
complete -c apipodctl -n '__apipodctl_at keys' -a enable -d 'Enable a disabled key again.'
complete -c apipodctl -n '__apipodctl_at keys' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at keys/create' -l name -r -d 'Who or what the key is for.'
complete -c apipodctl -n '__apipodctl_at keys/create' -l tier -r -d 'A label passed on to logs (default elite).'
complete -c apipodctl -n '__apipodctl_at keys/create' -l expires-in -r -d 'Lifetime: days (30, 1.5) or 30d, 12h, 15m, 45s. Default: never expires.'
complete -c apipodctl -n '__apipodctl_at keys/create' -l rpm -r -d 'Requests per minute: all N at once, then one every 60/N s.'
complete -c apipodctl -n '__apipodctl_at keys/create' -l concurrency -r -d 'Requests in progress at once.'
complete -c apipodctl -n '__apipodctl_at keys/create' -l daily-tokens -r -d 'Input plus output tokens per UTC day.'
complete -c apipodctl -n '__apipodctl_at keys/create' -l json -d 'Print JSON for scripts.'
complete -c apipodctl -n '__apipodctl_at keys/create' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at keys/create' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at keys/create' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at keys/list' -l all -s a -d 'Include disabled and expired keys.'
complete -c apipodctl -n '__apipodctl_at keys/list' -l json -d 'Print JSON for scripts.'
complete -c apipodctl -n '__apipodctl_at keys/list' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at keys/list' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at keys/list' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at keys/limit' -l rpm -r -d 'Requests per minute: all N at once, then one every 60/N s; none clears it.'
complete -c apipodctl -n '__apipodctl_at keys/limit' -l concurrency -r -d 'Requests in progress at once; none clears it.'
complete -c apipodctl -n '__apipodctl_at keys/limit' -l daily-tokens -r -d 'Input plus output tokens per UTC day; none clears it.'
complete -c apipodctl -n '__apipodctl_at keys/limit' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at keys/limit' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at keys/limit' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at keys/disable' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at keys/disable' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at keys/disable' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at keys/enable' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at keys/enable' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at keys/enable' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at tiers' -a set -d 'Set or clear a tier'\''s limits.'
complete -c apipodctl -n '__apipodctl_at tiers' -a list -d 'List the tiers, their keys and limits.'
complete -c apipodctl -n '__apipodctl_at tiers' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at tiers/set' -l rpm -r -d 'Requests per minute: all N at once, then one every 60/N s; none clears it.'
complete -c apipodctl -n '__apipodctl_at tiers/set' -l concurrency -r -d 'Requests in progress at once; none clears it.'
complete -c apipodctl -n '__apipodctl_at tiers/set' -l daily-tokens -r -d 'Input plus output tokens per UTC day; none clears it.'
complete -c apipodctl -n '__apipodctl_at tiers/set' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at tiers/set' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at tiers/set' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at tiers/list' -l json -d 'Print JSON for scripts.'
complete -c apipodctl -n '__apipodctl_at tiers/list' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at tiers/list' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at tiers/list' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at usage' -l key -r -d 'Only this key: its id, or its prefix as keys list shows it.'
complete -c apipodctl -n '__apipodctl_at usage' -l model -r -d 'Only this model (the one that answered).'
complete -c apipodctl -n '__apipodctl_at usage' -l since -r -d 'Start: 7d, 24h, 30m back from now, a date (2026-12-01) or an RFC 3339 time (default 7d).'
complete -c apipodctl -n '__apipodctl_at usage' -l until -r -d 'End, excluded, in the same forms (default now).'
complete -c apipodctl -n '__apipodctl_at usage' -l by -r -d 'day (default), hour, model or key, or two of them: day,model.'
complete -c apipodctl -n '__apipodctl_at usage' -l json -d 'Print JSON for scripts.'
complete -c apipodctl -n '__apipodctl_at usage' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at usage' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at usage' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at route' -a simulate -d 'Draw routing decisions and compare the split with the weights.'
complete -c apipodctl -n '__apipodctl_at route' -a check -d 'Validate the routes file without starting the server.'
complete -c apipodctl -n '__apipodctl_at route' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l model -r -d 'Requested model (default cursor-pro-sonnet).'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l count -s n -r -d 'Number of draws (default 10000).'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l sessions -r -d 'Draw this many random session ids instead, each routed by its ranking.'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l session -r -d 'Print this session id'\''s ranking of the targets, best first.'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l seed -r -d 'Seed for repeatable draws (default: random, printed).'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l routes -r -F -d 'JSON routes file: providers, models and aliases (ROUTES_FILE).'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l json -d 'Print JSON for scripts.'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at route/simulate' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at route/check' -l routes -r -F -d 'JSON routes file: providers, models and aliases (ROUTES_FILE).'
complete -c apipodctl -n '__apipodctl_at route/check' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at route/check' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at db' -a migrate -d 'Create or upgrade the database schema.'
complete -c apipodctl -n '__apipodctl_at db' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at db/migrate' -l db -r -F -d 'SQLite key database (DATABASE_PATH; default ./data/proxy.db).'
complete -c apipodctl -n '__apipodctl_at db/migrate' -l env-file -r -F -d 'Read settings from this file instead of ./.env.'
complete -c apipodctl -n '__apipodctl_at db/migrate' -l help -s h -d 'Show help for this command.'
complete -c apipodctl -n '__apipodctl_at help' -a serve -d 'Run the proxy server.'
complete -c apipodctl -n '__apipodctl_at help' -a keys -d 'Create, list, limit, disable and enable client API keys.'
complete -c apipodctl -n '__apipodctl_at help' -a tiers -d 'Set and list the default limits of each tier.'
complete -c apipodctl -n '__apipodctl_at help' -a usage -d 'Show tokens, requests, errors and cost by day, hour, model or key.'
complete -c apipodctl -n '__apipodctl_at help' -a route -d 'Check the routing rules offline.'
complete -c apipodctl -n '__apipodctl_at help' -a db -d 'Maintain the key database.'
complete -c apipodctl -n '__apipodctl_at help' -a help -d 'Show help for a command.'
complete -c apipodctl -n '__apipodctl_at help' -l help -s h -d 'Show help for this command.'
