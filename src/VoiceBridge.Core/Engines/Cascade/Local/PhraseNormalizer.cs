using System.Globalization;
using System.Text.RegularExpressions;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// Turns written text into the words a pronunciation dictionary spells: lower case, punctuation
/// dropped (hyphens split words), typographic apostrophes made straight and kept inside words
/// ("o'clock", "i'd"), numbers spelled out ("10" -> "ten", "2nd" -> "second", "1,250" -> "one thousand
/// two hundred fifty", "2.5" -> "two point five"), "&amp;" -> "and", "%" -> "percent".
/// </summary>
public static partial class PhraseNormalizer
{
    private static readonly string[] Ones =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    private static readonly Dictionary<string, string> IrregularOrdinals = new(StringComparer.Ordinal)
    {
        ["one"] = "first", ["two"] = "second", ["three"] = "third", ["five"] = "fifth",
        ["eight"] = "eighth", ["nine"] = "ninth", ["twelve"] = "twelfth",
    };

    /// <summary>The dictionary words of <paramref name="text"/>, in order.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var straight = text.Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u02BC', '\'').Replace('`', '\'');
        foreach (Match token in Token().Matches(straight.ToLowerInvariant()))
        {
            if (token.Groups["number"].Success)
            {
                AddNumber(words, token.Groups["number"].Value, token.Groups["ordinal"].Success);
            }
            else if (token.Groups["symbol"].Success)
            {
                words.Add(token.Value == "&" ? "and" : "percent");
            }
            else if (token.Value.Trim('\'') is { Length: > 0 } word)
            {
                words.Add(word);
            }
        }

        return words;
    }

    /// <summary>The words of <paramref name="text"/> joined by single spaces.</summary>
    public static string Normalize(string text) => string.Join(' ', Words(text));

    /// <summary>A whole number in words, American style ("one hundred five").</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static string Cardinal(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (value < 20)
        {
            return Ones[value];
        }

        if (value < 100)
        {
            return value % 10 == 0 ? Tens[value / 10] : $"{Tens[value / 10]} {Ones[value % 10]}";
        }

        var (size, name) = value switch
        {
            >= 1_000_000_000 => (1_000_000_000L, "billion"),
            >= 1_000_000 => (1_000_000L, "million"),
            >= 1_000 => (1_000L, "thousand"),
            _ => (100L, "hundred"),
        };
        var head = $"{Cardinal(value / size)} {name}";
        return value % size == 0 ? head : $"{head} {Cardinal(value % size)}";
    }

    private static void AddNumber(List<string> words, string digits, bool ordinal)
    {
        var parts = digits.Replace(",", string.Empty, StringComparison.Ordinal).Split('.');
        if (parts[0].Length > 12)
        {
            words.AddRange(parts[0].Select(d => Ones[d - '0']));
            return;
        }

        var cardinal = Cardinal(long.Parse(parts[0], CultureInfo.InvariantCulture)).Split(' ');
        if (ordinal)
        {
            var last = cardinal[^1];
            cardinal[^1] = IrregularOrdinals.TryGetValue(last, out var irregular) ? irregular
                : last.EndsWith('y') ? $"{last[..^1]}ieth" : $"{last}th";
        }

        words.AddRange(cardinal);
        if (parts.Length > 1)
        {
            words.Add("point");
            words.AddRange(parts[1].Select(d => Ones[d - '0']));
        }
    }

    [GeneratedRegex(@"(?<number>\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)(?<ordinal>st|nd|rd|th)?|(?<symbol>[&%])|[\p{L}\p{M}']+")]
    private static partial Regex Token();
}
