import Logging

extension FlowRuntime {
    /// How a ``FlowRuntime`` runs: everything but the blueprints and the node registry.
    ///
    /// ```swift
    /// var options = FlowRuntime.Options()
    /// options.concurrency = 16
    /// options.history = try await SQLiteRunHistory(path: "runs.sqlite")   // FlowcraftSQLite
    /// let runtime = try FlowRuntime(blueprints: blueprints, registry: registry, options: options)
    /// ```
    /// The counterpart of the distributed engine's `DistributedOptions`.
    public struct Options: Sendable {
        /// Values injected into every node's context.
        public var dependencies: Dependencies
        /// The logger nodes get (with run, blueprint and node metadata) and the runtime logs to.
        public var logger: Logger
        /// Receives the run's events (`workflow:*`, `node:*`, `context:change`, `batch:*`).
        public var eventHandler: WorkflowEventHandler?
        /// Middleware around every node attempt (first = outermost).
        public var middleware: [any NodeMiddleware]
        /// Most node attempts in flight at once per run (a sliding window; at least 1).
        public var concurrency: Int
        /// Where retry delays and `sleep` nodes wait, and what history timestamps read.
        public var clock: any RuntimeClock
        /// How the delay between attempts grows.
        public var retryBackoff: RetryBackoff
        /// Cap on a loop-controller's iterations when its `maxIterations` param is absent (at most
        /// `BuiltinNode.maximumLoopIterations`, 100 000: a larger value is lowered to it).
        public var maximumLoopIterations: Int
        /// Deepest nesting of subflows (at least 1).
        public var maximumSubflowDepth: Int
        /// Limits on node outputs and the values nodes write (none by default): an oversized one fails
        /// its run, as in the distributed engine.
        public var sizeLimits: SizeLimits
        /// Where run history goes (`nil`: none is kept). Every run, subflow child runs included,
        /// records its events (``RunHistoryEvent``): buffered per run and handed to the recorder when
        /// the run pauses or ends, and every ``historyBatchSize`` events of a long run — never awaited
        /// by a node. ``FlowRuntime/flushHistory()`` waits until everything handed over is recorded.
        public var history: (any RunHistoryRecorder)?
        /// A long run hands its buffered history to the recorder every this many events (at least 1).
        public var historyBatchSize: Int
        /// History events handed over and not yet taken by the recorder, beyond which a run that ends
        /// (or pauses) waits until the recorder has caught up before returning its result (at least
        /// 1): when the recorder is slower than the runs, memory stays bounded and the runs slow down
        /// to what it keeps up with, rather than history piling up or being dropped.
        public var historyBacklogLimit: Int

        /// The default of ``historyBatchSize``.
        public static let defaultHistoryBatchSize = 1_000
        /// The default of ``historyBacklogLimit``: 200 000 events (some tens of MB).
        public static let defaultHistoryBacklogLimit = 200_000

        /// Options with a default for everything not given (see each property).
        public init(
            dependencies: Dependencies = Dependencies(),
            logger: Logger = Logger(label: "flowcraft"),
            eventHandler: WorkflowEventHandler? = nil,
            middleware: [any NodeMiddleware] = [],
            concurrency: Int = 64,
            clock: any RuntimeClock = SystemClock(),
            retryBackoff: RetryBackoff = .default,
            maximumLoopIterations: Int = FlowRuntime.defaultMaximumLoopIterations,
            maximumSubflowDepth: Int = 32,
            sizeLimits: SizeLimits = .unlimited,
            history: (any RunHistoryRecorder)? = nil,
            historyBatchSize: Int = Options.defaultHistoryBatchSize,
            historyBacklogLimit: Int = Options.defaultHistoryBacklogLimit
        ) {
            self.dependencies = dependencies
            self.logger = logger
            self.eventHandler = eventHandler
            self.middleware = middleware
            self.concurrency = concurrency
            self.clock = clock
            self.retryBackoff = retryBackoff
            self.maximumLoopIterations = maximumLoopIterations
            self.maximumSubflowDepth = maximumSubflowDepth
            self.sizeLimits = sizeLimits
            self.history = history
            self.historyBatchSize = historyBatchSize
            self.historyBacklogLimit = historyBacklogLimit
        }

        /// The options with every value in its range (what the runtime uses).
        var normalized: Options {
            var o = self
            o.concurrency = max(1, concurrency)
            o.maximumLoopIterations = min(max(1, maximumLoopIterations), BuiltinNode.maximumLoopIterations)
            o.maximumSubflowDepth = max(1, maximumSubflowDepth)
            o.historyBatchSize = max(1, historyBatchSize)
            o.historyBacklogLimit = max(1, historyBacklogLimit)
            return o
        }
    }
}
