import Glibc

/// Makes writing to a connection whose peer has gone an `EPIPE` error instead of a signal that
/// kills the process. Sockets already send with `MSG_NOSIGNAL`; this covers every other write
/// (pipes, a closed stdout). Call it once at startup, before the first connection; calling it
/// again changes nothing.
public func ignoreBrokenPipeSignal() {
    signal(SIGPIPE, SIG_IGN)
}
