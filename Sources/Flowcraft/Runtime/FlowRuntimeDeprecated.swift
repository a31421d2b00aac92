extension FlowRuntime {
    /// The initialisers before ``FlowRuntime/Options``: kept so existing code builds.
    @available(*, deprecated, message: "use init(blueprints:registry:options:)")
    @_disfavoredOverload
    public convenience init(
        blueprints: [WorkflowBlueprint],
        registry: NodeRegistry = NodeRegistry(),
        dependencies: Dependencies = Dependencies(),
        logger: Logger = Logger(label: "flowcraft"),
        eventHandler: WorkflowEventHandler? = nil,
        middleware: [any NodeMiddleware] = [],
        concurrency: Int = 64,
        clock: any RuntimeClock = SystemClock(),
        retryBackoff: RetryBackoff = .default,
        maximumLoopIterations: Int = FlowRuntime.defaultMaximumLoopIterations,
        sizeLimits: SizeLimits = .unlimited
    ) throws(BlueprintPreparationError) {
        try self.init(
            blueprints: blueprints, registry: registry,
            options: Options(
                dependencies: dependencies, logger: logger, eventHandler: eventHandler, middleware: middleware,
                concurrency: concurrency, clock: clock, retryBackoff: retryBackoff,
                maximumLoopIterations: maximumLoopIterations, sizeLimits: sizeLimits))
    }

    /// The initialiser before ``FlowRuntime/Options``: kept so existing code builds.
    @available(*, deprecated, message: "use init(blueprints:registry:options:)")
    @_disfavoredOverload
    public convenience init(
        blueprints: [String: WorkflowBlueprint],
        registry: NodeRegistry = NodeRegistry(),
        dependencies: Dependencies = Dependencies(),
        logger: Logger = Logger(label: "flowcraft"),
        eventHandler: WorkflowEventHandler? = nil,
        middleware: [any NodeMiddleware] = [],
        concurrency: Int = 64,
        clock: any RuntimeClock = SystemClock()
    ) throws(BlueprintPreparationError) {
        try self.init(
            blueprints: blueprints, registry: registry,
            options: Options(
                dependencies: dependencies, logger: logger, eventHandler: eventHandler, middleware: middleware,
                concurrency: concurrency, clock: clock))
    }

    /// The initialiser before ``FlowRuntime/Options``: kept so existing code builds.
    @available(*, deprecated, message: "use init(plans:registry:options:)")
    @_disfavoredOverload
    public convenience init(
        plans: [CompiledBlueprint],
        registry: NodeRegistry = NodeRegistry(),
        dependencies: Dependencies = Dependencies(),
        logger: Logger = Logger(label: "flowcraft"),
        eventHandler: WorkflowEventHandler? = nil,
        middleware: [any NodeMiddleware] = [],
        concurrency: Int = 64,
        clock: any RuntimeClock = SystemClock(),
        retryBackoff: RetryBackoff = .default,
        maximumLoopIterations: Int = FlowRuntime.defaultMaximumLoopIterations,
        maximumSubflowDepth: Int = 32,
        sizeLimits: SizeLimits = .unlimited
    ) {
        self.init(
            plans: plans, registry: registry,
            options: Options(
                dependencies: dependencies, logger: logger, eventHandler: eventHandler, middleware: middleware,
                concurrency: concurrency, clock: clock, retryBackoff: retryBackoff,
                maximumLoopIterations: maximumLoopIterations, maximumSubflowDepth: maximumSubflowDepth,
                sizeLimits: sizeLimits))
    }
}
