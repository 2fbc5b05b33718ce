using System.CommandLine;
using System.CommandLine.Parsing;
using VoiceBridge.Call;

namespace VoiceBridge.Cli;

/// <summary>
/// Bad command lines, refused before any verb runs: the parser's errors, and any word that starts
/// with <c>--</c> and is no option of the verb (the parser would take <c>--faultz</c> for a
/// recording), with exit code 2, the parser's lines, the closest option when one is near, and a
/// one-line hint instead of the whole help.
/// </summary>
internal static class ParseErrors
{
    public const int ExitCode = 2;

    /// <summary>The lines to print for <paramref name="parse"/>; empty when the command line is good.</summary>
    public static IReadOnlyList<string> Of(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var unknown = UnknownOptions(parse).Distinct().ToList();
        var lines = parse.Errors.Select(e => e.Message).Where(m => !unknown.Any(t => m == $"Unrecognized command or argument '{t}'.")).ToList();
        foreach (var token in unknown)
        {
            var near = Closest(token, command);
            lines.Add($"Unknown option '{token}'{(near is null ? "" : $"; did you mean '{near}'?")}");
        }

        return lines.Distinct().ToList();
    }

    /// <summary>Prints <paramref name="lines"/> and the hint to stderr; the exit code.</summary>
    public static int Report(ParseResult parse, IReadOnlyList<string> lines)
    {
        var path = string.Join(' ', Path(parse.CommandResult));
        foreach (var line in lines)
        {
            Console.Error.WriteLine($"{path}: {line}");
        }

        Console.Error.WriteLine($"try '{path} --help'");
        return ExitCode;
    }

    /// <summary>
    /// Words that look like options and that no option took: the verb's own arguments (a recording
    /// named <c>--faultz</c>) and what the parser left over. A value an option took (<c>--token --abc</c>,
    /// <c>--report=--x.json</c>) is the option's, whatever it looks like.
    /// </summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parse)
    {
        var positional = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).ToHashSet();
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }

            if (token.Type == TokenType.Argument && LooksLikeOption(token.Value) && positional.Contains(token))
            {
                yield return token.Value;
            }
        }

        foreach (var unmatched in parse.UnmatchedTokens.Where(LooksLikeOption))
        {
            yield return unmatched;
        }
    }

    private static bool LooksLikeOption(string value) => value.StartsWith("--", StringComparison.Ordinal) && value.Length > 2;

    private static string? Closest(string token, Command command)
    {
        var name = token.Split('=')[0];
        var options = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive)))
            .SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct();
        return options.Select(o => (Name: o, Distance: EditDistance.Of<char>(name, o))).Where(o => o.Distance <= Math.Max(2, name.Length / 4))
            .OrderBy(o => o.Distance).ThenBy(o => Math.Abs(o.Name.Length - name.Length)).Select(o => o.Name).FirstOrDefault();
    }

    private static IEnumerable<string> Path(SymbolResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Push(c.Parent is null ? "voicebridge" : c.Command.Name);
            }
        }

        return names;
    }
}
