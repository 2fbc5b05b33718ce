using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;

namespace VoiceBridge.Replay.Html;

/// <summary>
/// The few ways the page writes values: text always HTML-encoded (the report's strings are
/// untrusted: a caller's words, a provider's error), numbers in the invariant culture (SVG
/// coordinates must never get a decimal comma), and lists that may be missing from a hand-edited
/// or older report read as empty.
/// </summary>
internal static class HtmlText
{
    /// <summary>
    /// The text, safe in element content and in quoted attribute values. Characters no HTML or XML
    /// document may hold (C0 controls other than tab and line breaks, lone surrogates, U+FFFE/F)
    /// become U+FFFD first: a provider's garbage must not make the page malformed.
    /// </summary>
    public static string E(string? text) => string.IsNullOrEmpty(text) ? "" : WebUtility.HtmlEncode(Printable(text));

    private static string Printable(string text)
    {
        StringBuilder? clean = null;
        for (var i = 0; i < text.Length; i++)
        {
            var pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (pair || XmlConvert.IsXmlChar(text[i]))
            {
                clean?.Append(text[i]);
                if (pair)
                {
                    clean?.Append(text[++i]);
                }

                continue;
            }

            clean ??= new StringBuilder(text.Length).Append(text, 0, i);
            clean.Append('\uFFFD');
        }

        return clean?.ToString() ?? text;
    }

    /// <summary>A coordinate or length with one decimal, invariant.</summary>
    public static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds as "123 ms", or "-" when unknown.</summary>
    public static string Ms(long? ms) => ms is { } v ? v.ToString(CultureInfo.InvariantCulture) + " ms" : "-";

    /// <summary>A count, invariant.</summary>
    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A list that a deserialised report may have left null, as empty.</summary>
    public static IReadOnlyList<T> List<T>(IReadOnlyList<T>? list) => list ?? [];

    /// <summary>One name/value pair of a figures line; the value is encoded.</summary>
    public static void Figure(StringBuilder page, string name, string value) =>
        page.Append("<div><dt>").Append(E(name)).Append("</dt><dd>").Append(E(value)).Append("</dd></div>\n");

    public static void Figure(StringBuilder page, string name, long value) =>
        Figure(page, name, value.ToString(CultureInfo.InvariantCulture));
}
