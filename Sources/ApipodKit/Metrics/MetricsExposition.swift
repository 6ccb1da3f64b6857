/// What a scrape shows besides the loops' counts: figures read at the scrape itself.
struct ScrapeContext: Sendable {
    /// `ModelLabelRegistry.names`: the `model` label by index.
    let modelNames: [String]
    /// The `provider` label by index.
    let providerNames: [String]
    let openConnections: Int
    let process: ProcessStats?
    let version: String
}

extension MetricsSnapshot {
    /// Every series of SPEC §11 in the text exposition format, in a fixed order. Series with no
    /// data yet (tokens) have their HELP and TYPE lines and no sample, as a client
    /// library shows a labelled counter nothing has incremented.
    func exposition(_ context: ScrapeContext) -> [UInt8] {
        var out = ExpositionWriter()
        func model(_ index: Int) -> String {
            index < context.modelNames.count ? context.modelNames[index] : "other"
        }
        func provider(_ index: Int) -> String {
            index < context.providerNames.count ? context.providerNames[index] : "other"
        }

        out.family("apipod_requests_total", "counter", help: "Requests answered, by route, status code and the model the client asked for.")
        let requestSeries = requests.entries.map { (series: RequestSeries(key: $0.key), count: $0.count) }
            .sorted { ($0.series.route.rawValue, $0.series.status, model($0.series.model)) < ($1.series.route.rawValue, $1.series.status, model($1.series.model)) }
        for (series, count) in requestSeries {
            out.sample("apipod_requests_total", ["route": series.route.label, "code": String(series.status), "model": model(series.model)], count)
        }

        out.family("apipod_request_duration_seconds", "histogram", help: "Time from a request's head to the end of its answer.")
        out.histogram("apipod_request_duration_seconds", requestDuration)
        out.family(
            "apipod_proxy_overhead_seconds", "histogram",
            help: "Time the proxy adds to a forwarded request: its duration less the time spent waiting on the upstream.")
        out.histogram("apipod_proxy_overhead_seconds", proxyOverhead)

        out.family(
            "apipod_upstream_attempts_total", "counter",
            help: "Attempts at an upstream, by provider, the model sent and how the attempt ended at its response head.")
        let attemptSeries = attempts.entries.map { (series: AttemptSeries(key: $0.key), count: $0.count) }
            .sorted {
                (provider($0.series.provider), model($0.series.model), $0.series.outcome.rawValue)
                    < (provider($1.series.provider), model($1.series.model), $1.series.outcome.rawValue)
            }
        for (series, count) in attemptSeries {
            out.sample(
                "apipod_upstream_attempts_total",
                ["provider": provider(series.provider), "model": model(series.model), "outcome": series.outcome.label], count)
        }

        out.family("apipod_failovers_total", "counter", help: "Requests answered by another candidate after an attempt failed.")
        out.sample("apipod_failovers_total", [:], failovers)
        out.family("apipod_active_streams", "gauge", help: "Streamed responses being relayed now.")
        out.sample("apipod_active_streams", [:], String(activeStreams))
        out.family("apipod_open_connections", "gauge", help: "Client connections open now.")
        out.sample("apipod_open_connections", [:], String(context.openConnections))
        out.family("apipod_tokens_total", "counter", help: "Tokens by model and kind (input, output, cached input).")
        let tokenSeries = tokens.entries.map { (series: TokenSeries(key: $0.key), count: $0.count) }
            .sorted { (model($0.series.model), $0.series.kind.rawValue) < (model($1.series.model), $1.series.kind.rawValue) }
        for (series, count) in tokenSeries {
            out.sample("apipod_tokens_total", ["model": model(series.model), "kind": series.kind.label], count)
        }
        out.family("apipod_rate_limited_total", "counter", help: "Requests refused by a limit, by reason.")
        for reason in LimitReason.allCases {
            out.sample("apipod_rate_limited_total", ["reason": reason.label], rateLimited[Int(reason.rawValue)])
        }

        if let process = context.process {
            out.family("process_cpu_seconds_total", "counter", help: "Total user and system CPU time spent in seconds.")
            out.sample("process_cpu_seconds_total", [:], ExpositionWriter.number(process.cpuSeconds))
            out.family("process_resident_memory_bytes", "gauge", help: "Resident memory size in bytes.")
            out.sample("process_resident_memory_bytes", [:], String(process.residentBytes))
            out.family("process_open_fds", "gauge", help: "Number of open file descriptors.")
            out.sample("process_open_fds", [:], String(process.openFDs))
            out.family("process_start_time_seconds", "gauge", help: "Start time of the process since unix epoch in seconds.")
            out.sample("process_start_time_seconds", [:], ExpositionWriter.number(process.startTime))
        }
        out.family("apipod_build_info", "gauge", help: "Always 1; the version apipodctl --version prints is the label.")
        out.sample("apipod_build_info", ["version": context.version], 1)
        return out.bytes
    }
}
