import Synchronization

/// Room for a task's async frames in one piece, made at the start of a connection's task.
///
/// A task takes memory for its async frames from slabs of about 1 KB, and keeps every slab it
/// has made until it ends. A frame that does not fit in the rest of the current slab starts a
/// new one, so frames of 600–750 bytes (most of the proxy's) take a slab each: the stack of
/// frames under a stream's relay, about 6 KB, held 9–11 KB of slabs. A first frame as large as
/// that stack makes one slab of its size; once it returns, the slab is empty, and the frames of
/// every request after it are laid end to end there. Measured with 1,000 streams (`streams.py`),
/// 14.5 → 11.2 KB of memory per stream; 4 KB of room gave 11.6. The room, 6 KB, is about the
/// deepest stack of frames a proxied request builds, from the connection's task down to a
/// stream's read (`Benchmarks/async_frames.py`, which also shows `reserve`'s own frame).
///
/// The price: a new connection that sends nothing holds the room too, until its head timeout.
/// 1,000 silent connections took 8.7 KB each with the room made at the task's start (5.6 KB
/// before there was a room), 5.7 KB when it was made only once the first head had arrived;
/// but then a stream took 13.2 KB, not
/// 11.2 (the frames beneath each take a slab of their own again). Streams are what a proxy of
/// LLM answers holds, silent connections are capped and time out, so the room comes first.
enum TaskFrameReserve {
    /// Call first thing in a task that will serve connections.
    @inline(never)
    static func reserve() async {
        var room = InlineArray<5120, UInt8>(repeating: 0)
        let mark = Int(sink.load(ordering: .relaxed))
        room[mark] = 1
        // A call that does not suspend, but that `room` must outlive: it stays in the frame,
        // which is therefore as large as `room`. (The call's own frame takes a second, 1 KB
        // slab, which later frames use too: 5 KB here make 6 KB of room.)
        await pass()
        sink.store(room[mark &+ 1], ordering: .relaxed)
    }

    /// Where `room`'s bytes go, so the compiler cannot drop them. Always 0.
    private static let sink = Atomic<UInt8>(0)

    @inline(never)
    private static func pass() async {}
}
