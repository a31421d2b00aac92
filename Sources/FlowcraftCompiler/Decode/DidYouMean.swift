/// "Did you mean …?" suggestions by edit distance, for misspelt field names, ids and keys.
package enum DidYouMean {
    /// The candidate closest to `word`, when it is close enough to be a plausible typo
    /// (an edit distance of at most a third of the word, and at least 1; case differences are cheap).
    package static func suggestion<S: Sequence>(for word: String, among candidates: S) -> String?
    where S.Element == String {
        let target = Array(word.lowercased().unicodeScalars)
        guard !target.isEmpty else { return nil }
        let limit = max(1, min(3, target.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let c = Array(candidate.lowercased().unicodeScalars)
            guard abs(c.count - target.count) <= limit else { continue }
            let d = distance(target, c, limit: limit)
            guard d <= limit else { continue }
            if best == nil || d < best?.distance ?? Int.max
                || (d == best?.distance && candidate < best?.candidate ?? "")
            {
                best = (candidate, d)
            }
        }
        return best?.candidate
    }

    /// `" (did you mean 'x'?)"` or the empty string. A word too far from every candidate by
    /// spelling may still be a known synonym (`retries` → `maxRetries`).
    package static func hint<S: Sequence>(for word: String, among candidates: S) -> String where S.Element == String {
        let candidates = Array(candidates)
        let synonym = synonyms[word.lowercased()].flatMap { candidates.contains($0) ? $0 : nil }
        return (suggestion(for: word, among: candidates) ?? synonym).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Field names people write for a field Flowcraft spells differently.
    static let synonyms: [String: String] = [
        "retries": "maxRetries", "retry": "maxRetries", "maxretry": "maxRetries", "attempts": "maxRetries",
        "delay": "retryDelay", "backoff": "retryDelay", "join": "joinStrategy",
    ]

    /// Levenshtein distance with adjacent transpositions counting as one edit, cut off above `limit`.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    v = min(v, previous2[j - 2] + 1)
                }
                current[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > limit { return rowMin }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
