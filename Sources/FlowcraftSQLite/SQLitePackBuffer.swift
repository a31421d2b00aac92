/// The growable bytes ``SQLiteEventPacker`` writes into: raw memory it owns, written through a
/// pointer. An `[UInt8]` appended to a byte at a time checked its storage's uniqueness (a runtime
/// call) and its capacity for every byte: about a third of the store's packing time on a
/// 100 000-node fan-out. Here a field checks the capacity once for its largest size and stores its
/// bytes. Reference semantics, confined to one packer (the store's queue or a test).
final class SQLitePackBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private func reserve(_ extra: Int) {
        if capacity - count < extra { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends `value` as an unsigned varint (7 bits a byte, low bits first; at most 10 bytes, room
    /// checked once).
    func appendVarint(_ value: UInt64) {
        reserve(10)
        var v = value
        while v >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: v) | 0x80
            count += 1
            v >>= 7
        }
        base[count] = UInt8(v)
        count += 1
    }

    func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Sets the byte at `index` (below ``count``).
    func set(_ byte: UInt8, at index: Int) {
        precondition(index >= 0 && index < count)
        base[index] = byte
    }

    /// Puts `bytes` in place of the byte at `index` (below ``count``), moving what follows.
    func replaceByte(at index: Int, with bytes: UnsafeRawBufferPointer) {
        precondition(index >= 0 && index < count)
        let extra = bytes.count - 1
        reserve(extra)
        let tail = count - index - 1
        (base + index + 1 + extra).update(from: base + index + 1, count: tail)
        if let source = bytes.baseAddress { UnsafeMutableRawPointer(base + index).copyMemory(from: source, byteCount: bytes.count) }
        count += extra
    }

    func removeAll() { count = 0 }

    /// The bytes written, for the duration of `body`.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// A copy of the bytes written.
    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
