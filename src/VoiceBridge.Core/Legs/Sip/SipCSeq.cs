namespace VoiceBridge.Legs.Sip;

/// <summary>
/// The CSeq header: a sequence number (at most 2^32-1, RFC 3261 8.1.1.5) and the request method it
/// orders. Responses take their method from here.
/// </summary>
public readonly record struct SipCSeq(long Number, string Method)
{
    public const long MaxNumber = uint.MaxValue;

    /// <summary>Parses <c>1*DIGIT LWS Method</c>. Never throws.</summary>
    public static bool TryParse(string? text, out SipCSeq cseq, out string? error)
    {
        cseq = default;
        error = null;
        string value = (text ?? string.Empty).Trim();
        int space = value.IndexOfAny([' ', '\t']);
        if (space <= 0)
        {
            error = $"CSeq {SipUri.Show(value)} is not 'number method'";
            return false;
        }

        string method = value[space..].Trim();
        if (!SipSyntax.TryParseDigits(value.AsSpan(0, space), MaxNumber, out ulong number))
        {
            error = $"CSeq number {SipUri.Show(value[..space])} is not a number below 2^32";
            return false;
        }

        if (!SipSyntax.IsToken(method))
        {
            error = $"CSeq method {SipUri.Show(method)} is not a token";
            return false;
        }

        cseq = new SipCSeq((long)number, method);
        return true;
    }

    public override string ToString() => $"{Number} {Method}";
}
