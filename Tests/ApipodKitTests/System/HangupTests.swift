import CSystem
import Glibc
import Testing
@testable import ApipodKit

extension SystemTests {
    @Suite struct HangupTests {
        /// The proxy's relay: wait for upstream bytes while watching the client.
        @Test func theWatchedSocketHangingUp_AbortsTheReadWithPeerClosed() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (upstream, upstreamPeer) = try makeDescriptorPair()
                let (client, clientPeer) = try makeDescriptorPair()
                defer { close(upstreamPeer) }
                let relay = Task(executorPreference: loop) { () -> String in
                    let upstreamSocket = try Socket(adopting: upstream, on: loop)
                    let clientSocket = try Socket(adopting: client, on: loop)
                    do {
                        return try await upstreamSocket.readText(abortingOnHangupOf: clientSocket)
                    } catch SocketError.peerClosed {
                        return "peer closed"
                    }
                }
                try await waitUntilSuspended(1, on: loop)
                close(clientPeer)
                #expect(try await relay.value == "peer closed")
                #expect(await suspendedWaits(on: loop) == 0)
            }
        }

        @Test func bytesFromTheWatchedSocket_DoNotAbortTheRead() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (upstream, upstreamPeer) = try makeDescriptorPair()
                let (client, clientPeer) = try makeDescriptorPair()
                defer { close(upstreamPeer); close(clientPeer) }
                let relay = Task(executorPreference: loop) {
                    let upstreamSocket = try Socket(adopting: upstream, on: loop)
                    let clientSocket = try Socket(adopting: client, on: loop)
                    return try await upstreamSocket.readText(abortingOnHangupOf: clientSocket)
                }
                try await waitUntilSuspended(1, on: loop)
                writeText("pipelined request", to: clientPeer)
                writeText("upstream bytes", to: upstreamPeer)
                #expect(try await relay.value == "upstream bytes")
            }
        }

        @Test func aWatchedSocketThatHungUpEarlier_AbortsTheNextWaitAtOnce() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (upstream, upstreamPeer) = try makeDescriptorPair()
                let (client, clientPeer) = try makeDescriptorPair()
                defer { close(upstreamPeer) }
                close(clientPeer)
                let outcome = try await Task(executorPreference: loop) { () -> String in
                    let upstreamSocket = try Socket(adopting: upstream, on: loop)
                    let clientSocket = try Socket(adopting: client, on: loop)
                    // The client's end of stream is already there when the watch starts.
                    #expect(try await clientSocket.readText() == "")
                    do {
                        return try await upstreamSocket.readText(abortingOnHangupOf: clientSocket)
                    } catch SocketError.peerClosed {
                        return "peer closed"
                    }
                }.value
                #expect(outcome == "peer closed")
            }
        }

        @Test func registrationGenerations_TellEventsForAReusedDescriptorApart() {
            var slots = ReadinessSlots()
            slots.beginRegistration(of: 5)
            let first = slots.userData(for: 5)
            slots.endRegistration(of: 5)
            slots.beginRegistration(of: 5)
            let second = slots.userData(for: 5)
            #expect(first != second)
            #expect(slots.currentDescriptor(in: first) == nil)
            #expect(slots.currentDescriptor(in: second) == 5)
            #expect(UInt32(truncatingIfNeeded: second) == 5)
        }

        /// An event queued for a descriptor that was closed, whose number then came back for a
        /// new socket, must not wake the new socket's reader.
        @Test func aStaleEventForAReusedDescriptor_IsNotDelivered() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (old, oldPeer) = try makeDescriptorPair()
                close(oldPeer)
                let staleUserData = try await Task(executorPreference: loop) { () -> UInt64 in
                    try await loop.waitWritable(old, deadline: hangGuard())
                    let userData = loop.slots.userData(for: old)
                    loop.closeDescriptor(old)
                    return userData
                }.value
                // The lowest free number is normally `old` again; the test holds either way.
                let (fresh, freshPeer) = try makeDescriptorPair()
                defer { close(freshPeer) }
                let reader = Task(executorPreference: loop) {
                    try await Socket(adopting: fresh, on: loop).readText()
                }
                try await waitUntilSuspended(1, on: loop)
                let stillWaiting = await withTaskExecutorPreference(loop) { () -> Bool in
                    loop.handle(events: EPOLLIN.rawValue | EPOLLHUP.rawValue, userData: staleUserData)
                    return loop.suspendedWaitCount == 1
                }
                #expect(stillWaiting)
                writeText("fresh", to: freshPeer)
                #expect(try await reader.value == "fresh")
            }
        }
    }
}
