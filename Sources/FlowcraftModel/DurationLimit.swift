/// The bound on every duration in a blueprint (`sleep`'s `duration`, `wait`'s `timeout`, `retryDelay`,
/// `timeout`): shorter than 9 × 10¹⁵ ms, about 285 000 years, so that a time plus a duration never
/// overflows. The blueprint decoder refuses longer ones; the runtime reads them as invalid.
package enum DurationLimit {
    package static let milliseconds = 9_000_000_000_000_000
}
