import Flowcraft
@testable import FlowcraftRedis
import Testing

/// The sharded layout's names and run placement, without Redis.
@Suite("Queue layout and shards")
struct QueueShardsTests {
    @Test("shard queues are {queue.NN}, zero-padded to the width of count − 1; the single layout is the queue itself")
    func shardQueueNames() {
        #expect(QueueShards(queueName: "q", layout: .sharded(count: 4)).queueNames == ["{q.0}", "{q.1}", "{q.2}", "{q.3}"])
        let sixteen = QueueShards(queueName: "orders", layout: .sharded(count: 16)).queueNames
        #expect(sixteen.first == "{orders.00}" && sixteen.last == "{orders.15}" && sixteen.count == 16)
        #expect(QueueShards(queueName: "q", layout: .sharded(count: 1024)).queueName(ofShard: 7) == "{q.0007}")
        #expect(QueueShards(queueName: "q", layout: .sharded(count: 1)).queueNames == ["{q.0}"])
        #expect(QueueShards(queueName: "q", layout: .single).queueNames == ["q"])
    }

    @Test("a run id is its shard's tag and the base id; the same base id always lands on the same shard; base and full ids resolve alike")
    func runPlacement() throws {
        let shards = QueueShards(queueName: "orders", layout: .sharded(count: 16))
        let id = try shards.newRunID(baseID: "order-123")
        #expect(id == (try shards.newRunID(baseID: "order-123")))
        let shard = try #require(shards.shard(ofRunID: id))
        #expect(id == shards.queueName(ofShard: shard) + "order-123")
        #expect(shard == shards.shard(ofBaseID: "order-123"))
        #expect(try shards.runID(for: "order-123") == id)
        #expect(try shards.runID(for: id) == id)
        #expect(shards.baseID(of: id) == "order-123")
        #expect(shards.queueName(forRun: id) == shards.queueName(ofShard: shard))
        // A subflow child (`<parent>/<node>#<iteration>`) inherits its parent's tag, hence its shard.
        #expect(shards.queueName(forRun: id + "/sub#0") == shards.queueName(ofShard: shard))
        // The hash is fixed: ids keep their shard across processes and releases.
        #expect(QueueShards(queueName: "q", layout: .sharded(count: 16)).shard(ofBaseID: "a") == 12)
    }

    @Test("base ids spread over the shards")
    func spread() {
        let shards = QueueShards(queueName: "q", layout: .sharded(count: 16))
        var counts = [Int](repeating: 0, count: 16)
        for i in 0..<16_000 { counts[shards.shard(ofBaseID: "run-\(i)")] += 1 }
        #expect(counts.allSatisfy { (900...1100).contains($0) }, "\(counts)")
    }

    @Test("a sharded layout refuses base ids with braces; the single layout keeps ids as given")
    func braces() throws {
        let shards = QueueShards(queueName: "q", layout: .sharded(count: 4))
        for id in ["a{b}", "{x}y", "c}"] {
            #expect {
                _ = try shards.newRunID(baseID: id)
            } throws: { error in
                (error as? DistributedError)?.cause == .invalidLayout && "\(error)".contains(id)
            }
        }
        // A tag of another queue is not this queue's: refused as a base id with braces.
        #expect(throws: DistributedError.self) { _ = try shards.runID(for: "{other.1}run") }
        let single = QueueShards(queueName: "q", layout: .single)
        #expect(try single.newRunID(baseID: "a{b}") == "a{b}")
        #expect(single.queueName(forRun: "{q.1}x") == "q")
    }

    @Test("layouts parse from 'single', 'sharded:N' and N; counts outside 1…1024 are refused naming the value")
    func parsing() throws {
        #expect(try QueueLayout(parsing: "single") == .single)
        #expect(try QueueLayout(parsing: "sharded:16") == .sharded(count: 16))
        #expect(try QueueLayout(parsing: "8") == .sharded(count: 8))
        #expect(QueueLayout.sharded(count: 16).description == "sharded:16")
        for text in ["0", "1025", "sharded:x", "many"] {
            #expect {
                _ = try QueueLayout(parsing: text)
            } throws: { error in
                (error as? DistributedError)?.cause == .invalidLayout && "\(error)".contains(text.replacingOccurrences(of: "sharded:", with: ""))
            }
        }
    }

    @Test("the single layout's keys are today's: run keys from the run id as given, the queue's own indexes")
    func singleKeysUnchanged() {
        let options = DistributedOptions(queueName: "flowcraft-queue")
        let committer = RunCommitter(client: RedisClient(configuration: .init(host: "127.0.0.1", port: 1)), options: options)
        #expect(committer.queueName(forRun: "run-1") == "flowcraft-queue")
        #expect(committer.queueKeys(forRun: "run-1").base == "bull:flowcraft-queue:")
        #expect(DistributedKeys(runID: "run-1").state == "workflow:state:run-1")
    }
}
