import FlowcraftModel

/// What code generation will emit for a set of blueprints, with every Swift name decided and every
/// collision already reported. Translation turns this into declarations without further decisions.
struct CodegenPlan {
    struct Record {
        var key: String
        var swiftName: String
        var fields: [Field]
        var description: String?
        var location: SourceLocation?
        /// Index of the blueprint whose file declares it.
        var home: Int
    }

    struct Field {
        var key: String
        var swiftName: String
        var type: TypeReference
        var location: SourceLocation?
    }

    struct Implementation {
        var uses: String
        /// `chargeCard`: the registry property.
        var memberName: String
        /// `ChargeCard`: the stem of `ChargeCardNode`, `ChargeCardAction`, `ChargeCardResult`.
        var typeStem: String
        var input: TypeReference?
        var output: TypeReference?
        var params: TypeReference?
        /// Routed actions in declaration order (declared) or sorted (inferred), with case names.
        var actions: [(key: String, caseName: String)]
        var actionsDeclared: Bool
        var description: String?
        var declaredAt: SourceLocation?
        /// Nodes using it, as `(blueprint id, node id, location)`, in file order.
        var usedBy: [(blueprint: String, node: String, location: SourceLocation?)]
        var home: Int

        var protocolName: String { typeStem + "Node" }
        var actionTypeName: String { typeStem + "Action" }
        var resultTypeName: String { typeStem + "Result" }
    }

    struct Blueprint {
        var model: WorkflowBlueprint
        var memberName: String
        var displayPath: String
        /// Its `wait` nodes whose edges route on actions, in node order.
        var waits: [Wait] = []
    }

    /// A `wait` node with routed actions: a generated action enum and typed `resume` overloads.
    struct Wait {
        var nodeID: String
        /// `ReviewFlowApprovalAction`.
        var typeName: String
        /// The argument label of the typed `resume` overloads: the node id as a member name, or
        /// prefixed with the blueprint id when another blueprint has a wait node of the same name.
        var label: String
        /// The actions its edges route on, in edge order, with case names.
        var actions: [(key: String, caseName: String)]
        var location: SourceLocation?
    }

    var records: [Record] = []
    var recordNames: [String: String] = [:]
    var implementations: [Implementation] = []
    var blueprints: [Blueprint] = []
    var diagnostics: [Diagnostic] = []
}
