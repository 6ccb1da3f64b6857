import Glibc

/// SIGHUP (and `systemctl reload`, through the unit's `ExecReload`): the routes file and `.env`
/// read again and the new rules swapped in, while requests in flight finish on the rules they
/// started with. A configuration with an error is logged, naming its field, and the running
/// rules stay. systemd hears `RELOADING=1` before and `READY=1` after, as `Type=notify` asks.
extension ProxyService {
    static func reloadRules(
        _ running: Running, _ reload: (() throws -> ServerConfiguration)?, log: ServeLog, notifier: SystemdNotifier?
    ) {
        guard let reload else {
            log.note("SIGHUP received; nothing to reload")
            return
        }
        notifier?.send("RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds())\nSTATUS=reloading the routing rules")
        let status: String
        do {
            let configuration = try reload()
            for line in try running.reload(configuration) { log.note(line) }
            status = "reloaded the routing rules"
            log.note("SIGHUP received; \(status)")
        } catch {
            let reason = (error as? any UserFacingError)?.description ?? String(describing: error)
            status = "reload failed; the running rules stay"
            log.note("SIGHUP received; \(status): \(reason)")
        }
        notifier?.send("READY=1\nSTATUS=\(status)")
    }

    /// `CLOCK_MONOTONIC` in microseconds, which systemd compares with its own to order a
    /// reload's notifications.
    static func monotonicMicroseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
    }
}
