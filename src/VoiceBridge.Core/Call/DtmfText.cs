namespace VoiceBridge.Call;

/// <summary>
/// How keys the caller pressed appear in the conversation: one caller text turn
/// <c>[DTMF 1234#]</c>. It is plain text so that every engine and every provider takes it as the
/// caller's words with no special item type (a Realtime <c>input_text</c> message, a chat LLM's
/// user message), it survives a handoff in the seeded history like any transcript, and a model reads
/// it for what it is; the scripted stand-ins (<see cref="TryParse"/>) answer it.
/// </summary>
public static class DtmfText
{
    /// <summary>The most digits one turn collects; a longer run is split (bounded memory on untrusted input).</summary>
    public const int MaxDigits = 32;

    private const string Prefix = "[DTMF ";

    /// <summary>The 16 RFC 4733 DTMF events as characters: 0-9, *, #, A-D.</summary>
    public static bool IsDigit(char c) => c is (>= '0' and <= '9') or '*' or '#' or (>= 'A' and <= 'D');

    /// <summary>A digit as a leg reported it (one character; a-d in either case), or an error naming what is wrong.</summary>
    public static bool TryNormalize(string? digit, out char normalized, out string? error)
    {
        normalized = '\0';
        if (digit is not { Length: 1 })
        {
            error = digit is null ? "no digit" : $"'{Truncate(digit)}' is {digit.Length} characters, not one digit";
            return false;
        }

        normalized = char.ToUpperInvariant(digit[0]);
        error = IsDigit(normalized) ? null : $"'{Truncate(digit)}' is not a DTMF digit (0-9, *, #, A-D)";
        return error is null;
    }

    /// <summary>The turn text for <paramref name="digits"/>: <c>[DTMF 1234#]</c>.</summary>
    public static string Format(string digits) => Prefix + digits + "]";

    /// <summary>The digits of a text that is exactly a DTMF turn (<see cref="Format"/>), case-insensitive; else false.</summary>
    public static bool TryParse(string? text, out string digits)
    {
        digits = "";
        var s = text.AsSpan().Trim();
        if (s.Length <= Prefix.Length + 1 || !s.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || s[^1] != ']')
        {
            return false;
        }

        var body = s[Prefix.Length..^1];
        if (body.Length > MaxDigits)
        {
            return false;
        }

        Span<char> upper = stackalloc char[body.Length];
        for (var i = 0; i < body.Length; i++)
        {
            upper[i] = char.ToUpperInvariant(body[i]);
            if (!IsDigit(upper[i]))
            {
                return false;
            }
        }

        digits = new string(upper);
        return true;
    }

    private static string Truncate(string s) => s.Length <= 8 ? s : s[..8] + "...";
}
