// ArgumentTests.swift: every command refuses invalid options with a message naming the option, not a trap.
import DRAWTestSupport
import Testing
@testable import DRAWCLI

@Suite struct ArgumentTests {
    /// (command line, a word the message must contain)
    static let invalid: [([String], String)] = [
        (["train", "--threads", "0"], "--threads"),
        (["train", "--batch-size", "0"], "--batch-size"),
        (["train", "--steps", "0"], "--steps"),
        (["train", "--enc-size", "-3"], "--enc-size"),
        (["train", "--z-size", "0"], "--z-size"),
        (["train", "--read-n", "1"], "--read-n"),
        (["train", "--write-n", "0"], "--write-n"),
        (["train", "--iterations", "0"], "--iterations"),
        (["train", "--iterations", "5", "--epochs", "1"], "--epochs"),
        (["train", "--epochs", "-1"], "--epochs"),
        (["train", "--learning-rate", "0"], "--learning-rate"),
        (["train", "--kl-weight", "-1"], "--kl-weight"),
        (["train", "--keep", "0"], "--keep"),
        (["train", "--checkpoint-every", "-1"], "--checkpoint-every"),
        (["train", "--channels", "2"], "--channels"),
        (["train", "--height", "0"], "--height"),
        (["train", "--test-fraction", "1.5"], "--test-fraction"),
        (["train", "--background", "pink"], "--background"),
        (["train", "--preset", "imagenet"], "--preset"),
        (["train", "--loss", "mse"], "loss"),
        (["demo", "--batch-size", "0"], "--batch-size"),
        (["sample", "--rows", "0"], "--rows"),
        (["reconstruct", "--count", "0"], "--count"),
        (["attention", "--count", "-1"], "--count"),
        (["eval", "--batch-size", "0"], "--batch-size"),
        (["eval", "--importance-samples", "0"], "--importance-samples"),
        (["bench", "--config", "huge"], "--config"),
        (["bench", "--seconds", "0"], "--seconds"),
        (["bench", "--precision", "fp8"], "--precision"),
        (["info", "--threads", "-2"], "--threads"),
    ]

    @Test(arguments: invalid)
    func refusesWithAMessage(_ args: [String], _ mentions: String) throws {
        let message = try #require(validationMessage(args), "\(args) was accepted")
        #expect(message.contains(mentions), "\(args): '\(message)' does not mention \(mentions)")
    }

    @Test func readNOfOneIsFineWithoutAttention() {
        #expect(validationMessage(["train", "--read-n", "1", "--write-n", "1", "--no-attention"]) == nil)
    }

    /// Every command (all the subcommands, whatever is added) has an abstract, and every option in its --help has a
    /// description: an option line with nothing after its name teaches nothing.
    @Test func everyCommandHasHelp() throws {
        let commands = DrawCommand.configuration.subcommands
        #expect(commands.count >= 11, "\(commands.map { $0.configuration.commandName ?? "?" })")
        for command in commands {
            let name = command.configuration.commandName ?? "\(command)"
            #expect(!command.configuration.abstract.isEmpty, "\(name) has no abstract")
            let help = DrawCommand.helpMessage(for: command, columns: 400)
            #expect(help.contains("USAGE: draw \(name)"), "\(name) --help")
            #expect(!help.contains("\\\n"), "\(name): a line of its help ends in a backslash (\"\\\\\" in a continued literal)")
            let lines = help.components(separatedBy: "USAGE:").dropFirst().joined().split(separator: "\n",
                                                                                             omittingEmptySubsequences: false)
            var checked = 0
            for (i, line) in lines.enumerated() where line.hasPrefix("  -") {
                // "  --flag <value>    what it does", or a long name alone with the description on the next line.
                let sameLine = line.firstMatch(of: /^  (-[a-zA-Z], )?--[a-z0-9-]+( <[^>]+>)?( \.\.\.)? +\S/) != nil
                let nextLine = i + 1 < lines.count && lines[i + 1].hasPrefix("          ")
                    && !lines[i + 1].trimmingCharacters(in: .whitespaces).isEmpty
                #expect(sameLine || nextLine, "\(name): option without a description: \(line)")
                checked += 1
            }
            #expect(checked >= 1, "\(name): no options found in its help")
        }
    }

    @Test func missingCheckpointIsAClearError() throws {
        let folder = try scratchFolder("missing")
        #expect {
            try runDraw(["sample", "--checkpoint", folder.appendingPathComponent("nope.safetensors").path])
        } throws: { "\($0)".contains("nope.safetensors") }
    }

    @Test func missingDataIsAClearError() throws {
        #expect { try runDraw(["train", "--data", "/no/such/folder", "--iterations", "1"]) } throws: {
            "\($0)".contains("/no/such/folder")
        }
    }
}
