import Synchronization

/// Room for a task's async frames in one piece, made at the start of a connection's task.
///
/// A task takes memory for its async frames from slabs of about 1 KB, and keeps every slab it
/// has made until it ends. A frame that does not fit in the rest of the current slab starts a
/// new one, so frames of 600–750 bytes (most of the proxy's) take a slab each: the stack of
/// frames under a stream's relay, about 6 KB, held 9–11 KB of slabs. A first frame as large as
/// that stack makes one slab of its size; once it returns, the slab is empty, and the frames of
/// every request after it are laid end to end there. Measured with 1,000 streams (`streams.py`),
/// 14.5 → 10.7 KB of memory per stream. The room, 5 KB with the slab `reserve`'s own call
/// takes, is about the deepest stack of frames a proxied request builds above the task's first
/// slab, down to a stream's read or the upstream write (`Benchmarks/async_frames.py` shows
/// `reserve`'s frame); 4.5 KB of room gave the same 10.7 KB, and so did 4 KB once the accept
/// task's own frame had shrunk from 688 to 208 bytes (it had 11.6 before).
///
/// The price: a new connection that sends nothing holds the room too, until its head timeout.
/// 1,000 silent connections took 7.8 KB each with the room made at the task's start (5.6 KB
/// before there was a room); made only once the first head had arrived (with 5 KB of room),
/// 5.7 KB, but then a stream took 13.2 KB, not 11.2 (the frames beneath each take a slab of
/// their own again). Streams are what a proxy of
/// LLM answers holds, silent connections are capped and time out, so the room comes first.
enum TaskFrameReserve {
    /// Call first thing in a task that will serve connections.
    @inline(never)
    static func reserve() async {
        var room = InlineArray<4096, UInt8>(repeating: 0)
        let mark = Int(sink.load(ordering: .relaxed))
        room[mark] = 1
        // A call that does not suspend, but that `room` must outlive: it stays in the frame,
        // which is therefore as large as `room`. (The call's own frame takes a second, 1 KB
        // slab, which later frames use too: 4 KB here make 5 KB of room.)
        await pass()
        sink.store(room[mark &+ 1], ordering: .relaxed)
    }

    /// Where `room`'s bytes go, so the compiler cannot drop them. Always 0.
    private static let sink = Atomic<UInt8>(0)

    @inline(never)
    private static func pass() async {}
}
