extension DistributedOptions {
    /// The `removeOnComplete` default of the workflow queue's worker: at most ``keepCompletedJobs``
    /// completed jobs, none finished longer ago than the state TTL (when it is not 0).
    public var completedJobRetention: JobRetention {
        Self.retention(count: keepCompletedJobs, ageSeconds: stateTTLSeconds)
    }

    /// The `removeOnFail` default of the workflow queue's worker: at most ``keepFailedJobs`` failed
    /// jobs, none finished longer ago than the state TTL (when it is not 0).
    public var failedJobRetention: JobRetention {
        Self.retention(count: keepFailedJobs, ageSeconds: stateTTLSeconds)
    }

    private static func retention(count: Int?, ageSeconds: Int) -> JobRetention {
        let age = ageSeconds > 0 ? ageSeconds : nil
        if count == nil, age == nil { return .keepAll }
        return .keep(age: age, count: count.map { max(0, $0) })
    }

    /// `workerOptions` with this engine's job retention filled in where the caller set none (jobs
    /// that carry their own `removeOnComplete`/`removeOnFail` keep theirs).
    func applyingJobRetention(to workerOptions: WorkerOptions) -> WorkerOptions {
        var options = workerOptions
        if options.removeOnComplete == nil { options.removeOnComplete = completedJobRetention }
        if options.removeOnFail == nil { options.removeOnFail = failedJobRetention }
        return options
    }
}
