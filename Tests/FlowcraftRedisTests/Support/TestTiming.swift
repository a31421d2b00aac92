import Foundation

/// How long tests wait for distributed work, scaled for slow builds: `FLOWCRAFT_TEST_TIME_SCALE` (a
/// whole number from 1 to 20; 1 when unset) multiplies the waits. `scripts/test.sh` sets it to 4
/// under a sanitizer (`FLOWCRAFT_SANITIZE=thread`), which slows everything down about tenfold: a
/// run that needs a second normally must not fail a 20 s wait there. Never shortens a wait.
enum TestTiming {
    static let scale: Int = {
        let given = ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_TIME_SCALE"].flatMap { Int($0) } ?? 1
        return min(20, max(1, given))
    }()

    /// `seconds`, scaled.
    static func seconds(_ seconds: Int) -> Duration { .seconds(seconds * scale) }
}
