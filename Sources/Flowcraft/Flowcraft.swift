@_exported import FlowcraftModel
@_exported import Logging
