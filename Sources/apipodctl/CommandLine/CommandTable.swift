import ApipodKit

/// The command line of apipodctl, in full. Edit here; then regenerate `man/` and
/// `completions/` (see the README), which a test keeps equal to this table.
enum CommandTable {
    static let version = BuildInfo.version

    static let root = CommandSpec(
        name: "apipodctl",
        abstract: "Streaming LLM API proxy with smart model routing, and its admin tool.",
        discussion: """
            'apipodctl serve' sits between OpenAI- and Anthropic-SDK clients and an upstream LLM \
            proxy: it checks each client's apk_ key, routes alias models such as cursor-pro-sonnet \
            (20 % claude-sonnet-4-5, 80 % gemini-3-flash), swaps the client's credentials for the \
            upstream key and streams the answer back. The other commands manage keys, check the \
            routing split offline and maintain the database. Every command reads the same \
            configuration: flags, then environment variables, then ./.env, then defaults.
            """,
        options: [OptionSpec(long: "version", help: "Show the version.")],
        subcommands: [serve, keys, tiers, usage, route, db, help],
        examples: [
            Example(command: "apipodctl keys create --name alice", explanation: "Make a key for alice; it is printed once."),
            Example(command: "apipodctl serve --port 8081", explanation: "Run the proxy."),
        ]
    )

    static let databaseOption = OptionSpec(
        long: "db", value: ValueSpec(placeholder: "PATH", completion: .file),
        help: "SQLite key database (DATABASE_PATH; default ./data/proxy.db).", setting: .databasePath)
    static let envFileOption = OptionSpec(
        long: "env-file", value: ValueSpec(placeholder: "PATH", completion: .file),
        help: "Read settings from this file instead of ./.env.")
    static let routesOption = OptionSpec(
        long: "routes", value: ValueSpec(placeholder: "PATH", completion: .file),
        help: "JSON routes file: providers, models and aliases (ROUTES_FILE).", setting: .routesPath)
    static let jsonOption = OptionSpec(long: "json", help: "Print JSON for scripts.")

    static let serve = CommandSpec(
        name: "serve",
        abstract: "Run the proxy server.",
        discussion: """
            Listens for OpenAI and Anthropic API requests, authenticates apk_ keys, applies the \
            routing rules and forwards to the upstream, streaming responses as they arrive. \
            Works with no configuration at all; the admin HTTP routes are on only when \
            ADMIN_SECRET (16 characters or more) is set. Stops gracefully on SIGTERM or SIGINT.
            """,
        options: [
            OptionSpec(long: "host", value: ValueSpec(placeholder: "ADDR"), help: "Address to listen on (HOST; default 0.0.0.0).", setting: .host),
            OptionSpec(long: "port", value: ValueSpec(placeholder: "N"), help: "Port to listen on (PORT; default 8081).", setting: .port),
            OptionSpec(long: "upstream", value: ValueSpec(placeholder: "URL"), help: "Upstream base URL (ANTIGRAVITY_URL; default http://127.0.0.1:8080).", setting: .upstreamURL),
            OptionSpec(long: "upstream-key", value: ValueSpec(placeholder: "KEY"), help: "Key sent upstream as x-api-key (ANTIGRAVITY_KEY; prefer the environment).", setting: .upstreamKey),
            databaseOption, envFileOption, routesOption,
        ],
        examples: [
            Example(command: "apipodctl serve", explanation: "Listen on 0.0.0.0:8081, forward to http://127.0.0.1:8080."),
            Example(command: "ANTIGRAVITY_KEY=... apipodctl serve --port 9000 --upstream https://llm.example", explanation: "Another port and an HTTPS upstream."),
        ]
    )

    static let keys = CommandSpec(
        name: "keys",
        abstract: "Create, list, limit, disable and enable client API keys.",
        discussion: """
            Keys are stored as SHA-256 digests with a short display prefix, never in plaintext, \
            so a key is shown only when it is created. Changes take effect in a running server \
            within a second. Of the keys commands only create makes a missing database; list, \
            limit, disable and enable exit 74 instead, naming the path, and create nothing.
            """,
        subcommands: [
            CommandSpec(
                name: "create",
                abstract: "Create a key and print it once.",
                discussion: """
                    Prints the key alone on the first line of standard output and a summary on \
                    standard error, or one JSON object with --json.
                    """,
                options: [
                    OptionSpec(long: "name", value: ValueSpec(placeholder: "NAME"), help: "Who or what the key is for.", isRequired: true),
                    OptionSpec(long: "tier", value: ValueSpec(placeholder: "TIER"), help: "A label passed on to logs (default elite)."),
                    OptionSpec(long: "expires-in", value: ValueSpec(placeholder: "DURATION"), help: "Lifetime: days (30, 1.5) or 30d, 12h, 15m, 45s. Default: never expires."),
                ] + LimitOptions.specs(clearable: false) + [jsonOption, databaseOption, envFileOption],
                examples: [
                    Example(command: "apipodctl keys create --name alice --expires-in 30d", explanation: "A key for alice, valid for 30 days."),
                    Example(command: "KEY=$(apipodctl keys create --name ci 2>/dev/null)", explanation: "Capture the key in a script."),
                    Example(command: "apipodctl keys create --name bot --rpm 60 --concurrency 2", explanation: "A key limited to 60 requests a minute, 2 at once."),
                ]
            ),
            CommandSpec(
                name: "list",
                abstract: "List keys without revealing them.",
                discussion: """
                    Shows id, name, tier, display prefix, status, when each key was created, expires \
                    and was last used (UTC), and the limits enforced on it: its own, or its tier's \
                    (marked *).
                    """,
                options: [
                    OptionSpec(long: "all", short: "a", help: "Include disabled and expired keys."),
                    jsonOption, databaseOption, envFileOption,
                ],
                examples: [Example(command: "apipodctl keys list --all", explanation: "Every key, whatever its status.")]
            ),
            CommandSpec(
                name: "limit",
                abstract: "Set or clear a key's own limits.",
                discussion: """
                    A limit set here wins over the key's tier's; none clears it, so the tier's \
                    applies again. Without options, shows the key's limits. A running server \
                    enforces the change within a second. Refused requests get 429 with Retry-After.
                    """,
                options: LimitOptions.specs(clearable: true) + [databaseOption, envFileOption],
                arguments: [ArgumentSpec(placeholder: "ID|KEY|PREFIX", help: "The key's id, the full key, or its 12-character prefix as keys list shows it (apk_AbCdEfGh).")],
                examples: [
                    Example(command: "apipodctl keys limit 3 --rpm 30 --daily-tokens 1000000", explanation: "30 requests a minute and a million tokens a day for key 3."),
                    Example(command: "apipodctl keys limit apk_AbCdEfGh --rpm none", explanation: "Clear its own rpm limit; its tier's applies."),
                ]
            ),
            CommandSpec(
                name: "disable",
                abstract: "Disable a key; requests with it get 403.",
                options: [databaseOption, envFileOption],
                arguments: [ArgumentSpec(placeholder: "ID|KEY|PREFIX", help: "The key's id, the full key, or its 12-character prefix as keys list shows it (apk_AbCdEfGh).")],
                examples: [Example(command: "apipodctl keys disable 3", explanation: "Disable key 3.")]
            ),
            CommandSpec(
                name: "enable",
                abstract: "Enable a disabled key again.",
                options: [databaseOption, envFileOption],
                arguments: [ArgumentSpec(placeholder: "ID|KEY|PREFIX", help: "The key's id, the full key, or its 12-character prefix as keys list shows it (apk_AbCdEfGh).")],
                examples: [Example(command: "apipodctl keys enable apk_AbCdEfGh", explanation: "Enable the key starting apk_AbCdEfGh.")]
            ),
        ]
    )

    static let tiers = CommandSpec(
        name: "tiers",
        abstract: "Set and list the default limits of each tier.",
        discussion: """
            A key carries a tier (default elite); the tier's limits apply to every key of it \
            that has no limit of its own. A tier with no limits set limits nothing.
            """,
        subcommands: [
            CommandSpec(
                name: "set",
                abstract: "Set or clear a tier's limits.",
                discussion: "Creates the database if needed. A running server enforces the change within a second.",
                options: LimitOptions.specs(clearable: true) + [databaseOption, envFileOption],
                arguments: [ArgumentSpec(placeholder: "NAME", help: "The tier, as keys carry it (elite, free, ...).")],
                examples: [Example(command: "apipodctl tiers set free --rpm 20 --daily-tokens 200000", explanation: "Limit every free key without limits of its own.")]
            ),
            CommandSpec(
                name: "list",
                abstract: "List the tiers, their keys and limits.",
                options: [jsonOption, databaseOption, envFileOption],
                examples: [Example(command: "apipodctl tiers list --json", explanation: "The tiers as JSON, as GET /admin/tiers answers.")]
            ),
        ]
    )

    static let usage = CommandSpec(
        name: "usage",
        abstract: "Show tokens, requests, errors and cost by day, hour, model or key.",
        discussion: """
            Reads the hourly usage serve records (written once a second; kept 400 days) and \
            prints a table with totals, with a bar per row on a terminal, or with --json the \
            JSON of GET /admin/usage. Times are UTC. The model is the one that answered. Only \
            reads: a missing database is an error (exit 74) and nothing is created.
            """,
        options: [
            OptionSpec(long: "key", value: ValueSpec(placeholder: "ID|PREFIX"), help: "Only this key: its id, or its prefix as keys list shows it."),
            OptionSpec(long: "model", value: ValueSpec(placeholder: "MODEL"), help: "Only this model (the one that answered)."),
            OptionSpec(long: "since", value: ValueSpec(placeholder: "WHEN"), help: "Start: 7d, 24h, 30m back from now, a date (2026-12-01) or an RFC 3339 time (default 7d)."),
            OptionSpec(long: "until", value: ValueSpec(placeholder: "WHEN"), help: "End, excluded, in the same forms (default now)."),
            OptionSpec(long: "by", value: ValueSpec(placeholder: "GROUPING"), help: "day (default), hour, model or key, or two of them: day,model."),
            jsonOption, databaseOption, envFileOption,
        ],
        examples: [
            Example(command: "apipodctl usage --since 30d --by model", explanation: "The last 30 days, by model."),
            Example(command: "apipodctl usage --key apk_AbCdEfGh --by day,model --json", explanation: "One key's days by model, as JSON."),
        ]
    )

    static let route = CommandSpec(
        name: "route",
        abstract: "Check the routing rules offline.",
        subcommands: [
            CommandSpec(
                name: "simulate",
                abstract: "Draw routing decisions and compare the split with the weights.",
                discussion: """
                    Runs the same routing code as serve, with a seedable generator, and prints per \
                    target model the count, share and expected share, with a chi-square \
                    goodness-of-fit verdict. Exits 1 when the counts do not fit the weights \
                    (p < 0.001). With --sessions, each draw is a random session id routed by its \
                    sticky ranking instead. With --session, prints that session's ranking of the \
                    model's targets, best first, one per line: the model a request with that \
                    X-Session-Id goes to, then its failover order.
                    """,
                options: [
                    OptionSpec(long: "model", value: ValueSpec(placeholder: "MODEL"), help: "Requested model (default cursor-pro-sonnet)."),
                    OptionSpec(long: "count", short: "n", value: ValueSpec(placeholder: "COUNT"), help: "Number of draws (default 10000)."),
                    OptionSpec(long: "sessions", value: ValueSpec(placeholder: "COUNT"), help: "Draw this many random session ids instead, each routed by its ranking."),
                    OptionSpec(long: "session", value: ValueSpec(placeholder: "ID"), help: "Print this session id's ranking of the targets, best first."),
                    OptionSpec(long: "seed", value: ValueSpec(placeholder: "N"), help: "Seed for repeatable draws (default: random, printed)."),
                    routesOption, jsonOption, envFileOption,
                ],
                examples: [
                    Example(command: "apipodctl route simulate -n 1000000 --seed 42", explanation: "One million draws, repeatable."),
                    Example(command: "apipodctl route simulate --session 0d6f1c7e-3b1a-4c59-9f2e-5b7a1e2c4d8f", explanation: "Where that session goes, then its failover order."),
                    Example(command: "apipodctl route simulate --sessions 1000000", explanation: "Check that sticky sessions still split by the weights."),
                ]
            ),
            CommandSpec(
                name: "check",
                abstract: "Validate the routes file without starting the server.",
                discussion: """
                    Reads the routes file as serve would (providers, models, aliases) and prints \
                    a short summary. An error names the field at fault and exits 78; a provider \
                    whose key_env is not set is a warning, as at start-up.
                    """,
                options: [routesOption, envFileOption],
                examples: [Example(command: "apipodctl route check --routes /etc/apipod/routes.json", explanation: "Validate a file before a reload.")]
            ),
        ]
    )

    static let db = CommandSpec(
        name: "db",
        abstract: "Maintain the key database.",
        subcommands: [
            CommandSpec(
                name: "migrate",
                abstract: "Create or upgrade the database schema.",
                discussion: """
                    Creates the database if needed and applies pending migrations; running it \
                    again changes nothing. A database of the original Go service (a users table \
                    with plaintext api_key values) is adopted: its keys keep working and are \
                    stored only as digests afterwards.
                    """,
                options: [databaseOption, envFileOption],
                examples: [Example(command: "apipodctl db migrate --db /var/lib/apipod/proxy.db", explanation: "Upgrade a database in place.")]
            ),
        ]
    )

    static let help = CommandSpec(
        name: "help",
        abstract: "Show help for a command.",
        arguments: [ArgumentSpec(placeholder: "COMMAND", help: "The command, e.g. 'keys create'.", isVariadic: true)]
    )
}

extension CommandTable {
    /// The configuration variables, for the man page and the README.
    static let environment: [(name: SettingName, help: String)] = [
        (.upstreamURL, "Upstream base URL, http:// or https:// (default http://127.0.0.1:8080)."),
        (.upstreamKey, "Key sent upstream as x-api-key in place of the client's credentials."),
        (.adminSecret, "Enables the admin HTTP routes; at least 16 characters. Unset: admin routes off."),
        (.port, "Port serve listens on (default 8081)."),
        (.host, "Address serve listens on (default 0.0.0.0)."),
        (.databasePath, "SQLite key database (default ./data/proxy.db). serve, db migrate and keys create make it and its folder, readable by their owner only."),
        (.routesPath, "Optional JSON routes file: providers, models, aliases with fallbacks."),
        (.logFormat, "serve's log: text (default), or json for one JSON object a line."),
        (.metrics, "GET /metrics, the Prometheus exposition: on (default) or off (then 404)."),
    ]

    static let exitStatuses: [(status: ExitStatus, meaning: String)] = [
        (.success, "Success."),
        (.failure, "route simulate: the counts do not fit the weights."),
        (.usage, "The command line is wrong (unknown option, missing value, ...)."),
        (.dataError, "Bad data: no such key, an ambiguous key prefix, an invalid name, a database row that cannot be adopted."),
        (.unavailable, "A service is unavailable: the port is taken, the upstream cannot be reached."),
        (.ioError, "No database at the path given to a command that does not create one, or the database, standard output or another file could not be read or written (keys create then deletes the key it could not print)."),
        (.configuration, "Bad configuration: a setting is out of range or a file is unreadable."),
    ]
}
