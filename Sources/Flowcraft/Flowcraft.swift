@_exported import FlowcraftModel
