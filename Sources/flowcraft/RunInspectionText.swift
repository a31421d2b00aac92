import Flowcraft
import Foundation

/// The text form of `flowcraft inspect RUN`.
enum RunInspectionText {
    static func render(_ inspection: RunInspection, indent: String = "") throws -> String {
        let s = inspection.summary
        var out = "\(indent)run \(s.runID)\n"
        out += "\(indent)  blueprint: \(s.blueprintID)\(s.blueprintVersion.map { " (version \($0))" } ?? "")\n"
        out += "\(indent)  status: \(s.status.rawValue)\n"
        out += "\(indent)  started: \(HistoryFormatting.timestamp(s.startedAt))"
        out += s.endedAt.map { ", ended: \(HistoryFormatting.timestamp($0)) (\(HistoryFormatting.duration($0 - s.startedAt)))" } ?? ""
        out += "\n"
        if let parent = s.parentRunID { out += "\(indent)  parent: \(parent)\(s.parentNodeID.map { " at node '\($0)'" } ?? "")\n" }
        if let failed = s.failedNodeID {
            out += "\(indent)  failed node: \(failed)\(s.errorLocation.map { " (\($0))" } ?? "")\n"
        }
        if let error = s.error { out += "\(indent)  error: \(error)\n" }
        if !inspection.historyComplete { out += "\(indent)  (the oldest events were dropped by the history cap)\n" }
        if inspection.timeline.isEmpty {
            out += "\(indent)  timeline: no node executions recorded\n"
        } else {
            out += "\(indent)  timeline:\n"
            var rows = [["#", "NODE", "STATUS", "START", "DURATION", "ATTEMPTS", "ACTION", "ERROR"]]
            for e in inspection.timeline {
                // A node that completed after failed attempts: the last of those errors, marked as such.
                var error = e.error ?? e.attemptErrors.compactMap { $0 }.last.map { "retried after: " + $0 } ?? ""
                if let location = e.errorLocation, !error.isEmpty { error += " (\(location))" }
                if let fallback = e.fallbackNodeID { error += error.isEmpty ? "fallback: \(fallback)" : "; fallback: \(fallback)" }
                if let child = e.childRunID { error += error.isEmpty ? "child run: \(child)" : "; child run: \(child)" }
                rows.append([
                    String(e.sequence), e.iteration == 0 ? e.nodeID : "\(e.nodeID)#\(e.iteration)", e.status.rawValue,
                    e.startOffsetMs.map { "+" + HistoryFormatting.duration($0) } ?? "-", HistoryFormatting.duration(e.durationMs),
                    String(e.attempts), e.action ?? "", error,
                ])
            }
            out += HistoryFormatting.table(rows).split(separator: "\n").map { "\(indent)    \($0)\n" }.joined()
        }
        if !inspection.pauses.isEmpty {
            out += "\(indent)  pauses:\n"
            for p in inspection.pauses {
                switch p.kind {
                case .paused:
                    out += "\(indent)    #\(p.sequence) +\(HistoryFormatting.duration(p.offsetMs)) paused on \(p.nodes.joined(separator: ", "))\n"
                case .resumed:
                    out += "\(indent)    #\(p.sequence) +\(HistoryFormatting.duration(p.offsetMs)) resumed \(p.nodes.joined(separator: ", "))"
                    out += (p.action.map { " with action '\($0)'" } ?? "") + "\n"
                }
            }
        }
        out += "\(indent)  context:\n"
        out += try HistoryFormatting.json(inspection.context).split(separator: "\n").map { "\(indent)    \($0)\n" }.joined()
        for child in inspection.children {
            out += "\(indent)  child run:\n"
            out += try render(child, indent: indent + "    ")
        }
        return out
    }
}
