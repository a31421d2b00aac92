import Foundation
@testable import FlowcraftRedis
import Testing

/// The include mechanism of the `.lua` files (no Redis needed).
@Suite("Lua script assembly")
struct LuaScriptAssemblerTests {
    @Test("includes nest, doc lines are dropped, constants are substituted")
    func includes() throws {
        let files = [
            "main.lua": "--- the contract\n--@include \"a.lua\"\nreturn x .. \"{{DEFAULT_EVENTS_CAP}}\"\n",
            "a.lua": "--- helper\nlocal x = 1\n--@include \"b.lua\"\n",
            "b.lua": "x = x + 1\n",
        ]
        let source = try LuaScriptAssembler.source("main.lua", files: files)
        #expect(source == "local x = 1\nx = x + 1\nreturn x .. \"10000\"\n")
    }

    @Test("a slot is filled by the caller, with a line break added when missing")
    func slots() throws {
        let files = ["s.lua": "a\n--@slot one\n--@slot two\nb"]
        #expect(try LuaScriptAssembler.source("s.lua", slots: ["one": "x", "two": ""], files: files) == "a\nx\nb")
        #expect(throws: LuaAssemblyError.unfilledSlot("two", file: "s.lua")) {
            try LuaScriptAssembler.source("s.lua", slots: ["one": "x"], files: files)
        }
    }

    @Test("an include cycle, a missing file, an unknown constant or a bad directive is an error naming it")
    func errors() throws {
        let cycle = ["a.lua": "--@include \"b.lua\"\n", "b.lua": "--@include \"a.lua\"\n"]
        #expect(throws: LuaAssemblyError.includeCycle(["a.lua", "b.lua", "a.lua"])) {
            try LuaScriptAssembler.source("a.lua", files: cycle)
        }
        #expect(throws: LuaAssemblyError.missingFile("c.lua", includedFrom: "a.lua")) {
            try LuaScriptAssembler.source("a.lua", files: ["a.lua": "--@include \"c.lua\"\n"])
        }
        #expect(throws: LuaAssemblyError.unknownConstant("NOPE", file: "a.lua")) {
            try LuaScriptAssembler.source("a.lua", files: ["a.lua": "return {{NOPE}}\n"])
        }
        #expect(throws: LuaAssemblyError.badDirective("--@inclde \"b.lua\"", file: "a.lua")) {
            try LuaScriptAssembler.source("a.lua", files: ["a.lua": "--@inclde \"b.lua\"\n"])
        }
        // A Lua table in a table is no constant.
        #expect(try LuaScriptAssembler.source("a.lua", files: ["a.lua": "return {{1}, {{2}}}\n"]) == "return {{1}, {{2}}}\n")
        // A script that cannot be assembled answers every call with an error naming the problem.
        let script = LuaScriptAssembler.script(name: "broken", file: "no-such-file.lua")
        #expect(script.source.contains("ERR flowcraft broken: cannot assemble the script: no Lua file no-such-file.lua"))
    }

    @Test("every .lua file in Sources/FlowcraftRedis/Lua is embedded, and every script assembles")
    func everyFileEmbedded() throws {
        let directory = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../../Sources/FlowcraftRedis/Lua")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".lua") }
        #expect(Set(onDisk) == Set(LuaSourceFiles.byName.keys))
        for name in onDisk {
            let text = try String(contentsOf: directory.appending(path: name), encoding: .utf8)
            #expect(LuaSourceFiles.byName[name] == text, "\(name) is embedded as it is on disk")
        }
        for script in LuaScriptContractTests.allScripts {
            #expect(!script.source.contains("cannot assemble the script"), "\(script.name) assembles")
            #expect(!script.source.contains("--@") && !script.source.contains("{{"), "\(script.name) has no directive left")
        }
    }
}
