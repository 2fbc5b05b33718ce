using System.Text;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// A JSGF grammar generated from a deployment's <see cref="DomainPhrases"/>, with the pronunciation of
/// every word it uses. An utterance is one sentence, optionally preceded by an opening and followed by
/// up to two closings:
/// <c>public &lt;utterance&gt; = [&lt;opening&gt;] &lt;sentence&gt; [&lt;closing&gt; [&lt;closing&gt;]];</c>
/// so "hi, what are your opening hours" and "good morning, I need to cancel my appointment" are heard
/// though no phrase says them, while short answers (a day, a time) cannot string together into a
/// plausible-sounding run of words. Hesitations ("um") need no words: pocketsphinx's own noise and
/// silence fillers absorb them.
/// </summary>
public sealed class JsgfGrammar
{
    /// <summary>The slot whose choices may open an utterance.</summary>
    public const string OpeningSlot = "opening";

    /// <summary>The slot whose choices may close an utterance (up to twice).</summary>
    public const string ClosingSlot = "closing";

    internal const string SentenceRule = "sentence";
    internal const string UtteranceRule = "utterance";

    private JsgfGrammar(string text, IReadOnlyList<string> words, IReadOnlyList<(string Word, string Phones)> pronunciations)
    {
        Text = text;
        Words = words;
        Pronunciations = pronunciations;
    }

    /// <summary>The grammar, JSGF V1.0; its public rule is <c>&lt;utterance&gt;</c>.</summary>
    public string Text { get; }

    /// <summary>Every word the grammar uses, sorted.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Each word's pronunciations, alternates spelled <c>word(2)</c> as in the dictionary.</summary>
    public IReadOnlyList<(string Word, string Phones)> Pronunciations { get; }

    /// <summary>Builds the grammar of <paramref name="phrases"/>, reading the dictionary from <paramref name="options"/>.</summary>
    /// <exception cref="GrammarException">A word is not in the dictionary, a slot is undefined or circular, or a line is malformed.</exception>
    /// <exception cref="PocketsphinxException">The dictionary file is missing.</exception>
    public static JsgfGrammar Build(DomainPhrases phrases, PocketsphinxOptions options) =>
        Build(phrases, PronunciationDictionary.Load(options.DictionaryPath));

    /// <summary>Builds the grammar of <paramref name="phrases"/>; every problem is reported at once.</summary>
    /// <exception cref="GrammarException">A word is not in the dictionary, a slot is undefined or circular, or a line is malformed.</exception>
    public static JsgfGrammar Build(DomainPhrases phrases, PronunciationDictionary dictionary)
    {
        var problems = new List<string>();
        var slots = phrases.Slots.ToDictionary(s => s.Key, s => (Line: s.Value, Rule: PhraseSyntax.Compile(s.Value, problems)), StringComparer.Ordinal);
        var sentences = phrases.Sentences.Select(s => (Line: s, Rule: PhraseSyntax.Compile(s, problems))).ToList();
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (line, rule) in slots.Values.Concat(sentences))
        {
            foreach (var slot in rule.SlotReferences.Where(r => !slots.ContainsKey(r)).Distinct())
            {
                problems.Add($"undefined slot <{slot}> in {line}");
            }

            foreach (var word in rule.Words.Distinct())
            {
                if (dictionary.Pronunciations(word).Count == 0)
                {
                    problems.Add($"unknown word '{word}' in {line}: not in the pronunciation dictionary {dictionary.Path}");
                }

                words.Add(word);
            }
        }

        problems.AddRange(Cycles(slots.ToDictionary(s => s.Key, s => s.Value.Rule.SlotReferences)));
        if (problems.Count > 0)
        {
            throw new GrammarException(problems);
        }

        var text = Assemble(slots.ToDictionary(s => s.Key, s => s.Value.Rule.Expansion), sentences.Select(s => s.Rule.Expansion));
        var pronunciations = words
            .SelectMany(w => dictionary.Pronunciations(w).Select((phones, i) => (i == 0 ? w : $"{w}({i + 1})", phones)))
            .ToList();
        return new JsgfGrammar(text, [.. words], pronunciations);
    }

    private static string Assemble(Dictionary<string, string> slots, IEnumerable<string> sentences)
    {
        var text = new StringBuilder("#JSGF V1.0;\ngrammar domain;\n\n");
        foreach (var (name, expansion) in slots.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append('<').Append(name).Append("> = ").Append(expansion).Append(";\n");
        }

        text.Append('<').Append(SentenceRule).Append("> = (")
            .AppendJoin(")\n    | (", sentences.Distinct(StringComparer.Ordinal)).Append(");\n\n");
        var utterance = new List<string>();
        if (slots.ContainsKey(OpeningSlot))
        {
            utterance.Add($"[<{OpeningSlot}>]");
        }

        utterance.Add($"<{SentenceRule}>");
        if (slots.ContainsKey(ClosingSlot))
        {
            utterance.Add($"[<{ClosingSlot}> [<{ClosingSlot}>]]");
        }

        return text.Append("public <").Append(UtteranceRule).Append("> = ").AppendJoin(' ', utterance).Append(";\n").ToString();
    }

    private static IEnumerable<string> Cycles(Dictionary<string, IReadOnlyList<string>> references)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var cyclic = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var start in references.Keys)
        {
            Visit(start, []);
        }

        return cyclic.Select(s => $"slot <{s}> refers to itself (directly or through other slots)");

        void Visit(string slot, List<string> path)
        {
            if (path.Contains(slot))
            {
                cyclic.Add(slot);
                return;
            }

            if (!done.Add(slot) || !references.TryGetValue(slot, out var next))
            {
                return;
            }

            path.Add(slot);
            foreach (var reference in next)
            {
                Visit(reference, path);
            }

            path.RemoveAt(path.Count - 1);
        }
    }
}
