using System.Text;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// Compiles one phrase-file entry (words, <c>[optional]</c>, <c>(a | b)</c>, <c>&lt;slot&gt;</c>) into a
/// JSGF expansion with normalised words, checking that brackets balance and no choice is empty.
/// </summary>
internal static class PhraseSyntax
{
    /// <summary>A compiled entry: its JSGF expansion, its words and the slots it refers to.</summary>
    public sealed record Compiled(string Expansion, IReadOnlyList<string> Words, IReadOnlyList<string> SlotReferences);

    /// <summary>Compiles <paramref name="line"/>; problems are added to <paramref name="problems"/>.</summary>
    public static Compiled Compile(PhraseLine line, List<string> problems)
    {
        var output = new StringBuilder();
        var words = new List<string>();
        var slots = new List<string>();
        var open = new Stack<char>();
        bool alternativeHasContent = false;
        var text = line.Text;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is '[' or '(')
            {
                open.Push(c);
                alternativeHasContent = false;
                Append(output, c.ToString());
                i++;
            }
            else if (c is ']' or ')')
            {
                char expected = c == ']' ? '[' : '(';
                if (open.Count == 0 || open.Pop() != expected)
                {
                    problems.Add($"unbalanced '{c}' in {line}");
                    return new Compiled(string.Empty, words, slots);
                }

                CheckAlternative(alternativeHasContent, line, problems);
                alternativeHasContent = true;
                Append(output, c.ToString());
                i++;
            }
            else if (c == '|')
            {
                CheckAlternative(alternativeHasContent, line, problems);
                alternativeHasContent = false;
                Append(output, "|");
                i++;
            }
            else if (c == '<')
            {
                int end = text.IndexOf('>', i);
                if (end < 0)
                {
                    problems.Add($"unclosed '<' in {line}");
                    return new Compiled(string.Empty, words, slots);
                }

                var name = text[(i + 1)..end].Trim();
                slots.Add(name);
                Append(output, $"<{name}>");
                alternativeHasContent = true;
                i = end + 1;
            }
            else
            {
                int end = text.IndexOfAny(['[', ']', '(', ')', '|', '<'], i);
                end = end < 0 ? text.Length : end;
                foreach (var word in PhraseNormalizer.Words(text[i..end]))
                {
                    words.Add(word);
                    Append(output, word);
                    alternativeHasContent = true;
                }

                i = end;
            }
        }

        if (open.Count > 0)
        {
            problems.Add($"unclosed '{open.Peek()}' in {line}");
        }
        else
        {
            CheckAlternative(alternativeHasContent, line, problems);
        }

        return new Compiled(output.ToString(), words, slots);
    }

    private static void CheckAlternative(bool hasContent, PhraseLine line, List<string> problems)
    {
        if (!hasContent)
        {
            problems.Add($"empty choice or group (no words) in {line}");
        }
    }

    private static void Append(StringBuilder output, string token)
    {
        if (output.Length > 0)
        {
            output.Append(' ');
        }

        output.Append(token);
    }
}
