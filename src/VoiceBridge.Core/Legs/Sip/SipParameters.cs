using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Header parameters (<c>*( SEMI generic-param )</c>) as used after a Via sent-by and a name-addr, kept
/// in arrival order with case-insensitive names. Values stay as written (a quoted value keeps its quotes)
/// so that a message can be forwarded or echoed without changing it.
/// </summary>
internal static class SipParameters
{
    public static OrderedDictionary<string, string?> Empty() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Parses parameters from <paramref name="start"/> to the end of <paramref name="text"/>. LWS is allowed
    /// around ';' and '='. <paramref name="lenient"/> skips empty parameters (";;") instead of failing,
    /// which is only used to read enough of a broken request to answer it.
    /// </summary>
    public static string? Parse(string text, int start, bool lenient, OrderedDictionary<string, string?> into)
    {
        int i = SipSyntax.SkipWhitespace(text, start);
        while (i < text.Length)
        {
            if (text[i] != ';')
            {
                return $"unexpected {SipUri.Show(text[i..Math.Min(text.Length, i + 10)])} where ';' or the end was expected";
            }

            i = SipSyntax.SkipWhitespace(text, i + 1);
            int nameStart = i;
            while (i < text.Length && SipSyntax.IsTokenChar(text[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                if (lenient && (i == text.Length || text[i] == ';'))
                {
                    continue;
                }

                return "empty parameter";
            }

            string name = text[nameStart..i];
            string? value = null;
            i = SipSyntax.SkipWhitespace(text, i);
            if (i < text.Length && text[i] == '=')
            {
                string? error = ParseValue(text, SipSyntax.SkipWhitespace(text, i + 1), out value, out i);
                if (error is not null)
                {
                    return $"parameter {name}: {error}";
                }

                i = SipSyntax.SkipWhitespace(text, i);
            }

            if (!into.TryAdd(name, value))
            {
                return $"duplicate parameter {name}";
            }
        }

        return null;
    }

    /// <summary>gen-value = token / host / quoted-string.</summary>
    private static string? ParseValue(string text, int i, out string? value, out int end)
    {
        value = null;
        end = i;
        if (i < text.Length && text[i] == '"')
        {
            end = SipSyntax.SkipQuoted(text, i);
            if (end < 0)
            {
                return "unterminated quoted string";
            }

            value = text[i..end];
            return null;
        }

        while (end < text.Length && (SipSyntax.IsTokenChar(text[end]) || text[end] is ':' or '[' or ']'))
        {
            end++;
        }

        if (end == i)
        {
            return "missing value after '='";
        }

        value = text[i..end];
        return null;
    }

    public static void Append(StringBuilder sb, IReadOnlyDictionary<string, string?> parameters)
    {
        foreach (KeyValuePair<string, string?> p in parameters)
        {
            sb.Append(';').Append(p.Key);
            if (p.Value is not null)
            {
                sb.Append('=').Append(p.Value);
            }
        }
    }

    /// <summary>Same names (case-insensitive) with the same values, in any order.</summary>
    public static bool AreEqual<TValue>(IReadOnlyDictionary<string, TValue> a, IReadOnlyDictionary<string, TValue> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (KeyValuePair<string, TValue> p in a)
        {
            if (!TryGet(b, p.Key, out TValue? other) || !string.Equals(p.Value as string, other as string, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public static int Hash<TValue>(IReadOnlyDictionary<string, TValue> parameters)
    {
        int hash = parameters.Count;
        foreach (KeyValuePair<string, TValue> p in parameters)
        {
            hash ^= StringComparer.OrdinalIgnoreCase.GetHashCode(p.Key);
        }

        return hash;
    }

    /// <summary>Case-insensitive lookup even when a caller built the dictionary with an ordinal comparer.</summary>
    public static bool TryGet<TValue>(IReadOnlyDictionary<string, TValue> parameters, string name, out TValue? value)
    {
        if (parameters.TryGetValue(name, out value))
        {
            return true;
        }

        foreach (KeyValuePair<string, TValue> p in parameters)
        {
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>A copy in the same order with <paramref name="name"/> set (replaced in place or appended).</summary>
    public static OrderedDictionary<string, string?> With(IReadOnlyDictionary<string, string?> parameters, string name, string? value)
    {
        var copy = Empty();
        bool set = false;
        foreach (KeyValuePair<string, string?> p in parameters)
        {
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                copy[name] = value;
                set = true;
            }
            else
            {
                copy[p.Key] = p.Value;
            }
        }

        if (!set)
        {
            copy[name] = value;
        }

        return copy;
    }
}
