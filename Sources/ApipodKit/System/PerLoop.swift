/// State kept once per event loop, each copy touched only by its own loop's thread: how the
/// request path counts, buffers and caches without a lock or an atomic the loops share.
/// Whoever reads every copy (a scrape, a once-a-second hand-over) does it on each loop's
/// thread, by posting there.
struct PerLoop<Shard: Sendable>: Sendable {
    let shards: [(loop: EventLoop, shard: Shard)]

    init(_ loops: [EventLoop], make: () -> Shard) {
        shards = loops.map { ($0, make()) }
    }

    /// The copy of `loop`, which must be the calling thread's loop: the copy is that thread's alone.
    func on(_ loop: EventLoop) -> Shard {
        assert(loop.isCurrent, "a loop's own state is touched on its own thread")
        for entry in shards where entry.loop === loop { return entry.shard }
        preconditionFailure("a request on a loop this state was not made for")
    }
}
