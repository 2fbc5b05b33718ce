using System.Net;
using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// One Via value: <c>SIP/2.0/transport host[:port] *(;param)</c> (RFC 3261 20.42, rport from RFC 3581).
/// Transport is upper-cased; Host keeps IPv6 brackets. Branch, received and rport have their own members;
/// <see cref="Parameters"/> holds every other parameter (maddr, ttl, extensions) in order.
/// </summary>
public sealed record SipVia(
    string Transport,
    string Host,
    int? Port,
    string? Branch,
    string? Received,
    bool HasRport,
    int? Rport,
    IReadOnlyDictionary<string, string?> Parameters)
{
    /// <summary>The RFC 3261 branch prefix: a branch that starts with it is a globally unique transaction id.</summary>
    public const string MagicCookie = "z9hG4bK";

    /// <summary>True when the branch carries the RFC 3261 magic cookie (and something after it).</summary>
    public bool HasRfc3261Branch => Branch is { Length: > 7 } b && b.StartsWith(MagicCookie, StringComparison.Ordinal);

    /// <summary>Builds a Via for a request we send, asking for rport (RFC 3581) when <paramref name="rport"/> is set.</summary>
    public static SipVia Create(string transport, string host, int? port, string branch, bool rport = true) =>
        new(transport.ToUpperInvariant(), host, port, branch, null, rport, null, SipParameters.Empty());

    /// <summary>Parses one Via value (already split from a comma list). Never throws.</summary>
    public static bool TryParse(string text, out SipVia? via, out string? error) => TryParse(text, lenient: false, out via, out error);

    /// <summary>The received parameter set to the address the request came from (RFC 3261 18.2.1).</summary>
    public SipVia WithReceived(string? received) => this with { Received = received };

    /// <summary>The rport parameter filled with the source port the request came from (RFC 3581 4).</summary>
    public SipVia WithRport(int port) => this with { HasRport = true, Rport = port };

    public override string ToString()
    {
        var sb = new StringBuilder(64).Append("SIP/2.0/").Append(Transport).Append(' ').Append(Host);
        if (Port is int port)
        {
            sb.Append(':').Append(port);
        }

        if (Branch is not null)
        {
            sb.Append(";branch=").Append(Branch);
        }

        if (Received is not null)
        {
            sb.Append(";received=").Append(Received);
        }

        if (HasRport)
        {
            sb.Append(";rport");
            if (Rport is int rport)
            {
                sb.Append('=').Append(rport);
            }
        }

        SipParameters.Append(sb, Parameters);
        return sb.ToString();
    }

    public bool Equals(SipVia? other) =>
        other is not null
        && string.Equals(Transport, other.Transport, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase)
        && Port == other.Port
        && string.Equals(Branch, other.Branch, StringComparison.Ordinal)
        && string.Equals(Received, other.Received, StringComparison.Ordinal)
        && HasRport == other.HasRport
        && Rport == other.Rport
        && SipParameters.AreEqual(Parameters, other.Parameters);

    public override int GetHashCode() =>
        HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Transport), StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port, Branch, Received, HasRport, Rport);

    /// <summary>
    /// <paramref name="lenient"/> accepts empty parameters and a protocol other than SIP/2.0: used only to
    /// read where to send a 400 or 505 for a request that is otherwise broken.
    /// </summary>
    internal static bool TryParse(string text, bool lenient, out SipVia? via, out string? error)
    {
        via = null;
        error = text is null ? "empty Via" : Parse(text.Trim(), lenient, out via);
        return error is null;
    }

    private static string? Parse(string text, bool lenient, out SipVia? via)
    {
        via = null;
        int i = 0;
        string protocol = ReadToken(text, ref i);
        string version = ExpectSlashToken(text, ref i);
        string transport = ExpectSlashToken(text, ref i);
        if (protocol.Length == 0 || version.Length == 0 || transport.Length == 0)
        {
            return text.Length == 0 ? "empty Via" : $"Via {SipUri.Show(text)} has no SIP/2.0/transport";
        }

        if (!lenient && (!protocol.Equals("SIP", StringComparison.OrdinalIgnoreCase) || version != "2.0"))
        {
            return $"Via protocol {protocol}/{version} is not SIP/2.0";
        }

        int hostStart = SipSyntax.SkipWhitespace(text, i);
        if (hostStart == i)
        {
            return $"Via {SipUri.Show(text)} has no space before its sent-by";
        }

        i = hostStart;
        if (i < text.Length && text[i] == '[')
        {
            int close = text.IndexOf(']', i);
            i = close < 0 ? text.Length : close + 1;
        }
        else
        {
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '-' or '.' or '_'))
            {
                i++;
            }
        }

        string host = text[hostStart..i];
        if (!SipSyntax.IsHost(host))
        {
            return $"Via has an invalid host {SipUri.Show(host)}";
        }

        int? port = null;
        i = SipSyntax.SkipWhitespace(text, i);
        if (i < text.Length && text[i] == ':')
        {
            int portStart = i = SipSyntax.SkipWhitespace(text, i + 1);
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (!SipSyntax.TryParsePort(text.AsSpan(portStart, i - portStart), out int value))
            {
                return $"Via {SipUri.Show(text)} has an invalid port";
            }

            port = value;
        }

        var all = SipParameters.Empty();
        string? error = SipParameters.Parse(text, i, lenient, all);
        if (error is not null)
        {
            return $"Via {SipUri.Show(text)}: {error}";
        }

        return Build(transport.ToUpperInvariant(), host, port, all, lenient, out via);
    }

    private static string? Build(string transport, string host, int? port, OrderedDictionary<string, string?> all, bool lenient, out SipVia? via)
    {
        via = null;
        all.Remove("branch", out string? branch);
        all.Remove("received", out string? received);
        bool hasRport = all.Remove("rport", out string? rportText);
        int? rport = null;
        if (!lenient)
        {
            if (branch is not null && !SipSyntax.IsToken(branch))
            {
                return $"Via branch {SipUri.Show(branch)} is not a token";
            }

            if (received is not null && !IPAddress.TryParse(received, out _))
            {
                return $"Via received {SipUri.Show(received)} is not an IP address";
            }
        }

        if (rportText is not null)
        {
            if (!SipSyntax.TryParsePort(rportText, out int value))
            {
                return $"Via rport {SipUri.Show(rportText)} is not a port";
            }

            rport = value;
        }

        via = new SipVia(transport, host, port, branch, received, hasRport, rport, all);
        return null;
    }

    private static string ReadToken(string text, ref int i)
    {
        int start = i;
        while (i < text.Length && SipSyntax.IsTokenChar(text[i]))
        {
            i++;
        }

        return text[start..i];
    }

    /// <summary>SLASH = SWS "/" SWS, then a token; empty when the slash is missing.</summary>
    private static string ExpectSlashToken(string text, ref int i)
    {
        int j = SipSyntax.SkipWhitespace(text, i);
        if (j >= text.Length || text[j] != '/')
        {
            return string.Empty;
        }

        i = SipSyntax.SkipWhitespace(text, j + 1);
        return ReadToken(text, ref i);
    }
}
