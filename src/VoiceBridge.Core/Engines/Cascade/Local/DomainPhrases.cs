using System.Text.RegularExpressions;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// What callers of one deployment say, as a phrase file (the source of the recogniser's grammar).
/// One entry a line; <c>#</c> starts a comment.
/// <list type="bullet">
/// <item><c>&lt;slot&gt; = choice | choice</c> defines a slot; any other line is a sentence.</item>
/// <item>In both: <c>[words]</c> is optional, <c>(a | b)</c> is a choice, <c>&lt;slot&gt;</c> refers to a slot.
/// Words are written naturally ("10", "O'Clock", "Friday,") and normalised by <see cref="PhraseNormalizer"/>.</item>
/// <item>Two slots, when defined, shape whole utterances: <c>&lt;opening&gt;</c> (e.g. "hi", "yes") may come
/// before a sentence, <c>&lt;closing&gt;</c> (e.g. "thank you") after it, up to twice.</item>
/// </list>
/// </summary>
public sealed partial class DomainPhrases
{
    private DomainPhrases(string source, IReadOnlyList<PhraseLine> sentences, IReadOnlyDictionary<string, PhraseLine> slots)
    {
        Source = source;
        Sentences = sentences;
        Slots = slots;
    }

    /// <summary>Where the phrases came from (a path or a name), for error messages.</summary>
    public string Source { get; }

    /// <summary>The sentence lines, in file order.</summary>
    public IReadOnlyList<PhraseLine> Sentences { get; }

    /// <summary>The slot definitions by name (the right-hand side of each).</summary>
    public IReadOnlyDictionary<string, PhraseLine> Slots { get; }

    /// <summary>Reads a phrase file.</summary>
    /// <exception cref="GrammarException">The file is missing or malformed.</exception>
    public static DomainPhrases Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new GrammarException([$"phrase file not found: {path}"]);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses phrase-file text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="GrammarException">A slot is defined twice or badly named, or there is no sentence.</exception>
    public static DomainPhrases Parse(string text, string source)
    {
        var sentences = new List<PhraseLine>();
        var slots = new Dictionary<string, PhraseLine>(StringComparer.Ordinal);
        var problems = new List<string>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = StripComment(lines[i]).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var definition = SlotDefinition().Match(line);
            if (!definition.Success)
            {
                sentences.Add(new PhraseLine(line, source, i + 1));
                continue;
            }

            var name = definition.Groups["name"].Value;
            if (!SlotName().IsMatch(name) || name is JsgfGrammar.SentenceRule or JsgfGrammar.UtteranceRule)
            {
                problems.Add($"{source} line {i + 1}: bad slot name <{name}> (letters, digits and _; not <sentence> or <utterance>)");
            }
            else if (!slots.TryAdd(name, new PhraseLine(definition.Groups["body"].Value.Trim(), source, i + 1)))
            {
                problems.Add($"{source} line {i + 1}: slot <{name}> is already defined on line {slots[name].Line}");
            }
        }

        if (sentences.Count == 0)
        {
            problems.Add($"{source}: no sentences");
        }

        return problems.Count > 0 ? throw new GrammarException(problems) : new DomainPhrases(source, sentences, slots);
    }

    private static string StripComment(string line)
    {
        int hash = line.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? line : line[..hash];
    }

    [GeneratedRegex(@"^<(?<name>[^<>]*)>\s*=(?<body>.*)$")]
    private static partial Regex SlotDefinition();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex SlotName();
}

/// <summary>One line of a phrase file: its text and where it is.</summary>
public sealed record PhraseLine(string Text, string Source, int Line)
{
    /// <summary>"\"text\" (source line N)", for error messages.</summary>
    public override string ToString() => $"\"{Text}\" ({Source} line {Line})";
}

/// <summary>The phrases cannot become a grammar; <see cref="Problems"/> lists every reason, each naming the word or line.</summary>
public sealed class GrammarException(IReadOnlyList<string> problems)
    : Exception($"cannot build the speech grammar: {string.Join("; ", problems)}")
{
    /// <summary>Each problem on its own.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
