namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Typed views of the headers the call path needs. Each is read from <see cref="Headers"/> when first
/// asked for and kept until the headers change. On a message built by hand a missing mandatory header
/// throws <see cref="InvalidOperationException"/> and a malformed one <see cref="FormatException"/>;
/// the parser never returns a message for which that can happen.
/// </summary>
public sealed partial class SipMessage
{
    /// <summary>Largest Max-Forwards value (RFC 3261 20.22: 0-255).</summary>
    public const int MaxMaxForwards = 255;

    private readonly Dictionary<string, (int Version, object? Value)> _typed = new(StringComparer.Ordinal);

    /// <summary>Top Via values of an <see cref="SipParseResult.Answerable"/> request, read leniently.</summary>
    private IReadOnlyList<SipVia>? _answerableVias;

    public string CallId => Typed(SipHeaderNames.CallId, () => ReadCallId(Headers, out string? value) is { } e ? throw Failure(SipHeaderNames.CallId, e) : value!);

    public SipCSeq CSeq => Typed(SipHeaderNames.CSeq, () => Single(SipHeaderNames.CSeq) is var text && SipCSeq.TryParse(text, out SipCSeq c, out string? e) ? c : throw new FormatException(e));

    /// <summary>Every Via value in order, comma lists split; empty when there is none.</summary>
    public IReadOnlyList<SipVia> Vias => _answerableVias ?? Typed(SipHeaderNames.Via, () => ReadVias(Headers, lenient: false, out List<SipVia> v) is { } e ? throw new FormatException(e) : v);

    /// <summary>The first Via: where a response goes (RFC 3261 18.2.2) and the transaction's branch.</summary>
    public SipVia TopVia => Vias.Count > 0 ? Vias[0] : throw new InvalidOperationException("no Via header");

    public SipNameAddr From => Typed(SipHeaderNames.From, () => ReadAddress(SipHeaderNames.From));

    public SipNameAddr To => Typed(SipHeaderNames.To, () => ReadAddress(SipHeaderNames.To));

    /// <summary>The first Contact; null when there is none or it is "*" (see <see cref="IsContactWildcard"/>).</summary>
    public SipNameAddr? Contact => Contacts.Count > 0 ? Contacts[0] : null;

    /// <summary>Every Contact value in order (empty for "*").</summary>
    public IReadOnlyList<SipNameAddr> Contacts => ReadList(SipHeaderNames.Contact);

    /// <summary>True for "Contact: *" (a REGISTER removing all bindings).</summary>
    public bool IsContactWildcard => Headers.Get(SipHeaderNames.Contact) is "*";

    public IReadOnlyList<SipNameAddr> RecordRoute => ReadList(SipHeaderNames.RecordRoute);

    public IReadOnlyList<SipNameAddr> Route => ReadList(SipHeaderNames.Route);

    /// <summary>
    /// Max-Forwards, or null when absent: RFC 2543 peers omit it, and RFC 3261 16.3 lets an element
    /// treat that as "no limit", so the parser accepts its absence.
    /// </summary>
    public int? MaxForwards => Typed(SipHeaderNames.MaxForwards, () => ReadMaxForwards(Headers, out int? value) is { } e ? throw new FormatException(e) : value);

    /// <summary>The Request-URI parsed (sip/sips structured, other schemes opaque); null for a response.</summary>
    public SipUri? ParsedRequestUri => IsRequest && SipUri.TryParse(RequestUri, out SipUri? uri, out _) ? uri : null;

    internal void SetAnswerableVias(IReadOnlyList<SipVia> vias) => _answerableVias = vias;

    /// <summary>
    /// Reads every Via value. Lenient (only for answering a broken request) skips empty values and
    /// parameters and, once the top Via is read, any value it cannot read.
    /// </summary>
    internal static string? ReadVias(SipHeaders headers, bool lenient, out List<SipVia> vias)
    {
        vias = [];
        foreach (string line in headers.GetAll(SipHeaderNames.Via))
        {
            List<string>? values = SipSyntax.SplitList(line);
            if (values is null)
            {
                return $"Via {SipUri.Show(line)} has an unbalanced quote or '<'";
            }

            foreach (string value in values)
            {
                if (value.Length == 0 && lenient)
                {
                    continue;
                }

                if (!SipVia.TryParse(value, lenient, out SipVia? via, out string? error))
                {
                    if (lenient && vias.Count > 0)
                    {
                        continue;
                    }

                    return error;
                }

                vias.Add(via!);
            }
        }

        return null;
    }

    /// <summary>Reads a Contact, Route or Record-Route list; a lone "*" Contact gives an empty list.</summary>
    internal static string? ReadAddressList(SipHeaders headers, string name, out List<SipNameAddr> values)
    {
        values = [];
        IReadOnlyList<string> lines = headers.GetAll(name);
        if (name == SipHeaderNames.Contact && lines.Count == 1 && lines[0] == "*")
        {
            return null;
        }

        foreach (string line in lines)
        {
            List<string>? parts = SipSyntax.SplitList(line);
            if (parts is null)
            {
                return $"{name} {SipUri.Show(line)} has an unbalanced quote or '<'";
            }

            foreach (string part in parts)
            {
                if (part == "*")
                {
                    return $"{name} '*' must stand alone";
                }

                if (!SipNameAddr.TryParse(part, out SipNameAddr? value, out string? error))
                {
                    return $"{name}: {error}";
                }

                values.Add(value!);
            }
        }

        return null;
    }

    /// <summary>Call-ID = word ["@" word]; returns an error or null with <paramref name="value"/> set.</summary>
    internal static string? ReadCallId(SipHeaders headers, out string? value)
    {
        value = null;
        IReadOnlyList<string> lines = headers.GetAll(SipHeaderNames.CallId);
        if (lines.Count != 1)
        {
            return lines.Count == 0 ? "missing Call-ID" : "more than one Call-ID";
        }

        string id = lines[0];
        int at = id.IndexOf('@', StringComparison.Ordinal);
        bool valid = id.Length > 0 && at != 0 && at != id.Length - 1 && (at < 0 || id.IndexOf('@', at + 1) < 0)
            && id.All(c => c == '@' || SipSyntax.IsWordChar(c));
        if (!valid)
        {
            return $"Call-ID {SipUri.Show(id)} is not word[@word]";
        }

        value = id;
        return null;
    }

    internal static string? ReadMaxForwards(SipHeaders headers, out int? value)
    {
        value = null;
        IReadOnlyList<string> lines = headers.GetAll(SipHeaderNames.MaxForwards);
        if (lines.Count == 0)
        {
            return null;
        }

        if (lines.Count > 1)
        {
            return "more than one Max-Forwards";
        }

        if (!SipSyntax.TryParseDigits(lines[0], MaxMaxForwards, out ulong hops))
        {
            return $"Max-Forwards {SipUri.Show(lines[0])} is not a number 0-{MaxMaxForwards}";
        }

        value = (int)hops;
        return null;
    }

    /// <summary>Reads From or To: exactly one value.</summary>
    internal static string? ReadSingleAddress(SipHeaders headers, string name, out SipNameAddr? value)
    {
        value = null;
        IReadOnlyList<string> lines = headers.GetAll(name);
        if (lines.Count != 1)
        {
            return lines.Count == 0 ? $"missing {name}" : $"more than one {name}";
        }

        return SipNameAddr.TryParse(lines[0], out value, out string? error) ? null : $"{name}: {error}";
    }

    private SipNameAddr ReadAddress(string name)
    {
        string? error = ReadSingleAddress(Headers, name, out SipNameAddr? value);
        return error is null ? value! : throw Failure(name, error);
    }

    private IReadOnlyList<SipNameAddr> ReadList(string name) =>
        Typed(name, () => ReadAddressList(Headers, name, out List<SipNameAddr> values) is { } e ? throw new FormatException(e) : values);

    private string Single(string name)
    {
        IReadOnlyList<string> lines = Headers.GetAll(name);
        return lines.Count == 1 ? lines[0] : throw Failure(name, lines.Count == 0 ? $"missing {name}" : $"more than one {name}");
    }

    private static Exception Failure(string name, string error) =>
        error.StartsWith("missing ", StringComparison.Ordinal) ? new InvalidOperationException($"no {name} header") : new FormatException(error);

    private T Typed<T>(string key, Func<T> read)
    {
        if (_typed.TryGetValue(key, out (int Version, object? Value) cached) && cached.Version == Headers.Version)
        {
            return (T)cached.Value!;
        }

        T value = read();
        _typed[key] = (Headers.Version, value);
        return value;
    }
}
